using Biobank.Labels.Barcodes;
using Biobank.Labels.Templates;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Biobank.Labels.Rendering;

/// <summary>
/// PDF with PDFsharp: one page per label at the label's exact size, or for a sheet template as many
/// labels per page as the sheet holds. Barcodes are filled vector rectangles; fonts are embedded.
/// </summary>
/// <remarks>
/// PDFsharp keeps the document in memory until it is saved, so the PDF is written to
/// <c>output</c> at the end; the rows themselves are still read one at a time.
/// </remarks>
public sealed class PdfLabelRenderer : ILabelRenderer
{
    private const double PointsPerMm = 72 / 25.4;

    public PdfLabelRenderer()
    {
        PdfSharpSetup.Ensure();
    }

    public string ContentType => "application/pdf";

    public int Render(LabelTemplate template, IEnumerable<IReadOnlyDictionary<string, string>> rows, Stream output)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);

        using var measurer = new TextMeasurer();
        var layout = new LabelLayout(template, measurer);
        using var document = new PdfDocument();
        document.Info.Title = $"Labels: {template.Name}";
        document.Info.Creator = "Biobank LIMS";
        document.Options.CompressContentStreams = true;

        var sheet = template.Sheet;
        var perPage = sheet?.LabelsPerPage ?? 1;
        XGraphics? graphics = null;
        var count = 0;
        try
        {
            foreach (var row in rows)
            {
                count++;
                var primitives = layout.Lay(row, count);
                var slot = (count - 1) % perPage;
                if (slot == 0)
                {
                    graphics?.Dispose();
                    var page = document.AddPage();
                    page.Width = XUnit.FromMillimeter(sheet?.PageWidthMm ?? template.WidthMm);
                    page.Height = XUnit.FromMillimeter(sheet?.PageHeightMm ?? template.HeightMm);
                    graphics = XGraphics.FromPdfPage(page, XGraphicsUnit.Point);
                }

                var (x, y) = sheet?.Origin(slot, template.WidthMm, template.HeightMm) ?? (0, 0);
                Draw(graphics!, measurer, primitives, x, y);
            }
        }
        finally
        {
            graphics?.Dispose();
        }

        if (count == 0)
        {
            throw new ArgumentException("There are no rows: a PDF needs at least one label.", nameof(rows));
        }

        document.Save(output, closeStream: false);
        return count;
    }

    private static void Draw(XGraphics g, TextMeasurer measurer, List<Primitive> primitives, double originX, double originY)
    {
        foreach (var primitive in primitives)
        {
            switch (primitive)
            {
                case BarcodePrimitive b:
                    DrawBarcode(g, b, originX, originY);
                    break;
                case TextPrimitive t:
                    var font = measurer.Font(t.SizePt, t.Bold);
                    var baseline = originY + t.Top + measurer.AscentMm(t.SizePt, t.Bold);
                    g.DrawString(t.Text, font, XBrushes.Black, Pt(originX + t.Left), Pt(baseline), XStringFormats.BaseLineLeft);
                    break;
                case LinePrimitive l:
                    g.DrawLine(new XPen(XColors.Black, Pt(l.Thickness)), Pt(originX + l.X1), Pt(originY + l.Y1), Pt(originX + l.X2), Pt(originY + l.Y2));
                    break;
                case RectPrimitive r when r.Fill:
                    g.DrawRectangle(XBrushes.Black, Pt(originX + r.X), Pt(originY + r.Y), Pt(r.Width), Pt(r.Height));
                    break;
                case RectPrimitive r:
                    // The stroke stays inside the rectangle, as on the thermal printer (^GB).
                    var half = r.Thickness / 2;
                    g.DrawRectangle(new XPen(XColors.Black, Pt(r.Thickness)), Pt(originX + r.X + half), Pt(originY + r.Y + half), Pt(r.Width - r.Thickness), Pt(r.Height - r.Thickness));
                    break;
                case Un3373Primitive u:
                    DrawUn3373(g, measurer, u, originX, originY);
                    break;
                case Class9Primitive c:
                    DrawClass9(g, measurer, c, originX, originY);
                    break;
            }
        }
    }

    private static void DrawBarcode(XGraphics g, BarcodePrimitive b, double originX, double originY)
    {
        // One path of merged runs: adjacent modules share edges, so no hairline seams appear when rasterised.
        var path = new XGraphicsPath { FillMode = XFillMode.Winding };
        var x0 = originX + b.X;
        var y0 = originY + b.Y;
        if (b.Format == BarcodeFormat.Code128)
        {
            foreach (var (start, length) in b.Modules.DarkRuns(0))
            {
                path.AddRectangle(Pt(x0 + start * b.ModuleMm), Pt(y0), Pt(length * b.ModuleMm), Pt(b.HeightMm));
            }
        }
        else
        {
            for (var y = 0; y < b.Modules.Height; y++)
            {
                foreach (var (start, length) in b.Modules.DarkRuns(y))
                {
                    path.AddRectangle(Pt(x0 + start * b.ModuleMm), Pt(y0 + y * b.ModuleMm), Pt(length * b.ModuleMm), Pt(b.ModuleMm));
                }
            }
        }

        g.DrawPath(XBrushes.Black, path);
    }

    private static void DrawUn3373(XGraphics g, TextMeasurer measurer, Un3373Primitive u, double originX, double originY)
    {
        var left = originX + u.X;
        var top = originY + u.Y;
        var half = u.Bounding / 2;
        var inset = u.BorderMm / 2; // keeps the outer edge of the border on the nominal square
        var pen = new XPen(XColors.Black, Pt(u.BorderMm)) { LineJoin = XLineJoin.Miter };
        g.DrawPolygon(pen, Diamond(left, top, half, inset));

        // Letters at least 6 mm high (PI 650): size the text to about 60 % of the diamond's width.
        const string text = "UN3373";
        var size = 10.0;
        var width = measurer.WidthMm(text, size, bold: true);
        size *= u.Bounding * 0.58 / width;
        var font = measurer.Font(size, bold: true);
        var textWidth = measurer.WidthMm(text, size, bold: true);
        var capHeight = size * font.Metrics.CapHeight / font.Metrics.UnitsPerEm / PointsPerMm;
        g.DrawString(text, font, XBrushes.Black, Pt(left + half - textWidth / 2), Pt(top + half + capHeight / 2), XStringFormats.BaseLineLeft);
    }

    private static void DrawClass9(XGraphics g, TextMeasurer measurer, Class9Primitive c, double originX, double originY)
    {
        var left = originX + c.X;
        var top = originY + c.Y;
        var half = c.Bounding / 2;
        var outline = Math.Max(0.3, c.SideMm * 0.012);

        // Outer edge, then the inner border line the ADR label has about 5 % in from the edge.
        g.DrawPolygon(new XPen(XColors.Black, Pt(outline)), Diamond(left, top, half, outline / 2));
        var innerInset = c.Bounding * 0.05;
        g.DrawPolygon(new XPen(XColors.Black, Pt(outline)), Diamond(left, top, half, innerInset));

        // Seven vertical black stripes filling the upper half, clipped to the inner diamond.
        var stripeInset = innerInset + outline * 2;
        var clip = new XGraphicsPath();
        clip.AddPolygon(
        [
            new XPoint(Pt(left + half), Pt(top + stripeInset)),
            new XPoint(Pt(left + c.Bounding - stripeInset), Pt(top + half)),
            new XPoint(Pt(left + stripeInset), Pt(top + half)),
        ]);
        var state = g.Save();
        g.IntersectClip(clip);
        var span = c.Bounding - 2 * stripeInset;
        var stripe = span / 13;
        for (var i = 0; i < 7; i++)
        {
            g.DrawRectangle(XBrushes.Black, Pt(left + stripeInset + 2 * i * stripe), Pt(top), Pt(stripe), Pt(half));
        }

        g.Restore(state);

        // "9", underlined, in the bottom corner.
        var size = c.SideMm * 0.55 * PointsPerMm * 0.5;
        var font = measurer.Font(size, bold: true);
        var nineWidth = measurer.WidthMm("9", size, bold: true);
        var baseline = top + c.Bounding * 0.84;
        g.DrawString("9", font, XBrushes.Black, Pt(left + half - nineWidth / 2), Pt(baseline), XStringFormats.BaseLineLeft);
        g.DrawLine(new XPen(XColors.Black, Pt(outline)), Pt(left + half - nineWidth * 0.6), Pt(baseline + outline * 2), Pt(left + half + nineWidth * 0.6), Pt(baseline + outline * 2));
    }

    private static XPoint[] Diamond(double left, double top, double half, double inset) =>
    [
        new(Pt(left + half), Pt(top + inset * Math.Sqrt(2))),
        new(Pt(left + 2 * half - inset * Math.Sqrt(2)), Pt(top + half)),
        new(Pt(left + half), Pt(top + 2 * half - inset * Math.Sqrt(2))),
        new(Pt(left + inset * Math.Sqrt(2)), Pt(top + half)),
    ];

    private static double Pt(double mm) => mm * PointsPerMm;
}
