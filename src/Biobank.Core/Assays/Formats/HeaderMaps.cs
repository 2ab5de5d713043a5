using System.Globalization;

namespace Biobank.Core.Assays.Formats;

/// <summary>Header checks several formats share.</summary>
internal static class HeaderMaps
{
    /// <summary>
    /// A header that must be exactly <paramref name="expected"/> (in any order): every missing, extra, duplicate or
    /// mis-cased column listed. Null after listing the problems.
    /// </summary>
    public static Dictionary<string, int>? Exact(string[] header, IReadOnlyList<string> expected, string formatName, IAssayRowSink sink)
    {
        var ok = true;
        if (header.Length == 1 && expected.Count > 1)
        {
            sink.Problem(1, "header", header[0],
                $"the header is one column: a {formatName} file is comma- or semicolon-separated with the columns {string.Join(",", expected)}");
            return null;
        }
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i];
            if (map.TryGetValue(name, out var first))
            {
                sink.Problem(1, name, name, $"the column {name} appears twice (columns {first + 1} and {i + 1})");
                ok = false;
                continue;
            }
            map[name] = i;
            if (!expected.Contains(name, StringComparer.Ordinal))
            {
                var near = expected.FirstOrDefault(e => string.Equals(e, name, StringComparison.OrdinalIgnoreCase));
                sink.Problem(1, (i + 1).ToString(CultureInfo.InvariantCulture), name, near is not null
                    ? $"the column must be written {near} exactly"
                    : $"not a column of the {formatName} format, whose header is exactly {string.Join(",", expected)}");
                ok = false;
            }
        }
        foreach (var name in expected)
        {
            if (!map.ContainsKey(name) && !header.Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
            {
                sink.Problem(1, name, "", $"the column {name} is missing (the {formatName} header is exactly {string.Join(",", expected)})");
                ok = false;
            }
        }
        return ok ? map : null;
    }

    /// <summary>A column name folded for matching vendor spellings: case, spaces, '_' and '.' ignored; Cyrillic 'т' read as 't' (QuantStudio's "Cт").</summary>
    public static string Fold(string name) =>
        new string(name.Replace('\u0442', 't').Replace('\u0422', 'T').Where(ch => ch is not (' ' or '_' or '.' or '-')).ToArray()).ToUpperInvariant();

    /// <summary>The index of the first header column whose folded name is one of <paramref name="names"/> (in the order given), or −1.</summary>
    public static int Find(string[] header, params string[] names)
    {
        foreach (var name in names)
        {
            var folded = Fold(name);
            for (var i = 0; i < header.Length; i++)
            {
                if (Fold(header[i]) == folded)
                {
                    return i;
                }
            }
        }
        return -1;
    }

    /// <summary>What each column became, for the summary: <paramref name="uses"/> by index, the rest not stored.</summary>
    public static IReadOnlyList<ColumnUse> Uses(string[] header, IReadOnlyDictionary<int, string> uses) =>
        header.Select((h, i) => new ColumnUse(h, uses.GetValueOrDefault(i))).ToList();

    /// <summary>At least half of <paramref name="items"/> pass <paramref name="test"/> (and there is one): how layouts without fixed names are recognised.</summary>
    public static bool Mostly<T>(IReadOnlyCollection<T> items, Func<T, bool> test) => items.Count > 0 && items.Count(test) * 2 >= items.Count;

    /// <summary>The header of a matrix layout (a key column, then one column per analyte or aliquot); a one-column header is refused saying what <paramref name="layout"/> needs.</summary>
    public static async ValueTask<string[]?> MatrixHeaderAsync(AssayTable table, IAssayRowSink sink, string layout, CancellationToken ct)
    {
        var header = await table.ReadHeaderAsync(ct);
        if (header is { Length: < 2 })
        {
            sink.Problem(1, "header", header[0], $"{layout}; this header has one column (is the file comma- or semicolon-separated?)");
            return null;
        }
        return header;
    }
}
