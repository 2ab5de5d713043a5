using System.Buffers.Binary;

namespace Biobank.Labels.Rendering.Raster;

/// <summary>
/// Just enough of a TrueType reader to draw preview text: character map (formats 4 and 12),
/// advance widths and glyph outlines (simple and composite), as flattened polygons.
/// </summary>
internal sealed class TrueTypeFont
{
    private const int FlattenSteps = 4;

    private readonly byte[] data;
    private readonly int glyf;
    private readonly int loca;
    private readonly int hmtx;
    private readonly int numberOfHMetrics;
    private readonly int numGlyphs;
    private readonly bool longLoca;
    private readonly Dictionary<int, int> cmap = [];
    private readonly Dictionary<int, List<List<(double X, double Y)>>> outlines = [];

    public TrueTypeFont(byte[] data)
    {
        this.data = data;
        var tables = new Dictionary<string, int>();
        var count = U16(4);
        for (var i = 0; i < count; i++)
        {
            var record = 12 + i * 16;
            tables[System.Text.Encoding.ASCII.GetString(data, record, 4)] = (int)U32(record + 8);
        }

        int Table(string tag) => tables.TryGetValue(tag, out var offset) ? offset : throw new InvalidDataException($"The font has no '{tag}' table (a TrueType font with outlines is needed).");
        var head = Table("head");
        UnitsPerEm = U16(head + 18);
        longLoca = I16(head + 50) == 1;
        numGlyphs = U16(Table("maxp") + 4);
        numberOfHMetrics = U16(Table("hhea") + 34);
        hmtx = Table("hmtx");
        loca = Table("loca");
        glyf = Table("glyf");
        ReadCmap(Table("cmap"));
    }

    public int UnitsPerEm { get; }

    public int GlyphIndex(int codePoint) => cmap.GetValueOrDefault(codePoint);

    public int Advance(int glyph) => U16(hmtx + 4 * Math.Min(glyph, numberOfHMetrics - 1));

    /// <summary>Closed contours in font units (y up), curves flattened into short lines.</summary>
    public List<List<(double X, double Y)>> Outline(int glyph)
    {
        lock (outlines)
        {
            if (!outlines.TryGetValue(glyph, out var contours))
            {
                contours = [];
                AddGlyph(glyph, contours, 1, 0, 0, 1, 0, 0, depth: 0);
                outlines[glyph] = contours;
            }

            return contours;
        }
    }

    private void AddGlyph(int glyph, List<List<(double, double)>> contours, double a, double b, double c, double d, double dx, double dy, int depth)
    {
        if (glyph >= numGlyphs || depth > 8)
        {
            return;
        }

        var start = longLoca ? (int)U32(loca + 4 * glyph) : U16(loca + 2 * glyph) * 2;
        var end = longLoca ? (int)U32(loca + 4 * glyph + 4) : U16(loca + 2 * glyph + 2) * 2;
        if (end <= start)
        {
            return; // an empty glyph, such as the space
        }

        var p = glyf + start;
        var contourCount = I16(p);
        if (contourCount >= 0)
        {
            AddSimple(p, contourCount, contours, a, b, c, d, dx, dy);
            return;
        }

        // Composite: other glyphs, each moved (and possibly scaled) into place.
        p += 10;
        int flags;
        do
        {
            flags = U16(p);
            var component = U16(p + 2);
            p += 4;
            double arg1, arg2;
            if ((flags & 0x0001) != 0)
            {
                arg1 = I16(p);
                arg2 = I16(p + 2);
                p += 4;
            }
            else
            {
                arg1 = (sbyte)data[p];
                arg2 = (sbyte)data[p + 1];
                p += 2;
            }

            double ca = 1, cb = 0, cc = 0, cd = 1;
            if ((flags & 0x0008) != 0)
            {
                ca = cd = F2Dot14(p);
                p += 2;
            }
            else if ((flags & 0x0040) != 0)
            {
                ca = F2Dot14(p);
                cd = F2Dot14(p + 2);
                p += 4;
            }
            else if ((flags & 0x0080) != 0)
            {
                ca = F2Dot14(p);
                cb = F2Dot14(p + 2);
                cc = F2Dot14(p + 4);
                cd = F2Dot14(p + 6);
                p += 8;
            }

            // Point-matching components (ARGS_ARE_XY_VALUES clear) are rare in text fonts: placed unmoved.
            var (ox, oy) = (flags & 0x0002) != 0 ? (arg1, arg2) : (0.0, 0.0);
            AddGlyph(
                component,
                contours,
                a * ca + c * cb,
                b * ca + d * cb,
                a * cc + c * cd,
                b * cc + d * cd,
                a * ox + c * oy + dx,
                b * ox + d * oy + dy,
                depth + 1);
        }
        while ((flags & 0x0020) != 0);
    }

    private void AddSimple(int p, int contourCount, List<List<(double, double)>> contours, double a, double b, double c, double d, double dx, double dy)
    {
        var endPoints = new int[contourCount];
        for (var i = 0; i < contourCount; i++)
        {
            endPoints[i] = U16(p + 10 + 2 * i);
        }

        var pointCount = contourCount == 0 ? 0 : endPoints[^1] + 1;
        var q = p + 10 + 2 * contourCount;
        q += 2 + U16(q); // skip the hinting instructions
        var flags = new byte[pointCount];
        for (var i = 0; i < pointCount;)
        {
            var f = data[q++];
            flags[i++] = f;
            if ((f & 0x08) != 0)
            {
                for (int r = data[q++]; r > 0 && i < pointCount; r--)
                {
                    flags[i++] = f;
                }
            }
        }

        var xs = new int[pointCount];
        var ys = new int[pointCount];
        var value = 0;
        for (var i = 0; i < pointCount; i++)
        {
            value += Delta(flags[i], 0x02, 0x10, ref q);
            xs[i] = value;
        }

        value = 0;
        for (var i = 0; i < pointCount; i++)
        {
            value += Delta(flags[i], 0x04, 0x20, ref q);
            ys[i] = value;
        }

        var first = 0;
        foreach (var last in endPoints)
        {
            var contour = Flatten(xs, ys, flags, first, last);
            if (contour.Count > 2)
            {
                contours.Add([.. contour.Select(pt => (a * pt.X + c * pt.Y + dx, b * pt.X + d * pt.Y + dy))]);
            }

            first = last + 1;
        }
    }

    private int Delta(byte flag, int shortBit, int sameBit, ref int q)
    {
        if ((flag & shortBit) != 0)
        {
            var v = data[q++];
            return (flag & sameBit) != 0 ? v : -v;
        }

        if ((flag & sameBit) != 0)
        {
            return 0;
        }

        var delta = I16(q);
        q += 2;
        return delta;
    }

    // Quadratic B-spline contour: two off-curve points in a row imply an on-curve point between them.
    private static List<(double X, double Y)> Flatten(int[] xs, int[] ys, byte[] flags, int first, int last)
    {
        var n = last - first + 1;
        var result = new List<(double, double)>(n * 2);
        if (n < 2)
        {
            return result;
        }

        bool On(int i) => (flags[first + (i % n + n) % n] & 1) != 0;
        (double X, double Y) P(int i) => (xs[first + (i % n + n) % n], ys[first + (i % n + n) % n]);

        var startIndex = 0;
        while (startIndex < n && !On(startIndex))
        {
            startIndex++;
        }

        (double X, double Y) current = startIndex < n ? P(startIndex) : Mid(P(0), P(1));
        if (startIndex == n)
        {
            startIndex = 0;
        }

        result.Add(current);
        (double X, double Y)? control = null;
        for (var k = 1; k <= n; k++)
        {
            var i = startIndex + k;
            var point = P(i);
            if (On(i))
            {
                if (control is { } ctl)
                {
                    AddCurve(result, current, ctl, point);
                    control = null;
                }
                else
                {
                    result.Add(point);
                }

                current = point;
            }
            else if (control is { } previous)
            {
                var mid = Mid(previous, point);
                AddCurve(result, current, previous, mid);
                current = mid;
                control = point;
            }
            else
            {
                control = point;
            }
        }

        if (control is { } last1)
        {
            AddCurve(result, current, last1, result[0]);
        }

        return result;
    }

    private static void AddCurve(List<(double X, double Y)> list, (double X, double Y) p0, (double X, double Y) p1, (double X, double Y) p2)
    {
        for (var s = 1; s <= FlattenSteps; s++)
        {
            var t = (double)s / FlattenSteps;
            var u = 1 - t;
            list.Add((u * u * p0.X + 2 * u * t * p1.X + t * t * p2.X, u * u * p0.Y + 2 * u * t * p1.Y + t * t * p2.Y));
        }
    }

    private static (double X, double Y) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) / 2, (a.Y + b.Y) / 2);

    private void ReadCmap(int cmapOffset)
    {
        var count = U16(cmapOffset + 2);
        int best = -1, bestRank = -1;
        for (var i = 0; i < count; i++)
        {
            var record = cmapOffset + 4 + i * 8;
            var platform = U16(record);
            var encoding = U16(record + 2);
            var offset = cmapOffset + (int)U32(record + 4);
            var format = U16(offset);
            var rank = (platform, encoding, format) switch
            {
                (3, 10, 12) => 4,
                (0, _, 12) => 3,
                (3, 1, 4) => 2,
                (0, _, 4) => 1,
                _ => -1,
            };
            if (rank > bestRank)
            {
                (best, bestRank) = (offset, rank);
            }
        }

        if (best < 0)
        {
            throw new InvalidDataException("The font has no Unicode character map.");
        }

        if (U16(best) == 12)
        {
            var groups = (int)U32(best + 12);
            for (var g = 0; g < groups; g++)
            {
                var r = best + 16 + g * 12;
                var startChar = (int)U32(r);
                var endChar = (int)Math.Min(U32(r + 4), 0x10FFFF);
                var startGlyph = (int)U32(r + 8);
                for (var ch = startChar; ch <= endChar && ch - startChar < 0x10000; ch++)
                {
                    cmap[ch] = startGlyph + ch - startChar;
                }
            }

            return;
        }

        var segCount = U16(best + 6) / 2;
        var ends = best + 14;
        var starts = ends + 2 * segCount + 2;
        var deltas = starts + 2 * segCount;
        var rangeOffsets = deltas + 2 * segCount;
        for (var s = 0; s < segCount; s++)
        {
            var startCode = U16(starts + 2 * s);
            var endCode = U16(ends + 2 * s);
            var delta = I16(deltas + 2 * s);
            var rangeOffset = U16(rangeOffsets + 2 * s);
            for (var ch = startCode; ch <= endCode && ch != 0xFFFF; ch++)
            {
                int glyph;
                if (rangeOffset == 0)
                {
                    glyph = (ch + delta) & 0xFFFF;
                }
                else
                {
                    var at = rangeOffsets + 2 * s + rangeOffset + 2 * (ch - startCode);
                    glyph = U16(at);
                    if (glyph != 0)
                    {
                        glyph = (glyph + delta) & 0xFFFF;
                    }
                }

                cmap[ch] = glyph;
            }
        }
    }

    private int U16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));

    private short I16(int offset) => BinaryPrimitives.ReadInt16BigEndian(data.AsSpan(offset));

    private uint U32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));

    private double F2Dot14(int offset) => I16(offset) / 16384.0;
}
