using System.Globalization;
using System.Text;

namespace Biobank.Core.Assays;

/// <summary>How the importers read numbers and refuse dangerous text, the same way for every format.</summary>
internal static class AssayText
{
    /// <summary>Values larger than this are a unit or export error, not a measurement (counts, pg/mL and NPX stay far below).</summary>
    public const double MaxMagnitude = 1e12;

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
        var lower = text.TrimStart('+', '-').ToLowerInvariant();
        if (lower is "nan" or "inf" or "infinity" or "∞" or "1.#inf" or "1.#qnan" or "#num!" or "#div/0!")
        {
            reason = "NaN and infinity are not measured values (leave the cell empty or write NA)";
            return false;
        }
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            reason = "not a number";
            return false;
        }
        if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) > MaxMagnitude)
        {
            reason = $"out of range: a value beyond ±{MaxMagnitude:0e0} is an export or unit error";
            return false;
        }
        return true;
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
        foreach (var ch in field)
        {
            if (ch < ' ' && ch != '\t' && ch != '\n')
            {
                return $"contains the control character U+{(int)ch:X4}";
            }
            if (ch == '\u007F')
            {
                return "contains the control character U+007F";
            }
            if (ch == '\uFFFD')
            {
                return "is not valid UTF-8 text: save the file as UTF-8";
            }
            if (ch == '\uFEFF')
            {
                return "contains a byte-order mark inside the file (were two files joined?)";
            }
        }
        return null;
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
