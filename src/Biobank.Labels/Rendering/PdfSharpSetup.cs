using PdfSharp.Fonts;

namespace Biobank.Labels.Rendering;

/// <summary>PDFsharp's process-wide settings, made once: our font resolver. PDFsharp 6.2.4 (MIT) needs no licence call.</summary>
public static class PdfSharpSetup
{
    private static readonly Lock Gate = new();
    private static bool done;

    /// <summary>Call before any other PDFsharp use; later calls do nothing. A resolver set by the host beforehand is kept.</summary>
    public static void Ensure(IFontResolver? resolver = null)
    {
        lock (Gate)
        {
            if (done)
            {
                return;
            }

            GlobalFontSettings.FontResolver ??= resolver ?? new LabelFontResolver();
            done = true;
        }
    }
}
