using System.Text;

namespace Biobank.Core.Common;

/// <summary>
/// Writes CSV for people who open it in a spreadsheet: RFC 4180 quoting (fields with a comma, quote, CR or LF are
/// quoted, quotes doubled, records end in CRLF), and formula injection neutralised: a field that starts with
/// = + - @, a tab or a carriage return gets a leading apostrophe, so Excel or LibreOffice shows it as text instead
/// of running it (OWASP "CSV injection"). Exports that need signed numbers must format them elsewhere.
/// </summary>
public static class CsvOutput
{
    public const string NewLine = "\r\n";

    public static bool NeedsNeutralising(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>One field as it goes into the file: neutralised, then quoted if RFC 4180 asks for it.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var text = NeedsNeutralising(value) ? "'" + value : value;
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8).Append('"');
        foreach (var ch in text)
        {
            sb.Append(ch == '"' ? "\"\"" : ch.ToString());
        }
        return sb.Append('"').ToString();
    }

    public static string Row(IEnumerable<string?> fields) => string.Join(',', fields.Select(Field)) + NewLine;

    public static Task WriteRowAsync(TextWriter writer, IEnumerable<string?> fields, CancellationToken ct) =>
        writer.WriteAsync(Row(fields).AsMemory(), ct);
}
