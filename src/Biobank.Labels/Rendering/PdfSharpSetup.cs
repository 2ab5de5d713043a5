using PdfSharp;
using PdfSharp.Fonts;

namespace Biobank.Labels.Rendering;

/// <summary>PDFsharp's process-wide settings, made once: the AGPL licence (this project is AGPL-3.0-or-later) and our font resolver.</summary>
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

            PdfSharpLicense.SetAgplLicense();
            GlobalFontSettings.FontResolver ??= resolver ?? new LabelFontResolver();
            done = true;
        }
    }
}
