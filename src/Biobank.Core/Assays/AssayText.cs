using System.Buffers;
using System.Globalization;
using System.Text;

namespace Biobank.Core.Assays;

/// <summary>How the importers read numbers and refuse dangerous text, the same way for every format.</summary>
internal static class AssayText
{
    /// <summary>Values larger than this are a unit or export error, not a measurement (counts, pg/mL and NPX stay far below).</summary>
    public const double MaxMagnitude = 1e12;

    // Control characters other than tab and a quoted line break, DEL, the replacement character left by broken
    // UTF-8, and a byte-order mark: searched for with one vectorised scan per field.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017" +
        "\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F\uFFFD\uFEFF");

    public static bool IsMissing(string s) =>
        s.Length == 0 || s is "NA" or "N/A" or "na" or "n/a" or "NULL" or "null" or "-" or "#N/A";

    /// <summary>Parses a number; a decimal comma only in semicolon files (as instrument software writes them in Europe).</summary>
    public static bool TryNumber(string s, bool decimalComma, out double value, out string? reason)
    {
        value = 0;
        reason = null;
        var text = s;
        if (text.Contains(',', StringComparison.Ordinal))
        {
            if (!decimalComma)
            {
                reason = "a decimal comma in a comma-separated file: use a point, or export the file semicolon-separated";
                return false;
            }
            if (text.Contains('.', StringComparison.Ordinal) || text.IndexOf(',', StringComparison.Ordinal) != text.LastIndexOf(','))
            {
                reason = "not a number (thousands separators are not accepted)";
                return false;
            }
            text = text.Replace(',', '.');
        }
        var parsed = double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
        if (parsed && double.IsFinite(value) && Math.Abs(value) <= MaxMagnitude)
        {
            return true;
        }
        // Only a refused value pays for working out why.
        var lower = text.TrimStart('+', '-').ToLowerInvariant();
        if (lower is "nan" or "inf" or "infinity" or "∞" or "1.#inf" or "1.#qnan" or "#num!" or "#div/0!" || (parsed && double.IsNaN(value)))
        {
            reason = "NaN and infinity are not measured values (leave the cell empty or write NA)";
            return false;
        }
        if (!parsed)
        {
            reason = "not a number";
            return false;
        }
        reason = $"out of range: a value beyond ±{MaxMagnitude:0e0} is an export or unit error";
        return false;
    }

    /// <summary>Why a field cannot be accepted whatever its column: a formula, a control character, broken encoding.</summary>
    public static string? Refuse(string field)
    {
        if (field.Length == 0)
        {
            return null;
        }
        if (field[0] == '=' || field[0] == '@')
        {
            return "starts with '" + field[0] + "': spreadsheet formulas are not accepted (they could run when the data is opened); export values only";
        }
        if (field.Length > 1 && (field[0] == '+' || field[0] == '-') && !(char.IsAsciiDigit(field[1]) || field[1] is '.' or 'i' or 'I' or 'n' or 'N' or '∞'))
        {
            return "starts with '" + field[0] + "' followed by text: a spreadsheet would run it as a formula";
        }
        var at = field.AsSpan().IndexOfAny(Forbidden);
        if (at < 0)
        {
            return null;
        }
        return field[at] switch
        {
            '\uFFFD' => "is not valid UTF-8 text: save the file as UTF-8",
            '\uFEFF' => "contains a byte-order mark inside the file (were two files joined?)",
            var ch => $"contains the control character U+{(int)ch:X4}",
        };
    }

    /// <summary>A value as shown in a problem line: short, and control characters made visible.</summary>
    public static string Show(string value)
    {
        var sb = new StringBuilder(Math.Min(value.Length, 64));
        foreach (var ch in value)
        {
            if (sb.Length >= 60)
            {
                sb.Append('…');
                break;
            }
            sb.Append(ch switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\u007F' or '\uFEFF' => $"\\u{(int)ch:X4}",
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }
}
