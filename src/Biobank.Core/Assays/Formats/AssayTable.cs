using System.Globalization;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// The rows of a result file as a format reads them — CSV/TXT, the first sheet of an XLSX, or a Parquet file alike:
/// the 1-based row number and the fields of the current row (valid until the next read).
/// </summary>
public sealed class AssayTable
{
    private readonly AssayRowSource _source;
    private readonly ImportProblems _problems;
    private readonly IAssayFormat _format;

    internal AssayTable(AssayRowSource source, ImportProblems problems, IAssayFormat format)
    {
        _source = source;
        _problems = problems;
        _format = format;
    }

    public int Line => _source.Line;

    public string[] Fields => _source.Fields;

    /// <summary>',' ';' or '\t' for text; 'x' for a spreadsheet, 'p' for Parquet (numbers arrive with a decimal point).</summary>
    public char Delimiter => _source.Delimiter;

    public FileKind Kind => _source.Delimiter switch { 'x' => FileKind.Xlsx, 'p' => FileKind.Parquet, _ => FileKind.Text };

    /// <summary>The file's key/value metadata (Parquet), else empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _source.Metadata;

    internal long BytesRead => _source.BytesRead;

    public ValueTask<bool> ReadAsync(CancellationToken ct) => _source.ReadAsync(ct);

    /// <summary>
    /// Reads the first row as the header: refuses an empty file, a blank first row, a delimiter the format does not
    /// use, and header cells with dangerous text. Null after listing the problem.
    /// </summary>
    public async ValueTask<string[]?> ReadHeaderAsync(CancellationToken ct)
    {
        if (!await ReadAsync(ct))
        {
            _problems.Add(0, "file", "", "the file holds no rows");
            return null;
        }
        return CheckHeader(Fields.ToArray());
    }

    /// <summary>The checks of <see cref="ReadHeaderAsync"/> for a header row a format found further down (after a header block).</summary>
    public string[]? CheckHeader(string[] header)
    {
        if (header.Length > 0 && header[0].StartsWith('\uFEFF'))
        {
            header[0] = header[0][1..];
        }
        if (header.All(string.IsNullOrWhiteSpace))
        {
            _problems.Add(Line, "header", "", "the first row is empty: it must be the header");
            return null;
        }
        var delimiter = Delimiter;
        if (Kind == FileKind.Text && !_format.Delimiters.Contains(delimiter, StringComparison.Ordinal))
        {
            _problems.Add(Line, "header", AssayText.Show(string.Join(delimiter, header)),
                $"the file is {(delimiter == '\t' ? "tab" : $"'{delimiter}'")}-separated; a {_format.Name} file is {DelimiterNames(_format.Delimiters)}-separated");
            return null;
        }
        var ok = true;
        for (var i = 0; i < header.Length; i++)
        {
            if (AssayText.Refuse(header[i]) is { } why)
            {
                _problems.Add(Line, (i + 1).ToString(CultureInfo.InvariantCulture), AssayText.Show(header[i]), why);
                ok = false;
            }
        }
        return ok ? header : null;
    }

    private static string DelimiterNames(string delimiters) => string.Join(" or ", delimiters.Select(d => d switch
    {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        _ => $"'{d}'",
    })).Replace("comma or semicolon", "comma- or semicolon", StringComparison.Ordinal);
}
