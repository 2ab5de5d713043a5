using System.Globalization;

namespace Biobank.Core.Registry;

/// <summary>How the import files write numbers and dates.</summary>
internal static class CellParsing
{
    /// <summary>
    /// A plain decimal number: "12.5", "-3", and "12,5" in a semicolon-separated file (European Excel writes the
    /// decimal comma there). No thousands separators, no exponent, no NaN.
    /// </summary>
    public static bool TryDecimal(string text, char separator, out decimal value)
    {
        if (separator == ';' && text.Contains(',', StringComparison.Ordinal) && !text.Contains('.', StringComparison.Ordinal))
        {
            text = text.Replace(',', '.');
        }
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A whole number; "30.0" (a spreadsheet's number) counts as 30.</summary>
    public static bool TryWhole(string text, char separator, out int value)
    {
        value = 0;
        if (!TryDecimal(text, separator, out var d) || d != decimal.Truncate(d) || d is < int.MinValue or > int.MaxValue)
        {
            return false;
        }
        value = (int)d;
        return true;
    }

    /// <summary>An ISO 8601 calendar date, YYYY-MM-DD, that exists (no 2025-02-30).</summary>
    public static bool TryIsoDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Why a date is refused, with a hint for the usual mistakes.</summary>
    public static string DateReason(string text) => text switch
    {
        _ when text.Length >= 10 && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) =>
            "a date without a time is expected: YYYY-MM-DD",
        _ when text.Length == 10 && text[4] == '-' && text[7] == '-' => "not a real calendar date",
        _ when text.Contains('/', StringComparison.Ordinal) || text.Count(c => c == '.') == 2 =>
            "dates are ISO 8601, YYYY-MM-DD (day/month order is ambiguous between sites)",
        _ => "not a date: write it as YYYY-MM-DD",
    };
}
