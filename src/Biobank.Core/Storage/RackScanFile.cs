using System.Text;
using System.Text.RegularExpressions;
using Biobank.Core.Common;

namespace Biobank.Core.Storage;

/// <summary>One position of a rack scan as the file gives it: the file's line, the position text, the tube code or marker, and the rack's code when the line carries one.</summary>
public sealed record RackScanLine(int Row, string Position, string Barcode, string? Rack);

/// <summary>A rack scan file read: its positions, the rack code its header block names (with that line), and what could not be read.</summary>
public sealed record RackScan(IReadOnlyList<RackScanLine> Lines, string? HeaderRack, int HeaderRackRow, IReadOnlyList<RowProblem> Problems);

/// <summary>
/// Reads the exports of 2D rack readers as they write them (docs/vendor-formats.md, "Rack scanners"): position and tube
/// code, with or without a header row naming the columns (extra columns such as date or status are ignored), with or
/// without a header block above it (<c>Rack Base Name: 02498606</c>, <c>Rack ID,FX123</c>), a leading rack column
/// (<c>FX20260311,A1,code</c>), row and column in two columns (<c>A,1,code</c>), <c>A01</c> or <c>A1</c>, comma,
/// semicolon or tab, a BOM, in any order (column-major is common). The markers for an empty position and a tube the
/// reader could not read are left to <see cref="RackImport"/>.
/// </summary>
public static partial class RackScanFile
{
    public const int MaxRows = 2000;

    private const int MaxBytes = 1 << 20;

    private static readonly HashSet<string> PositionNames = new(StringComparer.Ordinal) { "POSITION", "POS", "WELL", "TUBEPOSITION", "LOCATION", "RACKPOSITION", "WELLPOSITION", "COORDINATE" };
    private static readonly HashSet<string> RowNames = new(StringComparer.Ordinal) { "ROW", "ROWS" };
    private static readonly HashSet<string> ColumnNames = new(StringComparer.Ordinal) { "COLUMN", "COL", "COLUMNS" };
    private static readonly HashSet<string> BarcodeNames = new(StringComparer.Ordinal) { "BARCODE", "TUBEBARCODE", "TUBECODE", "TUBEID", "TUBE", "CODE", "SAMPLEBARCODE", "SAMPLEID", "TUBERACKBARCODE" };
    private static readonly HashSet<string> RackNames = new(StringComparer.Ordinal) { "RACK", "RACKID", "RACKBARCODE", "RACKBASENAME", "RACKCODE", "RACKNAME" };

    public static async Task<RackScan> ReadAsync(Stream file, CancellationToken ct)
    {
        var problems = new List<RowProblem>();
        var text = await ReadCappedAsync(file, ct);
        if (text is null)
        {
            return new RackScan([], null, 0, [new RowProblem(0, "file", "", $"larger than {MaxBytes / 1024} KB: this is not a rack scan")]);
        }
        var lines = new List<RackScanLine>();
        string? headerRack = null;
        var firstSkipped = (Row: 0, Text: "");
        var headerRackRow = 0;
        Columns? columns = null;
        var records = new CsvRecords(new StringReader(text), DetectDelimiter(text));
        try
        {
            await foreach (var record in records.ReadAllAsync(ct))
            {
                var (row, fields) = (record.Line, record.Fields.Select(f => f.Trim()).ToArray());
                if (row > MaxRows)
                {
                    problems.Add(new RowProblem(row, "file", "", $"more than {MaxRows} rows: this is not a rack scan"));
                    break;
                }
                if (fields.All(f => f.Length == 0))
                {
                    continue;
                }
                var before = lines.Count == 0 && problems.Count == 0;
                if (before && columns is null && Columns.FromHeader(fields) is { } named)
                {
                    columns = named;
                    continue;
                }
                if (columns is { } map)
                {
                    if (map.Read(row, fields) is { } line)
                    {
                        lines.Add(line);
                    }
                    else
                    {
                        problems.Add(new RowProblem(row, "line", string.Join(",", fields), $"expected {map.Describe()}"));
                    }
                    continue;
                }
                if (Unnamed(row, fields) is { } data)
                {
                    lines.Add(data);
                    continue;
                }
                // Above the first position: a header block line (date, operator, the rack's code), unless it holds a tube code.
                if (before && !fields.Any(LooksLikeTubeCode) && !PositionLike(fields[0]))
                {
                    if (HeaderRackValue(fields) is { } rack)
                    {
                        (headerRack, headerRackRow) = (rack, row);
                    }
                    else if (firstSkipped.Row == 0)
                    {
                        firstSkipped = (row, string.Join(",", fields));
                    }
                    continue;
                }
                problems.Add(new RowProblem(row, "line", string.Join(",", fields), fields.Length < 2
                    ? "expected two columns: position and barcode"
                    : "expected position and barcode (a rack column may come first; a header row may name other columns)"));
            }
        }
        catch (CsvFormatException e)
        {
            problems.Add(new RowProblem(e.Line, "file", "", e.Reason));
        }
        if (lines.Count == 0 && problems.Count == 0)
        {
            // Nothing read as a position: name the first line taken for a header block, which is likely the culprit.
            problems.Add(firstSkipped.Row > 0
                ? new RowProblem(firstSkipped.Row, "line", firstSkipped.Text.Length > 80 ? firstSkipped.Text[..80] + "…" : firstSkipped.Text, "the file holds no positions: expected position and barcode on each line")
                : new RowProblem(0, "file", "", "the file holds no positions"));
        }
        return new RackScan(lines, headerRack, headerRackRow, problems);
    }

    /// <summary>A line without a header row: <c>position,code</c>, <c>rack,position,code</c> or <c>row,column,code</c>; trailing empty fields allowed.</summary>
    private static RackScanLine? Unnamed(int row, string[] f)
    {
        bool RestEmpty(int from) => f.Skip(from).All(x => x.Length == 0);
        if (f.Length >= 3 && IsPosition(f[1]) && !IsPosition(f[0]) && RestEmpty(3))
        {
            return new RackScanLine(row, f[1], f[2], f[0]);
        }
        if (f.Length >= 3 && RowLetter().IsMatch(f[0]) && ColumnNumber().IsMatch(f[1]) && RestEmpty(3))
        {
            return new RackScanLine(row, f[0] + f[1], f[2], null);
        }
        // Position-like is enough here: a position the box has not (Z99, A1 with an accent) is named by RackImport.
        return f.Length >= 2 && PositionLike(f[0]) && RestEmpty(2) ? new RackScanLine(row, f[0], f[1], null) : null;
    }

    private static string? HeaderRackValue(string[] fields)
    {
        var first = fields[0];
        // "Rack Base Name: 02498606", "Rack ID = FX123" in one field, or "Rack ID,FX123" in two.
        var split = first.IndexOfAny([':', '=']);
        var (key, value) = split > 0 ? (first[..split], first[(split + 1)..].Trim()) : (first, fields.Length > 1 ? fields[1] : "");
        return RackNames.Contains(Normalize(key)) && value.Length > 0 ? value : null;
    }

    private static bool IsPosition(string text) => Position().IsMatch(text);

    private static bool PositionLike(string text) => PositionStart().IsMatch(text);

    // A tube code is long and mixes digits in; words of a header block ("Date", "Operator") are not.
    private static bool LooksLikeTubeCode(string text) => text.Length >= 6 && text.Any(char.IsAsciiDigit) && !text.Contains(' ', StringComparison.Ordinal) && !IsPosition(text);

    private static string Normalize(string name) => new([.. name.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);

    private static char DetectDelimiter(string text)
    {
        // Counted over the lines, not the first only: a header block line may hold no delimiter at all.
        var sample = text.Split('\n', 60).Take(50).ToList();
        var best = ',';
        var bestLines = 0;
        foreach (var d in new[] { ',', ';', '\t' })
        {
            var n = sample.Count(l => l.Contains(d, StringComparison.Ordinal));
            if (n > bestLines)
            {
                (best, bestLines) = (d, n);
            }
        }
        return best;
    }

    private static async Task<string?> ReadCappedAsync(Stream file, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await file.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        using var reader = new StreamReader(buffer, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(ct);
    }

    [GeneratedRegex("^[A-Za-z]{1,2}0*[0-9]{1,3}$")]
    private static partial Regex Position();

    [GeneratedRegex("^[A-Za-z]{1,2}[^A-Za-z0-9]{0,2}[0-9]")]
    private static partial Regex PositionStart();

    [GeneratedRegex("^[A-Za-z]{1,2}$")]
    private static partial Regex RowLetter();

    [GeneratedRegex("^[0-9]{1,3}$")]
    private static partial Regex ColumnNumber();

    /// <summary>The columns a header row names: a position (or row and column), a tube code, maybe the rack.</summary>
    private sealed record Columns(int Position, int Row, int Column, int Barcode, int Rack, string[] Names)
    {
        public static Columns? FromHeader(string[] fields)
        {
            var names = fields.Select(Normalize).ToArray();
            int Find(HashSet<string> wanted) => Array.FindIndex(names, wanted.Contains);
            var (position, row, column, barcode, rack) = (Find(PositionNames), Find(RowNames), Find(ColumnNames), Find(BarcodeNames), Find(RackNames));
            return barcode >= 0 && (position >= 0 || (row >= 0 && column >= 0)) ? new Columns(position, row, column, barcode, rack, fields) : null;
        }

        public RackScanLine? Read(int line, string[] fields)
        {
            string? At(int i) => i >= 0 && i < fields.Length ? fields[i] : null;
            var position = Position >= 0 ? At(Position) : At(Row) + At(Column);
            var barcode = At(Barcode);
            return position is { Length: > 0 } && barcode is not null ? new RackScanLine(line, position, barcode, At(Rack) is { Length: > 0 } r ? r : null) : null;
        }

        public string Describe() => Position >= 0
            ? $"the columns {Names[Position]} and {Names[Barcode]}"
            : $"the columns {Names[Row]}, {Names[Column]} and {Names[Barcode]}";
    }
}
