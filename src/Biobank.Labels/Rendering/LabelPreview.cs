using Biobank.Labels.Barcodes;
using Biobank.Labels.Templates;
using PdfSharp.Fonts;
using SkiaSharp;

namespace Biobank.Labels.Rendering;

/// <summary>
/// A PNG picture of one label for the web UI, drawn by SkiaSharp from the same layout as the PDF: the same
/// font files (loaded from the PDF's font resolver), the same positions and the same strokes, in millimetres.
/// </summary>
public sealed class LabelPreview
{
    private const float PointsToMm = 25.4f / 72;

    private readonly SKTypeface regular;
    private readonly SKTypeface bold;

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

        // Skia draws into 32-bit pixels; the PNG is the same picture in grey, a quarter of the size.
        var info = new SKImageInfo((int)Math.Ceiling(template.WidthMm * scale), (int)Math.Ceiling(template.HeightMm * scale), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var colour = new SKBitmap(info);
        using (var canvas = new SKCanvas(colour))
        {
            canvas.Clear(SKColors.White);
            canvas.Scale((float)scale);
            foreach (var primitive in primitives)
            {
                Draw(canvas, measurer, primitive);
            }
        }

        using var grey = colour.Copy(SKColorType.Gray8) ?? throw new InvalidOperationException("SkiaSharp could not convert the preview to greyscale.");

        if (!grey.Encode(output, SKEncodedImageFormat.Png, 100))
        {
            throw new InvalidOperationException("SkiaSharp could not encode the preview as PNG.");
        }
    }

    public byte[] RenderPng(LabelTemplate template, IReadOnlyDictionary<string, string> row, int dpi = 300)
    {
        using var stream = new MemoryStream();
        RenderPng(template, row, stream, dpi);
        return stream.ToArray();
    }

    private void Draw(SKCanvas canvas, TextMeasurer measurer, Primitive primitive)
    {
        switch (primitive)
        {
            case BarcodePrimitive b:
                DrawBarcode(canvas, b);
                break;
            case TextPrimitive t:
                DrawText(canvas, t.Text, (float)t.Left, (float)(t.Top + measurer.AscentMm(t.SizePt, t.Bold)), (float)t.SizePt, t.Bold);
                break;
            case LinePrimitive l:
                using (var pen = Pen(l.Thickness))
                {
                    canvas.DrawLine((float)l.X1, (float)l.Y1, (float)l.X2, (float)l.Y2, pen);
                }

                break;
            case RectPrimitive r when r.Fill:
                using (var fill = Fill())
                {
                    canvas.DrawRect((float)r.X, (float)r.Y, (float)r.Width, (float)r.Height, fill);
                }

                break;
            case RectPrimitive r:
                // The stroke stays inside the rectangle, as in the PDF and on the thermal printer (^GB).
                using (var pen = Pen(r.Thickness))
                {
                    var half = r.Thickness / 2;
                    canvas.DrawRect((float)(r.X + half), (float)(r.Y + half), (float)(r.Width - r.Thickness), (float)(r.Height - r.Thickness), pen);
                }

                break;
            case Un3373Primitive u:
                DrawUn3373(canvas, measurer, u);
                break;
            case Class9Primitive c:
                DrawClass9(canvas, measurer, c);
                break;
        }
    }

    private static void DrawBarcode(SKCanvas canvas, BarcodePrimitive b)
    {
        // One path of merged runs, as in the PDF: adjacent modules share edges, so no seams appear.
        using var builder = new SKPathBuilder();
        var rows = b.Format == BarcodeFormat.Code128 ? 1 : b.Modules.Height;
        var rowHeight = b.Format == BarcodeFormat.Code128 ? b.HeightMm : b.ModuleMm;
        for (var y = 0; y < rows; y++)
        {
            foreach (var (start, length) in b.Modules.DarkRuns(y))
            {
                builder.AddRect(SKRect.Create((float)(b.X + start * b.ModuleMm), (float)(b.Y + y * b.ModuleMm), (float)(length * b.ModuleMm), (float)rowHeight), SKPathDirection.Clockwise);
            }
        }

        using var path = builder.Detach();
        using var fill = Fill();
        canvas.DrawPath(path, fill);
    }

    private void DrawUn3373(SKCanvas canvas, TextMeasurer measurer, Un3373Primitive u)
    {
        var half = u.Bounding / 2;
        using (var pen = Pen(u.BorderMm))
        using (var diamond = Diamond(u.X, u.Y, half, u.BorderMm / 2))
        {
            canvas.DrawPath(diamond, pen);
        }

        // Sized as in the PDF: about 60 % of the diamond's width, centred on its cap height.
        const string text = "UN3373";
        var size = 10 * u.Bounding * 0.58 / measurer.WidthMm(text, 10, bold: true);
        var metrics = measurer.Font(size, bold: true).Metrics;
        var capHeight = size * metrics.CapHeight / metrics.UnitsPerEm * PointsToMm;
        DrawText(canvas, text, (float)(u.X + half - measurer.WidthMm(text, size, bold: true) / 2), (float)(u.Y + half + capHeight / 2), (float)size, bold: true);
    }

    private void DrawClass9(SKCanvas canvas, TextMeasurer measurer, Class9Primitive c)
    {
        var half = c.Bounding / 2;
        var outline = Math.Max(0.3, c.SideMm * 0.012);
        var innerInset = c.Bounding * 0.05;
        using (var pen = Pen(outline))
        using (var outer = Diamond(c.X, c.Y, half, outline / 2))
        using (var inner = Diamond(c.X, c.Y, half, innerInset))
        {
            canvas.DrawPath(outer, pen);
            canvas.DrawPath(inner, pen);
        }

        // Seven vertical stripes filling the upper half, clipped to the inner diamond.
        var stripeInset = innerInset + outline * 2;
        using var triangle = new SKPathBuilder();
        triangle.AddPoly(
        [
            new((float)(c.X + half), (float)(c.Y + stripeInset)),
            new((float)(c.X + c.Bounding - stripeInset), (float)(c.Y + half)),
            new((float)(c.X + stripeInset), (float)(c.Y + half)),
        ]);
        using var clip = triangle.Detach();
        canvas.Save();
        canvas.ClipPath(clip, antialias: true);
        var stripe = (c.Bounding - 2 * stripeInset) / 13;
        using (var fill = Fill())
        {
            for (var i = 0; i < 7; i++)
            {
                canvas.DrawRect((float)(c.X + stripeInset + 2 * i * stripe), (float)c.Y, (float)stripe, (float)half, fill);
            }
        }

        canvas.Restore();

        // "9", underlined, in the bottom corner.
        var size = c.SideMm * 0.55 / PointsToMm * 0.5;
        var nineWidth = measurer.WidthMm("9", size, bold: true);
        var baseline = c.Y + c.Bounding * 0.84;
        DrawText(canvas, "9", (float)(c.X + half - nineWidth / 2), (float)baseline, (float)size, bold: true);
        using var underline = Pen(outline);
        canvas.DrawLine((float)(c.X + half - nineWidth * 0.6), (float)(baseline + outline * 2), (float)(c.X + half + nineWidth * 0.6), (float)(baseline + outline * 2), underline);
    }

    private void DrawText(SKCanvas canvas, string text, float left, float baseline, float sizePt, bool bold)
    {
        // No hinting and subpixel positions: glyphs sit where the PDF puts them, at the PDF's widths.
        using var font = new SKFont(bold ? this.bold : regular, sizePt * PointsToMm) { Hinting = SKFontHinting.None, Subpixel = true, Edging = SKFontEdging.Antialias };
        using var fill = Fill();
        canvas.DrawText(text, left, baseline, SKTextAlign.Left, font, fill);
    }

    private static SKPath Diamond(double left, double top, double half, double inset)
    {
        var d = inset * Math.Sqrt(2);
        using var builder = new SKPathBuilder();
        builder.AddPoly(
        [
            new((float)(left + half), (float)(top + d)),
            new((float)(left + 2 * half - d), (float)(top + half)),
            new((float)(left + half), (float)(top + 2 * half - d)),
            new((float)(left + d), (float)(top + half)),
        ]);
        return builder.Detach();
    }

    private static SKPaint Fill() => new() { Color = SKColors.Black, Style = SKPaintStyle.Fill, IsAntialias = true };

    private static SKPaint Pen(double widthMm) =>
        new() { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = (float)widthMm, StrokeJoin = SKStrokeJoin.Miter, IsAntialias = true };

    private static SKTypeface Load(IFontResolver resolver, bool bold)
    {
        var info = resolver.ResolveTypeface(LabelFontResolver.FamilyName, bold, false)
            ?? throw new InvalidOperationException($"The font resolver has no {(bold ? "bold" : "regular")} face for '{LabelFontResolver.FamilyName}'.");
        var bytes = resolver.GetFont(info.FaceName) ?? throw new InvalidOperationException($"The font resolver returned no data for '{info.FaceName}'.");
        using var data = SKData.CreateCopy(bytes);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"SkiaSharp cannot read the font '{info.FaceName}'.");
    }
}
