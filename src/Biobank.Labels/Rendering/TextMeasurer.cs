using PdfSharp.Drawing;

namespace Biobank.Labels.Rendering;

/// <summary>Widths of text in the label font, from PDFsharp's reading of the font file. Not thread-safe: one per render.</summary>
internal sealed class TextMeasurer : IDisposable
{
    private const double PointsPerMm = 72 / 25.4;

    private readonly XGraphics graphics;
    private readonly Dictionary<(double, bool), XFont> fonts = [];
    private readonly Dictionary<(string, double, bool), double> widths = [];

    public TextMeasurer()
    {
        PdfSharpSetup.Ensure();
        graphics = XGraphics.CreateMeasureContext(new XSize(1000, 1000), XGraphicsUnit.Point, XPageDirection.Downwards);
    }

    public XFont Font(double sizePt, bool bold)
    {
        if (!fonts.TryGetValue((sizePt, bold), out var font))
        {
            font = new XFont(LabelFontResolver.FamilyName, sizePt, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
            fonts[(sizePt, bold)] = font;
        }

        return font;
    }

    public double WidthMm(string text, double sizePt, bool bold)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        // Labels of one batch repeat most texts (pseudonym, sample type, date): measure each once.
        if (widths.TryGetValue((text, sizePt, bold), out var width))
        {
            return width;
        }

        if (widths.Count > 50_000)
        {
            widths.Clear();
        }

        width = graphics.MeasureString(text, Font(sizePt, bold)).Width / PointsPerMm;
        widths[(text, sizePt, bold)] = width;
        return width;
    }

    /// <summary>Distance from the top of a line box to its baseline, in mm.</summary>
    public double AscentMm(double sizePt, bool bold)
    {
        var metrics = Font(sizePt, bold).Metrics;
        return sizePt * metrics.Ascent / metrics.UnitsPerEm / PointsPerMm;
    }

    public void Dispose() => graphics.Dispose();
}
