using System.Globalization;
using Biobank.Labels.Barcodes;
using Biobank.Labels.Templates;
using ZXing.Common;

namespace Biobank.Labels.Rendering;

/// <summary>Something to draw, in millimetres from the label's top-left corner; both renderers draw these.</summary>
internal abstract record Primitive;

internal sealed record BarcodePrimitive(BarcodeFormat Format, string Payload, string Field, double X, double Y, double ModuleMm, double HeightMm, BitMatrix Modules, DataMatrixSize? Size) : Primitive
{
    public double WidthMm => Modules.Width * ModuleMm;
}

/// <summary>One line of text. <see cref="Left"/> is already aligned; <see cref="BoxLeft"/>/<see cref="BoxWidth"/> is the space it was aligned in.</summary>
internal sealed record TextPrimitive(string Text, double Left, double Top, double SizePt, bool Bold, TextAlign Align, double BoxLeft, double BoxWidth) : Primitive;

internal sealed record LinePrimitive(double X1, double Y1, double X2, double Y2, double Thickness) : Primitive;

internal sealed record RectPrimitive(double X, double Y, double Width, double Height, double Thickness, bool Fill) : Primitive;

internal sealed record Un3373Primitive(double X, double Y, double SideMm) : Primitive
{
    public double Bounding => SideMm * Math.Sqrt(2);

    /// <summary>PI 650 asks for a line at least 2 mm wide.</summary>
    public double BorderMm => Math.Max(2, SideMm * 0.04);
}

internal sealed record Class9Primitive(double X, double Y, double SideMm) : Primitive
{
    public double Bounding => SideMm * Math.Sqrt(2);
}

/// <summary>
/// Turns a template and one row of data into primitives: resolves placeholders, applies
/// conditions, encodes barcodes and fits text (shrink, truncate with "…", wrap).
/// </summary>
internal sealed class LabelLayout(LabelTemplate template, TextMeasurer measurer)
{
    public const string Ellipsis = "…";

    public List<Primitive> Lay(IReadOnlyDictionary<string, string> row, int labelNumber)
    {
        ArgumentNullException.ThrowIfNull(row);
        var list = new List<Primitive>(template.Elements.Count + 4);

        // Check every field first, so a missing one is reported even when its element is hidden.
        foreach (var field in template.Fields)
        {
            FieldText.Lookup(row, field, labelNumber);
        }

        foreach (var element in template.Elements)
        {
            if (element.Condition is not null && !element.Condition.IsMet(row, labelNumber))
            {
                continue;
            }

            switch (element)
            {
                case BarcodeElement b:
                    list.Add(LayBarcode(b, row, labelNumber));
                    break;
                case TextElement t:
                    LayText(t, t.Text.Resolve(row, labelNumber), list);
                    break;
                case LineElement l:
                    list.Add(new LinePrimitive(l.X1, l.Y1, l.X2, l.Y2, l.ThicknessMm));
                    break;
                case RectElement r:
                    list.Add(new RectPrimitive(r.X, r.Y, r.WidthMm, r.HeightMm, r.ThicknessMm, r.Fill));
                    break;
                case Un3373Element u:
                    list.Add(new Un3373Primitive(u.X, u.Y, u.SideMm));
                    break;
                case Class9Element c:
                    list.Add(new Class9Primitive(c.X, c.Y, c.SideMm));
                    break;
            }
        }

        return list;
    }

    private BarcodePrimitive LayBarcode(BarcodeElement b, IReadOnlyDictionary<string, string> row, int labelNumber)
    {
        var payload = b.Data.Resolve(row, labelNumber);
        var field = b.Data.Fields.Count > 0 ? b.Data.Fields[0] : "(literal)";
        BitMatrix modules;
        try
        {
            modules = BarcodeWriter.EncodeModules(payload, b.Symbology, new EncodeOptions { Shape = b.Shape, Size = b.Size });
        }
        catch (BarcodeEncodingException e)
        {
            throw new LabelDataException(labelNumber, field, $"Label {labelNumber}: the field '{field}' cannot be printed as a barcode: {e.Message}", e);
        }

        // The size ZXing.Net chose, which the ZPL asks the printer for so print and PDF match.
        var size = b.Symbology == BarcodeFormat.DataMatrix ? DataMatrixSize.Find(modules.Height, modules.Width) : null;
        var height = b.Symbology == BarcodeFormat.DataMatrix ? modules.Height * b.ModuleMm : b.HeightMm;
        var primitive = new BarcodePrimitive(b.Symbology, payload, field, b.X, b.Y, b.ModuleMm, height, modules, size);
        var quiet = (b.Symbology == BarcodeFormat.Code128 ? BarcodeWriter.Code128QuietZone : 1) * b.ModuleMm;
        var maxWidth = b.MaxWidthMm ?? template.WidthMm - b.X - quiet;
        var maxHeight = b.MaxHeightMm ?? template.HeightMm - b.Y;
        if (primitive.WidthMm > maxWidth + 1e-6 || height > maxHeight + 1e-6)
        {
            throw new LabelDataException(
                labelNumber,
                field,
                string.Create(CultureInfo.InvariantCulture, $"Label {labelNumber}: the field '{field}' (\"{payload}\") makes a barcode {primitive.WidthMm:0.#} × {height:0.#} mm, ") +
                string.Create(CultureInfo.InvariantCulture, $"but the template leaves {maxWidth:0.#} × {maxHeight:0.#} mm for it; shorten the value or change the template."));
        }

        return primitive;
    }

    private void LayText(TextElement t, string text, List<Primitive> list)
    {
        // A line break in the data (an address) is kept when wrapping, and is a space otherwise.
        var paragraphs = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(Clean).ToArray();
        text = string.Join(' ', paragraphs);
        var size = t.FontSizePt;
        var lines = new List<string>(1);
        if (t.MaxWidthMm is not { } max)
        {
            lines.Add(text);
        }
        else
        {
            switch (t.Overflow)
            {
                case TextOverflow.Shrink:
                    var width = measurer.WidthMm(text, size, t.Bold);
                    if (width > max)
                    {
                        size = Math.Max(t.MinFontSizePt, Math.Floor(size * max / width * 4) / 4);
                        while (size > t.MinFontSizePt && measurer.WidthMm(text, size, t.Bold) > max)
                        {
                            size -= 0.25;
                        }
                    }

                    lines.Add(Truncate(text, max, size, t.Bold));
                    break;
                case TextOverflow.Wrap:
                    for (var p = 0; p < paragraphs.Length && lines.Count < t.MaxLines; p++)
                    {
                        var before = lines.Count;
                        var rest = string.Join(' ', paragraphs.Skip(p + 1));
                        Wrap(paragraphs[p], max, size, t.Bold, t.MaxLines, lines);
                        if (lines.Count == t.MaxLines && rest.Trim().Length > 0 && !lines[^1].EndsWith(Ellipsis, StringComparison.Ordinal))
                        {
                            // Lines ran out before the last paragraph.
                            lines[^1] = Truncate(lines[^1] + " " + rest, max, size, t.Bold);
                        }

                        if (lines.Count == before)
                        {
                            lines.Add("");
                        }
                    }

                    break;
                default:
                    lines.Add(Truncate(text, max, size, t.Bold));
                    break;
            }
        }

        var lineHeight = size * t.LineSpacing * 25.4 / 72;
        for (var i = 0; i < lines.Count; i++)
        {
            var w = measurer.WidthMm(lines[i], size, t.Bold);
            var boxWidth = t.MaxWidthMm ?? w;
            var boxLeft = t.Align switch
            {
                TextAlign.Center => t.X - boxWidth / 2,
                TextAlign.Right => t.X - boxWidth,
                _ => t.X,
            };
            var left = t.Align switch
            {
                TextAlign.Center => t.X - w / 2,
                TextAlign.Right => t.X - w,
                _ => t.X,
            };
            list.Add(new TextPrimitive(lines[i], left, t.Y + i * lineHeight, size, t.Bold, t.Align, boxLeft, boxWidth));
        }
    }

    private string Truncate(string text, double max, double size, bool bold)
    {
        if (measurer.WidthMm(text, size, bold) <= max)
        {
            return text;
        }

        // Longest prefix that still fits with the ellipsis.
        int lo = 0, hi = text.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (measurer.WidthMm(text[..mid].TrimEnd() + Ellipsis, size, bold) <= max)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo == 0 ? Ellipsis : text[..lo].TrimEnd() + Ellipsis;
    }

    private void Wrap(string text, double max, double size, bool bold, int maxLines, List<string> lines)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        var index = 0;
        while (index < words.Length)
        {
            var candidate = current.Length == 0 ? words[index] : current + " " + words[index];
            if (measurer.WidthMm(candidate, size, bold) <= max)
            {
                current = candidate;
                index++;
                continue;
            }

            if (current.Length == 0)
            {
                // A single word wider than the box: break it where it no longer fits.
                var word = words[index];
                var cut = word.Length - 1;
                while (cut > 1 && measurer.WidthMm(word[..cut], size, bold) > max)
                {
                    cut--;
                }

                current = word[..cut];
                words[index] = word[cut..];
            }

            lines.Add(current);
            current = "";
            if (lines.Count == maxLines)
            {
                break;
            }
        }

        if (lines.Count == maxLines && index < words.Length)
        {
            // More text than lines: the last line takes the rest and ends with "…".
            var rest = lines[^1] + " " + string.Join(' ', words.Skip(index));
            lines[^1] = Truncate(rest, max, size, bold);
            if (!lines[^1].EndsWith(Ellipsis, StringComparison.Ordinal))
            {
                lines[^1] = Truncate(lines[^1] + Ellipsis, max, size, bold);
            }
        }
        else if (current.Length > 0)
        {
            lines.Add(current);
        }

    }

    // Labels are laid out line by line: control characters (tabs, line breaks) become spaces.
    private static string Clean(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
    }
}
