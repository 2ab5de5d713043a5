using System.Buffers;

namespace Biobank.Core.Common;

/// <summary>
/// What a one-line name or note typed by a person may not hold: control characters (a NUL cuts the value in C
/// tools and label printers, an escape sequence repaints a terminal) and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which make a name read differently from what is stored ("box‮txt.exe").
/// Letters with combining accents are ordinary text and stay allowed.
/// </summary>
public static class TextRules
{
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017" +
        "\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\uFEFF\uFFFD");

    /// <summary>Why <paramref name="text"/> cannot be stored as a one-line value, or null when it can.</summary>
    public static string? RefuseLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var at = text.AsSpan().IndexOfAny(Forbidden);
        return at < 0 ? null : Describe(text[at]);
    }

    /// <summary>As <see cref="RefuseLine"/>, for text of several lines: line breaks and tabs are allowed.</summary>
    public static string? RefuseText(string? text) =>
        RefuseLine(text?.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' '));

    /// <summary>A value exported to CSV that a spreadsheet would run as a formula.</summary>
    public static string? RefuseFormula(string? text) =>
        text is { Length: > 0 } && (text[0] is '=' or '@' || (text.Length > 1 && text[0] is '+' or '-' && !char.IsAsciiDigit(text[1]) && text[1] != '.'))
            ? $"starts with '{text[0]}': a spreadsheet would run it as a formula"
            : null;

    /// <summary>A code or tool name that holds an HTML tag is a paste from somewhere else, not a value of the field.</summary>
    public static string? RefuseMarkup(string? text)
    {
        var at = text?.IndexOf('<', StringComparison.Ordinal) ?? -1;
        return at >= 0 && at + 1 < text!.Length && (char.IsAsciiLetter(text[at + 1]) || text[at + 1] is '/' or '!')
            ? "looks like an HTML tag, not a value of this column"
            : null;
    }

    private static string Describe(char ch) => ch switch
    {
        >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' => $"contains the right-to-left control U+{(int)ch:X4}, which makes the text read differently from what is stored",
        '\uFEFF' => "contains a byte-order mark",
        '\uFFFD' => "contains a character that was lost in a broken encoding",
        _ => $"contains the control character U+{(int)ch:X4}",
    };
}
