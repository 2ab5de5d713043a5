using System.Globalization;

namespace Biobank.Core.Registry;

/// <summary>
/// The part every import file shares: the header checked against the documented columns, identifying columns
/// refused, each data row handed over with its number and its cells by column name. Problems are collected, never
/// thrown, so one pass over the file lists all of them.
/// </summary>
internal sealed class ImportTable
{
    private readonly Dictionary<string, int> _index;
    private readonly int _width;
    private readonly int _needed;
    private readonly List<int> _unnamed;

    private ImportTable(Dictionary<string, int> index, int width, List<int> unnamed)
    {
        _index = index;
        _width = width;
        _needed = index.Count == 0 ? 0 : index.Values.Max() + 1;
        _unnamed = unnamed;
    }

    /// <summary>
    /// Reads the whole file, calling <paramref name="onRow"/> for every non-blank data row. Returns the number of data
    /// rows, or -1 when the file is unreadable or has identifying columns (the problems say why; no row was looked at).
    /// </summary>
    public static int Read(Stream file, TableFileInfo info, IReadOnlyList<string> columns, bool ignoreExtraColumns,
        ImportProblems problems, Action<Row> onRow, CancellationToken ct)
    {
        using var rows = TableReader.Read(file, info).GetEnumerator();
        try
        {
            if (!rows.MoveNext())
            {
                problems.Add(0, "", "", "the file is empty: expected a header row with " + string.Join(",", columns));
                return -1;
            }
            var table = MatchHeader(rows.Current, columns, ignoreExtraColumns, problems);
            if (table is null)
            {
                return -1;
            }
            var count = 0;
            while (rows.MoveNext())
            {
                var row = rows.Current;
                if (row.IsBlank)
                {
                    continue;
                }
                if (++count % 4096 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
                if (row.Defect is { } defect)
                {
                    problems.Add(row.Number, "", string.Join(info.Separator, row.Cells), defect);
                    continue;
                }
                if (row.Cells.Count > table._width && row.Cells.Skip(table._width).Any(c => !string.IsNullOrWhiteSpace(c)))
                {
                    problems.Add(row.Number, "", row.Cells.Count.ToString(CultureInfo.InvariantCulture),
                        $"the row has {row.Cells.Count} values but the header has {table._width} columns (a separator inside an unquoted value?)");
                    continue;
                }
                if (row.Cells.Count < table._needed)
                {
                    // Values shifted left by a missing separator would land in the wrong columns: refuse rather than guess.
                    problems.Add(row.Number, "", row.Cells.Count.ToString(CultureInfo.InvariantCulture),
                        $"the row has {row.Cells.Count} values but the header has {table._width} columns (a missing separator?)");
                    continue;
                }
                foreach (var i in table._unnamed)
                {
                    if (i < row.Cells.Count && !string.IsNullOrWhiteSpace(row.Cells[i]))
                    {
                        problems.Add(row.Number, ColumnName(i), row.Cells[i], "a value in a column without a header");
                    }
                }
                onRow(new Row(row.Number, row.Cells, table));
            }
            if (count == 0)
            {
                problems.Add(0, "", "", "the file has a header but no data rows");
            }
            return count;
        }
        catch (TableFormatException e)
        {
            problems.Add(e.Row, "", "", e.Message);
            return -1;
        }
    }

    private static ImportTable? MatchHeader(TableRow header, IReadOnlyList<string> columns, bool ignoreExtraColumns, ImportProblems problems)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var unnamed = new List<int>();
        var identifying = false;
        for (var i = 0; i < header.Cells.Count; i++)
        {
            var raw = header.Cells[i];
            var name = raw.Trim().TrimStart('\uFEFF').Trim();
            if (name.Length == 0)
            {
                unnamed.Add(i);
                continue;
            }
            if (IdentifyingColumns.Check(name) is { } what)
            {
                problems.Add(header.Number, name, name, $"this column looks like {what}: {IdentifyingColumns.PseudonymsOnly}");
                identifying = true;
                continue;
            }
            var known = columns.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                if (!ignoreExtraColumns)
                {
                    problems.Add(header.Number, name, name,
                        $"unexpected column: the columns are {string.Join(",", columns)} (extra columns are refused unless the import is told to ignore them)");
                }
                continue;
            }
            if (!index.TryAdd(known, i))
            {
                problems.Add(header.Number, known, name, $"the column appears twice (columns {index[known] + 1} and {i + 1})");
            }
        }
        if (identifying)
        {
            // Nothing else is reported: the file must not be looked at further, and its values must not be echoed.
            return null;
        }
        foreach (var missing in columns.Where(c => !index.ContainsKey(c)))
        {
            problems.Add(header.Number, missing, "", "required column missing from the header");
        }
        // A wrong header still lets the rows be checked column by column: the user gets every problem in one go.
        return new ImportTable(index, header.Cells.Count, unnamed);
    }

    private static string ColumnName(int index)
    {
        // Spreadsheet letters, as the user sees an unnamed column: 0 -> A, 26 -> AA.
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }
        return $"{name} (no header)";
    }

    /// <summary>A data row: its number and its trimmed cells by documented column name ("" when empty).</summary>
    internal readonly struct Row(int number, IReadOnlyList<string> cells, ImportTable table)
    {
        public int Number => number;

        /// <summary>The trimmed cell of a column; false when the header lacks the column (already reported once).</summary>
        public bool TryGet(string column, out string value)
        {
            if (!table._index.TryGetValue(column, out var i))
            {
                value = "";
                return false;
            }
            value = i < cells.Count ? cells[i].Trim() : "";
            return true;
        }
    }
}
