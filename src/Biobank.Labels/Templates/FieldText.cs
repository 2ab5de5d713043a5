using System.Text;
using System.Text.RegularExpressions;

namespace Biobank.Labels.Templates;

/// <summary>
/// A template string such as <c>"{pseudonym} · {timepoint}"</c>: literal text with <c>{field}</c>
/// placeholders. <c>{{</c> and <c>}}</c> stand for literal braces.
/// </summary>
public sealed partial class FieldText
{
    private readonly (string Text, bool IsField)[] parts;

    private FieldText(string source, (string, bool)[] parts)
    {
        Source = source;
        this.parts = parts;
        Fields = [.. parts.Where(p => p.Item2).Select(p => p.Item1).Distinct()];
    }

    public string Source { get; }

    /// <summary>The field names this string refers to, in order of first use.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Parses <paramref name="source"/>; returns null and a reason when a brace is unbalanced or a name is not allowed.</summary>
    public static FieldText? TryParse(string source, out string? error)
    {
        error = null;
        var list = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '{' && i + 1 < source.Length && source[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < source.Length && source[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = source.IndexOf('}', i + 1);
                if (end < 0)
                {
                    error = $"'{{' at position {i + 1} has no closing '}}' (write '{{{{' for a literal brace)";
                    return null;
                }

                var name = source[(i + 1)..end];
                if (!FieldName().IsMatch(name))
                {
                    error = $"'{{{name}}}' is not a field name: use letters, digits and underscores, starting with a letter";
                    return null;
                }

                if (literal.Length > 0)
                {
                    list.Add((literal.ToString(), false));
                    literal.Clear();
                }

                list.Add((name, true));
                i = end;
            }
            else if (c == '}')
            {
                error = $"'}}' at position {i + 1} has no opening '{{' (write '}}}}' for a literal brace)";
                return null;
            }
            else
            {
                literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            list.Add((literal.ToString(), false));
        }

        return new FieldText(source, [.. list]);
    }

    /// <summary>The text with every placeholder replaced from <paramref name="row"/>.</summary>
    /// <exception cref="LabelDataException">A field is missing from the row.</exception>
    public string Resolve(IReadOnlyDictionary<string, string> row, int labelNumber)
    {
        if (parts.Length == 1 && parts[0].IsField)
        {
            return Lookup(row, parts[0].Text, labelNumber);
        }

        var sb = new StringBuilder();
        foreach (var (text, isField) in parts)
        {
            sb.Append(isField ? Lookup(row, text, labelNumber) : text);
        }

        return sb.ToString();
    }

    public override string ToString() => Source;

    internal static string Lookup(IReadOnlyDictionary<string, string> row, string field, int labelNumber) =>
        row.TryGetValue(field, out var value) && value is not null
            ? value
            : throw new LabelDataException(labelNumber, field, $"Label {labelNumber}: the field '{field}' is missing from the data.");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    internal static partial Regex FieldName();
}
