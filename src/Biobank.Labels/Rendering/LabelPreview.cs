using Biobank.Labels.Barcodes;
using Biobank.Labels.Rendering.Raster;
using Biobank.Labels.Templates;
using PdfSharp.Fonts;

namespace Biobank.Labels.Rendering;

/// <summary>
/// A PNG picture of one label for the web UI, drawn from the same layout as the PDF (same fonts,
/// same positions) by a small rasteriser of our own, so no PDF viewer or native library is needed.
/// </summary>
public sealed class LabelPreview
{
    private readonly TrueTypeFont regular;
    private readonly TrueTypeFont bold;

    public LabelPreview()
    {
        PdfSharpSetup.Ensure();
        var resolver = GlobalFontSettings.FontResolver ?? new LabelFontResolver();
        regular = Load(resolver, bold: false);
        bold = Load(resolver, bold: true);
    }

    /// <summary>Writes the label for <paramref name="row"/> as an 8-bit greyscale PNG at <paramref name="dpi"/> (the sheet layout is ignored: one label).</summary>
    /// <exception cref="LabelDataException">A field is missing or a barcode refuses its value (reported as label 1).</exception>
    public void RenderPng(LabelTemplate template, IReadOnlyDictionary<string, string> row, Stream output, int dpi = 300)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentOutOfRangeException.ThrowIfLessThan(dpi, 50);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dpi, 1200);
        using var measurer = new TextMeasurer();
        var primitives = new LabelLayout(template, measurer).Lay(row, 1);
        var scale = dpi / 25.4;
        var canvas = new Canvas((int)Math.Ceiling(template.WidthMm * scale), (int)Math.Ceiling(template.HeightMm * scale));
        foreach (var primitive in primitives)
        {
            Draw(canvas, measurer, primitive, scale);
        }

        canvas.WritePng(output);
    }

    public byte[] RenderPng(LabelTemplate template, IReadOnlyDictionary<string, string> row, int dpi = 300)
    {
        using var stream = new MemoryStream();
        RenderPng(template, row, stream, dpi);
        return stream.ToArray();
    }

    private void Draw(Canvas canvas, TextMeasurer measurer, Primitive primitive, double s)
    {
        switch (primitive)
        {
            case BarcodePrimitive b when b.Format == BarcodeFormat.Code128:
                foreach (var (start, length) in b.Modules.DarkRuns(0))
                {
                    canvas.FillRectangle((b.X + start * b.ModuleMm) * s, b.Y * s, length * b.ModuleMm * s, b.HeightMm * s);
                }

                break;
            case BarcodePrimitive b:
                for (var y = 0; y < b.Modules.Height; y++)
                {
                    foreach (var (start, length) in b.Modules.DarkRuns(y))
                    {
                        canvas.FillRectangle((b.X + start * b.ModuleMm) * s, (b.Y + y * b.ModuleMm) * s, length * b.ModuleMm * s, b.ModuleMm * s);
                    }
                }

                break;
            case TextPrimitive t:
                DrawText(canvas, t.Text, t.Left * s, (t.Top + measurer.AscentMm(t.SizePt, t.Bold)) * s, t.SizePt / 72 * 25.4 * s, t.Bold);
                break;
            case LinePrimitive l:
                canvas.Line(l.X1 * s, l.Y1 * s, l.X2 * s, l.Y2 * s, Math.Max(1, l.Thickness * s));
                break;
            case RectPrimitive r when r.Fill:
                canvas.FillRectangle(r.X * s, r.Y * s, r.Width * s, r.Height * s);
                break;
            case RectPrimitive r:
                var t0 = r.Thickness * s;
                canvas.FillPolygons(
                [
                    Rect(r.X * s, r.Y * s, r.Width * s, r.Height * s, clockwise: true),
                    Rect(r.X * s + t0, r.Y * s + t0, r.Width * s - 2 * t0, r.Height * s - 2 * t0, clockwise: false),
                ]);
                break;
            case Un3373Primitive u:
                DiamondRing(canvas, u.X * s, u.Y * s, u.Bounding * s, u.BorderMm * s);
                var em = u.Bounding * 0.58 / TextWidth("UN3373", 1, true);
                var width = TextWidth("UN3373", em, true);
                DrawText(canvas, "UN3373", (u.X + u.Bounding / 2 - width / 2) * s, (u.Y + u.Bounding / 2 + em * 0.36) * s, em * s, true);
                break;
            case Class9Primitive c:
                DrawClass9(canvas, c, s);
                break;
        }
    }

    private void DrawClass9(Canvas canvas, Class9Primitive c, double s)
    {
        var b = c.Bounding * s;
        var x = c.X * s;
        var y = c.Y * s;
        var outline = Math.Max(0.3, c.SideMm * 0.012) * s;
        DiamondRing(canvas, x, y, b, outline);
        var inner = b * 0.05;
        DiamondRing(canvas, x + inner * Math.Sqrt(2), y + inner * Math.Sqrt(2), b - 2 * inner * Math.Sqrt(2), outline);

        // Stripes: each rectangle clipped to the upper triangle of the inner diamond.
        var inset = inner + outline * 2;
        var half = b / 2;
        var stripe = (b - 2 * inset) / 13;
        for (var i = 0; i < 7; i++)
        {
            var left = x + inset + 2 * i * stripe;
            var polygon = ClipToUpperTriangle(left, left + stripe, x + half, y + inset, y + half, half - inset);
            if (polygon.Count >= 3)
            {
                canvas.FillPolygons([polygon]);
            }
        }

        var em = c.SideMm * 0.55 * 0.5 * s;
        var nine = TextWidth("9", em, true);
        var baseline = y + b * 0.84;
        DrawText(canvas, "9", x + half - nine / 2, baseline, em, true);
        canvas.Line(x + half - nine * 0.6, baseline + outline * 2, x + half + nine * 0.6, baseline + outline * 2, outline);
    }

    // The part of the vertical band [x0, x1] inside the triangle with apex (cx, apexY) and base at baseY.
    private static List<(double X, double Y)> ClipToUpperTriangle(double x0, double x1, double cx, double apexY, double baseY, double halfBase)
    {
        double TopAt(double x) => apexY + Math.Abs(x - cx);
        x0 = Math.Max(x0, cx - halfBase);
        x1 = Math.Min(x1, cx + halfBase);
        if (x1 <= x0)
        {
            return [];
        }

        var points = new List<(double, double)> { (x0, baseY), (x0, TopAt(x0)) };
        if (x0 < cx && x1 > cx)
        {
            points.Add((cx, apexY));
        }

        points.Add((x1, TopAt(x1)));
        points.Add((x1, baseY));
        return points;
    }

    private static void DiamondRing(Canvas canvas, double x, double y, double bounding, double thickness)
    {
        var half = bounding / 2;
        var d = thickness * Math.Sqrt(2);
        canvas.FillPolygons(
        [
            [(x + half, y), (x + bounding, y + half), (x + half, y + bounding), (x, y + half)],
            [(x + d, y + half), (x + half, y + bounding - d), (x + bounding - d, y + half), (x + half, y + d)],
        ]);
    }

    private static IReadOnlyList<(double X, double Y)> Rect(double x, double y, double w, double h, bool clockwise) =>
        clockwise ? [(x, y), (x + w, y), (x + w, y + h), (x, y + h)] : [(x, y), (x, y + h), (x + w, y + h), (x + w, y)];

    private double TextWidth(string text, double em, bool isBold)
    {
        var font = isBold ? bold : regular;
        var units = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            units += font.Advance(font.GlyphIndex(rune.Value));
        }

        return units * em / font.UnitsPerEm;
    }

    private void DrawText(Canvas canvas, string text, double x, double baseline, double em, bool isBold)
    {
        var font = isBold ? bold : regular;
        var k = em / font.UnitsPerEm;
        var contours = new List<IReadOnlyList<(double X, double Y)>>();
        var pen = x;
        foreach (var rune in text.EnumerateRunes())
        {
            var glyph = font.GlyphIndex(rune.Value);
            foreach (var contour in font.Outline(glyph))
            {
                var origin = pen;
                contours.Add([.. contour.Select(p => (origin + p.X * k, baseline - p.Y * k))]);
            }

            pen += font.Advance(glyph) * k;
        }

        canvas.FillPolygons(contours);
    }

    private static TrueTypeFont Load(IFontResolver resolver, bool bold)
    {
        var info = resolver.ResolveTypeface(LabelFontResolver.FamilyName, bold, false)
            ?? throw new InvalidOperationException($"The font resolver has no {(bold ? "bold" : "regular")} face for '{LabelFontResolver.FamilyName}'.");
        return new TrueTypeFont(resolver.GetFont(info.FaceName) ?? throw new InvalidOperationException($"The font resolver returned no data for '{info.FaceName}'."));
    }
}
