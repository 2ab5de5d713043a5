namespace Biobank.Labels.Documents;

/// <summary>The order the manifest lists tubes in, and its totals: kept apart from drawing so both can be tested alone.</summary>
internal static class ManifestContents
{
    /// <summary>
    /// A box's tubes row-major by position (A1, A2 … A10, B1), the way a receiver walks the box;
    /// loose tubes, which have no position, by barcode.
    /// </summary>
    public static List<ManifestTube> InTableOrder(ManifestBox box)
    {
        return box.Barcode is null
            ? [.. box.Tubes.OrderBy(t => t.Barcode, StringComparer.Ordinal)]
            : [.. box.Tubes.OrderBy(t => t.Position, PositionComparer.Instance).ThenBy(t => t.Barcode, StringComparer.Ordinal)];
    }

    /// <summary>Count and volume per sample type, by name; the caller adds the grand total.</summary>
    public static List<(string SampleType, int Tubes, decimal VolumeUl)> TotalsBySampleType(IEnumerable<ManifestBox> boxes) =>
    [
        .. boxes.SelectMany(b => b.Tubes)
            .GroupBy(t => t.SampleType, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(), g.Sum(t => t.VolumeUl)))
            .OrderBy(t => t.Key, StringComparer.OrdinalIgnoreCase)
            .ThenBy(t => t.Key, StringComparer.Ordinal),
    ];

    /// <summary>
    /// Row letters then column number (so A10 follows A9, not A1); positions that are not of that
    /// form follow in text order, and tubes without a position come last.
    /// </summary>
    internal sealed class PositionComparer : IComparer<string?>
    {
        public static readonly PositionComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return (x is null).CompareTo(y is null);
            }

            var px = TryParse(x, out var rowX, out var colX);
            var py = TryParse(y, out var rowY, out var colY);
            if (px != py)
            {
                return px ? -1 : 1;
            }

            if (!px)
            {
                return string.CompareOrdinal(x, y);
            }

            var byRow = rowX.CompareTo(rowY);
            return byRow != 0 ? byRow : colX.CompareTo(colY);
        }

        /// <summary>"A1", "a01", "AA12": row 1, 1, 27 and column 1, 1, 12.</summary>
        internal static bool TryParse(string position, out int row, out int col)
        {
            row = col = 0;
            var text = position.AsSpan().Trim();
            var i = 0;
            while (i < text.Length && char.IsAsciiLetter(text[i]) && row < 100_000)
            {
                row = row * 26 + (char.ToUpperInvariant(text[i]) - 'A' + 1);
                i++;
            }

            return i > 0 && i < text.Length
                && int.TryParse(text[i..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out col);
        }
    }
}
