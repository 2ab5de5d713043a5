using System.Text;

namespace Biobank.Core.Common;

/// <summary>One parsed CSV record: its 1-based line number in the file (where it starts) and its fields.</summary>
public readonly record struct CsvRecord(int Line, string[] Fields);

/// <summary>
/// A small streaming RFC 4180 reader: quoted fields with doubled quotes and embedded newlines, a BOM, and a
/// delimiter (comma, semicolon or tab) detected from the first line as instrument software writes them.
/// Reads one record at a time, so a file of any size never sits in memory.
/// </summary>
public sealed class CsvRecords(TextReader reader, char? delimiter = null, int maxFieldLength = 1 << 20)
{
    private readonly StringBuilder _field = new();
    private char _delimiter = delimiter ?? '\0';
    private int _line = 1;

    public char Delimiter => _delimiter;

    public static char Detect(string firstLine)
    {
        int comma = 0, semicolon = 0, tab = 0;
        var quoted = false;
        foreach (var ch in firstLine)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                switch (ch)
                {
                    case ',': comma++; break;
                    case ';': semicolon++; break;
                    case '\t': tab++; break;
                }
            }
        }
        return semicolon > comma && semicolon >= tab ? ';' : tab > comma && tab > semicolon ? '\t' : ',';
    }

    public async IAsyncEnumerable<CsvRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var record = await ReadAsync();
            if (record is null)
            {
                yield break;
            }
            yield return record.Value;
        }
    }

    public async Task<CsvRecord?> ReadAsync()
    {
        var first = await NextLineAsync();
        if (first is null)
        {
            return null;
        }
        if (_delimiter == '\0')
        {
            if (first.Length > 0 && first[0] == '\uFEFF')
            {
                first = first[1..];
            }
            _delimiter = Detect(first);
        }
        var startLine = _line - 1;
        if (!first.Contains('"', StringComparison.Ordinal))
        {
            // Fast path for the common line without quotes: split at the delimiter, no character-by-character copy.
            return new CsvRecord(startLine, SplitPlain(first, startLine));
        }
        var fields = new List<string>();
        var line = first;
        var pos = 0;
        _field.Clear();
        var inQuotes = false;
        var wasQuoted = false;
        while (true)
        {
            if (pos >= line.Length)
            {
                if (inQuotes)
                {
                    var more = await NextLineAsync() ?? throw new CsvFormatException(startLine, "a quoted field is not closed before the end of the file");
                    _field.Append('\n');
                    line = more;
                    pos = 0;
                    continue;
                }
                fields.Add(Finish(wasQuoted));
                return new CsvRecord(startLine, fields.ToArray());
            }
            var ch = line[pos++];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (pos < line.Length && line[pos] == '"')
                    {
                        _field.Append('"');
                        pos++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    Append(ch, startLine);
                }
            }
            else if (ch == _delimiter)
            {
                fields.Add(Finish(wasQuoted));
                wasQuoted = false;
            }
            else if (ch == '"' && _field.Length == 0 && !wasQuoted)
            {
                inQuotes = true;
                wasQuoted = true;
            }
            else
            {
                Append(ch, startLine);
            }
        }
    }

    private string[] SplitPlain(string line, int lineNumber)
    {
        var count = 1;
        foreach (var ch in line.AsSpan())
        {
            if (ch == _delimiter)
            {
                count++;
            }
        }
        var fields = new string[count];
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            var end = line.IndexOf(_delimiter, start);
            if (end < 0)
            {
                end = line.Length;
            }
            if (end - start > maxFieldLength)
            {
                throw new CsvFormatException(lineNumber, $"a field is longer than {maxFieldLength:N0} characters");
            }
            var span = line.AsSpan(start, end - start).Trim();
            fields[i] = span.Length == line.Length ? line : span.ToString();
            start = end + 1;
        }
        return fields;
    }

    private void Append(char ch, int line)
    {
        if (_field.Length >= maxFieldLength)
        {
            throw new CsvFormatException(line, $"a field is longer than {maxFieldLength:N0} characters");
        }
        _field.Append(ch);
    }

    private string Finish(bool quoted)
    {
        var s = _field.ToString();
        _field.Clear();
        return quoted ? s : s.Trim();
    }

    private async ValueTask<string?> NextLineAsync()
    {
        // The ValueTask overload: no allocation when the line is already buffered, which it nearly always is.
        var line = await reader.ReadLineAsync(CancellationToken.None);
        if (line is not null)
        {
            _line++;
        }
        return line;
    }
}

public sealed class CsvFormatException(int line, string reason) : Exception($"line {line}: {reason}")
{
    public int Line => line;

    public string Reason => reason;
}
