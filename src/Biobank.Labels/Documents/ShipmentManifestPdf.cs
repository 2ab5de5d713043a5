using System.Globalization;
using Biobank.Labels.Barcodes;
using Biobank.Labels.Rendering;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using ZXing.Common;

namespace Biobank.Labels.Documents;

/// <summary>
/// The printed manifest that travels with a shipment: an A4 PDF with the shipment's Code 128, sender
/// and recipient, transport and dangerous-goods facts, every tube box by box, totals per sample type
/// and signature lines for packing and receipt. Text stays text (searchable, copyable) and fonts are
/// embedded; the barcode is vector rectangles, as on the labels.
/// </summary>
public static class ShipmentManifestPdf
{
    public static void Render(ManifestDocument doc, Stream output)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(doc.Sender);
        ArgumentNullException.ThrowIfNull(doc.Recipient);
        ArgumentNullException.ThrowIfNull(doc.Boxes);

        BitMatrix code;
        try
        {
            code = BarcodeWriter.EncodeModules(doc.ShipmentBarcode, BarcodeFormat.Code128);
        }
        catch (BarcodeEncodingException e)
        {
            throw new ArgumentException($"The shipment barcode '{doc.ShipmentBarcode}' cannot be printed as Code 128: {e.Message}", nameof(doc), e);
        }

        PdfSharpSetup.Ensure();
        using var measurer = new TextMeasurer();
        using var document = new PdfDocument();
        document.Info.Title = $"Shipment manifest {doc.ShipmentBarcode}";
        document.Info.Creator = "Biobank LIMS";
        document.Options.CompressContentStreams = true;

        using (var writer = new ManifestWriter(document, measurer, doc))
        {
            writer.Header(code);
            foreach (var box in doc.Boxes)
            {
                writer.Box(box);
            }

            writer.Totals();
            writer.Signatures();
        }

        ManifestWriter.Footers(document, measurer, doc.ShipmentBarcode);
        document.Save(output, closeStream: false);
    }

    /// <summary>Lays the manifest out top to bottom, starting a new page when the next piece does not fit.</summary>
    private sealed class ManifestWriter : IDisposable
    {
        private const double PointsPerMm = 72 / 25.4;
        private const double PageWidth = 210;
        private const double PageHeight = 297;
        private const double Left = 15;
        private const double Right = PageWidth - 15;
        private const double Top = 15;
        private const double ContentBottom = PageHeight - 18;
        private const double FooterBaseline = PageHeight - 9;

        private const double Body = 9;
        private const double Small = 8;
        private const double CellSize = 8.5;
        private const double Heading = 10.5;

        private const double RowHeight = 4.6;
        private const double HeaderRowHeight = 5.6;
        private const double BoxHeadingHeight = 7.5;
        private const double CellPadding = 1.5;

        /// <summary>Smallest size a tube barcode shrinks to before it is cut: a receiver reads it against the tube.</summary>
        private const double SmallestBarcodeText = 6;

        /// <summary>Column of the tube table whose text shrinks rather than being cut.</summary>
        private const int BarcodeColumn = 1;


        // Position | Barcode | Pseudonym | Sample type | Timepoint | Volume (µL): 180 mm, the width between the margins.
        private static readonly (string Title, double Width, bool AlignRight)[] Columns =
        [
            ("Position", 16, false),
            ("Barcode", 37, false),
            ("Pseudonym", 32, false),
            ("Sample type", 30, false),
            ("Timepoint", 41, false),
            ("Volume (µL)", 24, true),
        ];

        // Pens and brushes per render: PDFsharp's drawing objects are not documented as safe to share between threads.
        private readonly XBrush grey = Grey();
        private readonly XBrush headerFill = new XSolidBrush(XColor.FromArgb(225, 228, 232));
        private readonly XBrush stripeFill = new XSolidBrush(XColor.FromArgb(244, 245, 247));
        private readonly XPen rule = new(XColor.FromArgb(120, 120, 120), 0.5);
        private readonly XPen writeOnLine = new(XColors.Black, 0.6);
        private readonly XPen frame = new(XColors.Black, 1.0);

        private readonly PdfDocument document;
        private readonly TextMeasurer measurer;
        private readonly ManifestDocument doc;
        private XGraphics? graphics;
        private double y;

        public ManifestWriter(PdfDocument document, TextMeasurer measurer, ManifestDocument doc)
        {
            this.document = document;
            this.measurer = measurer;
            this.doc = doc;
            NewPage();
        }

        private XGraphics G => graphics!;

        public void Header(BitMatrix code)
        {
            // The shipment's Code 128 at the top right: 0.35 mm modules where it fits (4 pixels at 300 dpi),
            // narrower for long codes so the symbol stays within 75 mm, never below 0.19 mm.
            var module = Math.Clamp(75.0 / code.Width, 0.19, 0.35);
            var barsWidth = code.Width * module;
            var barsLeft = Right - barsWidth;
            const double barsHeight = 13;
            DrawBars(code, barsLeft, Top, module, barsHeight);
            var codeText = Fit(doc.ShipmentBarcode, 10, bold: true, barsWidth + 8);
            Text(codeText, Right - barsWidth / 2 - measurer.WidthMm(codeText, 10, bold: true) / 2, Top + barsHeight + 4.2, 10, bold: true);

            // Left of it: title and the shipment's state; the quiet zone (10 modules) stays clear.
            var leftWidth = barsLeft - BarcodeWriter.Code128QuietZone * module - Left - 2;
            Text(Fit("Shipment manifest", 18, true, leftWidth), Left, Top + 6.2, 18, bold: true);
            var dispatched = doc.DispatchedUtc is { } d
                ? d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"
                : "not dispatched yet";
            var lineY = Top + 12;
            foreach (var (label, value) in new[] { ("State", doc.State), ("Dispatched", dispatched), ("Prepared by", doc.PreparedBy) })
            {
                LabelledValue(label, value, Left, lineY, 22, leftWidth);
                lineY += 4.4;
            }

            y = Math.Max(lineY, Top + barsHeight + 6) + 1;
            G.DrawLine(rule, Pt(Left), Pt(y), Pt(Right), Pt(y));
            y += 4;

            // Sender and recipient side by side.
            const double partyWidth = 86;
            Party("From (sender)", doc.Sender, Left, partyWidth);
            Party("To (recipient)", doc.Recipient, Right - partyWidth, partyWidth);
            y += 17;

            // Transport facts in two columns.
            var boxes = doc.Boxes.Count(b => b.Barcode is not null);
            var tubes = doc.Boxes.Sum(b => b.Tubes.Count);
            var dryIce = doc.DryIceKg is > 0 ? Kg(doc.DryIceKg.Value) : "none";
            (string, string)[] first = [("Courier", doc.Courier ?? "—"), ("Tracking number", doc.TrackingNumber ?? "—"), ("Packages", doc.Packages.ToString(CultureInfo.InvariantCulture))];
            (string, string)[] second = [("Dry ice", dryIce), ("Temperature logger", doc.LoggerId ?? "—"), ("Contents", $"{Count(boxes, "box", "boxes")}, {Count(tubes, "tube", "tubes")}")];
            for (var i = 0; i < first.Length; i++)
            {
                LabelledValue(first[i].Item1, first[i].Item2, Left, y + 3.5, 35, partyWidth);
                LabelledValue(second[i].Item1, second[i].Item2, Right - partyWidth, y + 3.5, 35, partyWidth);
                y += 4.6;
            }

            y += 3;

            // The dangerous-goods marks the package carries, framed so the packer sees them.
            var lines = new List<string> { "UN3373  Biological Substance, Category B" };
            if (doc.DryIceKg is > 0)
            {
                lines.Add($"UN1845  Dry Ice, Class 9, net {Kg(doc.DryIceKg.Value)}");
            }

            var frameHeight = 3 + lines.Count * 5.2;
            G.DrawRectangle(frame, Pt(Left), Pt(y), Pt(Right - Left), Pt(frameHeight));
            var baseline = y + 5.6;
            foreach (var line in lines)
            {
                Text(line, Left + 3, baseline, 10, bold: true);
                baseline += 5.2;
            }

            y += frameHeight + 6;
            if (tubes == 0)
            {
                Text("This shipment holds no tubes.", Left, y + 3.5, Body, brush: grey);
                y += 7;
            }
        }

        public void Box(ManifestBox box)
        {
            ArgumentNullException.ThrowIfNull(box);
            var tubes = ManifestContents.InTableOrder(box);

            // Keep a heading with its table header and the first rows.
            if (!Fits(BoxHeadingHeight + HeaderRowHeight + Math.Max(1, Math.Min(tubes.Count, 3)) * RowHeight))
            {
                NewPage();
            }

            BoxHeading(box, tubes.Count, continued: false);
            if (tubes.Count == 0)
            {
                Text(box.Barcode is null ? "No loose tubes." : "No tubes in this box.", Left + CellPadding, y + 3.5, Body, brush: grey);
                y += RowHeight + 5;
                return;
            }

            TableHeader(Columns);
            for (var i = 0; i < tubes.Count; i++)
            {
                if (!Fits(RowHeight))
                {
                    NewPage();
                    BoxHeading(box, tubes.Count, continued: true);
                    TableHeader(Columns);
                }

                var t = tubes[i];
                TubeRow(i, [t.Position ?? "—", t.Barcode, t.Pseudonym, t.SampleType, t.Timepoint, Volume(t.VolumeUl)]);
            }

            y += 5;
        }

        public void Totals()
        {
            var totals = ManifestContents.TotalsBySampleType(doc.Boxes);
            (string, double, bool)[] columns = [("Sample type", 90, false), ("Tubes", 25, true), ("Total volume (µL)", 35, true)];
            if (!Fits(BoxHeadingHeight + HeaderRowHeight + (totals.Count + 1) * RowHeight))
            {
                NewPage();
            }

            Text("Totals by sample type", Left, y + 5, Heading, bold: true);
            y += BoxHeadingHeight;
            TableHeader(columns);
            for (var i = 0; i < totals.Count; i++)
            {
                if (!Fits(RowHeight * 2))
                {
                    NewPage();
                    TableHeader(columns);
                }

                var (type, count, volume) = totals[i];
                Row(i, columns, [type, count.ToString(CultureInfo.InvariantCulture), Volume(volume)], bold: false);
            }

            G.DrawLine(rule, Pt(Left), Pt(y), Pt(Left + columns.Sum(c => c.Item2)), Pt(y));
            var all = totals.Sum(t => t.Tubes);
            Row(-1, columns, ["All tubes", all.ToString(CultureInfo.InvariantCulture), Volume(totals.Sum(t => t.VolumeUl))], bold: true);
            y += 8;
        }

        public void Signatures()
        {
            const double height = 36;
            if (!Fits(height))
            {
                NewPage();
            }

            const double blockWidth = 82;
            foreach (var (title, left) in new[] { ("Packed by", Left), ("Received by", Right - blockWidth) })
            {
                Text(title, left, y + 5, Heading, bold: true);
                var lineY = y + 15;
                foreach (var label in (string[])["Name", "Signature", "Date"])
                {
                    Text(label, left, lineY, Small, brush: grey);
                    G.DrawLine(writeOnLine, Pt(left + 18), Pt(lineY + 0.6), Pt(left + blockWidth), Pt(lineY + 0.6));
                    lineY += 9;
                }
            }

            y += height;
        }

        /// <summary>"Shipment X · page N of M" on every page, written once the number of pages is known.</summary>
        public static void Footers(PdfDocument document, TextMeasurer measurer, string shipmentBarcode)
        {
            var count = document.PageCount;
            var hairline = new XPen(XColor.FromArgb(170, 170, 170), 0.35);
            var brush = Grey();
            for (var n = 1; n <= count; n++)
            {
                using var g = XGraphics.FromPdfPage(document.Pages[n - 1], XGraphicsPdfPageOptions.Append, XGraphicsUnit.Point);
                var text = $"Shipment {shipmentBarcode} · page {n} of {count}";
                g.DrawLine(hairline, Pt(Left), Pt(FooterBaseline - 4.5), Pt(Right), Pt(FooterBaseline - 4.5));
                var width = measurer.WidthMm(text, Small, bold: false);
                g.DrawString(text, measurer.Font(Small, bold: false), brush, Pt(Right - width), Pt(FooterBaseline), XStringFormats.BaseLineLeft);
            }
        }

        public void Dispose()
        {
            graphics?.Dispose();
            graphics = null;
        }

        private void Party(string title, ManifestSite site, double left, double width)
        {
            Text(title, left, y + 3, Small, brush: grey);
            Text(Fit(site.Name, 11, true, width), left, y + 8.2, 11, bold: true);
            Text(Fit($"Site {site.Code} · {site.Country}", Body, false, width), left, y + 12.6, Body);
        }

        private void BoxHeading(ManifestBox box, int tubes, bool continued)
        {
            var name = continued ? $"{box.Name} (continued)" : box.Name;
            var baseline = y + 5;
            var nameText = Fit(name, Heading, true, 95);
            Text(nameText, Left, baseline, Heading, bold: true);
            var details = box.Barcode is null
                ? $"not in a box · {Count(tubes, "tube", "tubes")}"
                : box.Rows > 0 && box.Cols > 0
                    ? $"Box {box.Barcode} · {box.Rows} × {box.Cols} · {Count(tubes, "tube", "tubes")}"
                    : $"Box {box.Barcode} · {Count(tubes, "tube", "tubes")}";
            var detailsLeft = Left + measurer.WidthMm(nameText, Heading, bold: true) + 4;
            Text(Fit(details, Body, false, Right - detailsLeft), detailsLeft, baseline, Body);
            y += BoxHeadingHeight;
        }

        private void TableHeader((string Title, double Width, bool AlignRight)[] columns)
        {
            var width = columns.Sum(c => c.Width);
            G.DrawRectangle(headerFill, Pt(Left), Pt(y), Pt(width), Pt(HeaderRowHeight));
            var x = Left;
            foreach (var (title, columnWidth, alignRight) in columns)
            {
                Cell(title, x, columnWidth, alignRight, y + HeaderRowHeight / 2 + 1.1, Small, bold: true);
                x += columnWidth;
            }

            y += HeaderRowHeight;
            G.DrawLine(rule, Pt(Left), Pt(y), Pt(Left + width), Pt(y));
        }

        private void TubeRow(int index, string[] cells)
        {
            DrawRowBackground(index, Columns.Sum(c => c.Width));
            var baseline = y + RowHeight / 2 + 1.05;
            var x = Left;
            for (var c = 0; c < Columns.Length; c++)
            {
                var (_, width, alignRight) = Columns[c];
                if (c == BarcodeColumn)
                {
                    BarcodeCell(cells[c], x, width, baseline);
                }
                else
                {
                    Cell(cells[c], x, width, alignRight, baseline, CellSize, bold: false);
                }

                x += width;
            }

            y += RowHeight;
        }

        private void Row(int index, (string Title, double Width, bool AlignRight)[] columns, string[] cells, bool bold)
        {
            DrawRowBackground(index, columns.Sum(c => c.Width));
            var baseline = y + RowHeight / 2 + 1.05;
            var x = Left;
            for (var c = 0; c < columns.Length; c++)
            {
                Cell(cells[c], x, columns[c].Width, columns[c].AlignRight, baseline, CellSize, bold);
                x += columns[c].Width;
            }

            y += RowHeight;
        }

        private void DrawRowBackground(int index, double width)
        {
            if (index % 2 == 1)
            {
                G.DrawRectangle(stripeFill, Pt(Left), Pt(y), Pt(width), Pt(RowHeight));
            }
        }

        private void Cell(string text, double x, double width, bool alignRight, double baseline, double size, bool bold)
        {
            var fitted = Fit(text, size, bold, width - 2 * CellPadding);
            var left = alignRight ? x + width - CellPadding - measurer.WidthMm(fitted, size, bold) : x + CellPadding;
            Text(fitted, left, baseline, size, bold);
        }

        /// <summary>A tube barcode is what the receiver compares with the tube: shrink it to fit before cutting it.</summary>
        private void BarcodeCell(string text, double x, double width, double baseline)
        {
            var room = width - 2 * CellPadding;
            var size = CellSize;
            var natural = measurer.WidthMm(text, size, bold: false);
            if (natural > room)
            {
                size = Math.Max(SmallestBarcodeText, Math.Floor(size * room / natural * 4) / 4);
            }

            Text(Fit(text, size, false, room), x + CellPadding, baseline, size);
        }

        private void LabelledValue(string label, string value, double left, double baseline, double labelWidth, double width)
        {
            Text(label, left, baseline, Body, brush: grey);
            Text(Fit(value, Body, false, width - labelWidth), left + labelWidth, baseline, Body);
        }

        private void Text(string text, double left, double baseline, double size, bool bold = false, XBrush? brush = null)
        {
            if (text.Length > 0)
            {
                G.DrawString(text, measurer.Font(size, bold), brush ?? XBrushes.Black, Pt(left), Pt(baseline), XStringFormats.BaseLineLeft);
            }
        }

        /// <summary>The text, or its longest start that fits <paramref name="width"/> mm with an ellipsis after it.</summary>
        private string Fit(string text, double size, bool bold, double width)
        {
            text = OneLine(text);
            if (text.Length == 0 || measurer.WidthMm(text, size, bold) <= width)
            {
                return text;
            }

            int lo = 0, hi = text.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (measurer.WidthMm(Cut(text, mid), size, bold) <= width)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return Cut(text, lo);

            static string Cut(string text, int length)
            {
                if (length > 0 && char.IsHighSurrogate(text[length - 1]))
                {
                    length--;
                }

                return string.Concat(text.AsSpan(0, length).TrimEnd(), "…");
            }
        }

        private static string OneLine(string? text)
        {
            text ??= "";
            return text.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0
                ? text
                : string.Create(text.Length, text, (span, s) =>
                {
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] = char.IsControl(s[i]) ? ' ' : s[i];
                    }
                });
        }

        private void DrawBars(BitMatrix code, double left, double top, double module, double height)
        {
            // One path of merged runs, as on the labels: no hairline seams between adjacent bars.
            var path = new XGraphicsPath { FillMode = XFillMode.Winding };
            foreach (var (start, length) in code.DarkRuns(0))
            {
                path.AddRectangle(Pt(left + start * module), Pt(top), Pt(length * module), Pt(height));
            }

            G.DrawPath(XBrushes.Black, path);
        }

        private bool Fits(double height) => y + height <= ContentBottom;

        private void NewPage()
        {
            graphics?.Dispose();
            var page = document.AddPage();
            page.Width = XUnit.FromMillimeter(PageWidth);
            page.Height = XUnit.FromMillimeter(PageHeight);
            graphics = XGraphics.FromPdfPage(page, XGraphicsUnit.Point);
            y = Top;
        }

        private static string Volume(decimal microlitres) => microlitres.ToString("0.##", CultureInfo.InvariantCulture);

        private static string Kg(decimal kg) => kg.ToString("0.0##", CultureInfo.InvariantCulture) + " kg";

        private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n.ToString(CultureInfo.InvariantCulture)} {many}";

        private static XSolidBrush Grey() => new(XColor.FromArgb(85, 85, 85));

        private static double Pt(double mm) => mm * PointsPerMm;
    }
}
