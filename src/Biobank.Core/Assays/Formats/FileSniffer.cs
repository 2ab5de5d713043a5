using System.Text;
using Biobank.Core.Common;

namespace Biobank.Core.Assays.Formats;

/// <summary>Reads just enough of a file for <see cref="AssayFormatRegistry.Detect"/>: never more than the first 64 KB of text or 40 rows.</summary>
internal static class FileSniffer
{
    private const int TextBytes = 64 << 10;
    private const int MaxRows = 40;

    public static async Task<FileSniff> SniffAsync(string path, FileKind kind, string fileName, CancellationToken ct)
    {
        if (kind == FileKind.Text)
        {
            var lines = await FirstLinesAsync(path, ct);
            return new FileSniff(fileName, kind, lines, await SplitAsync(lines), new Dictionary<string, string>());
        }
        // An XLSX has passed the zip-bomb and formula checks before it gets here.
        using var source = AssayRowSource.Open(path, kind, null);
        var rows = new List<string[]>();
        while (rows.Count < MaxRows && await source.ReadAsync(ct))
        {
            rows.Add(source.Fields.ToArray());
        }
        return new FileSniff(fileName, kind, [], rows, source.Metadata);
    }

    private static async Task<List<string>> FirstLinesAsync(string path, CancellationToken ct)
    {
        var buffer = new byte[TextBytes];
        int read;
        await using (var f = File.OpenRead(path))
        {
            read = await f.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        }
        var text = new UTF8Encoding(false, false).GetString(buffer, 0, read).TrimStart('\uFEFF');
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (read == buffer.Length && lines.Count > 1)
        {
            lines.RemoveAt(lines.Count - 1);   // cut off mid-line
        }
        return lines.Take(400).ToList();
    }

    /// <summary>The first lines as the CSV reader splits them (delimiter detected from the first line).</summary>
    private static async Task<List<string[]>> SplitAsync(List<string> lines)
    {
        var rows = new List<string[]>();
        var records = new CsvRecords(new StringReader(string.Join('\n', lines.Take(MaxRows))));
        try
        {
            while (rows.Count < MaxRows && await records.ReadAsync() is { } record)
            {
                rows.Add(record.Fields);
            }
        }
        catch (CsvFormatException)
        {
            // A quoted field open past the sniffed lines: what was split is enough to tell the format.
        }
        return rows;
    }
}
