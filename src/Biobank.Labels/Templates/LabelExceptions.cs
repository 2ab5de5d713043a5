namespace Biobank.Labels.Templates;

/// <summary>A template file that cannot be used; <see cref="Problems"/> names each bad element and property.</summary>
public sealed class LabelTemplateException : Exception
{
    public LabelTemplateException(string template, IReadOnlyList<string> problems)
        : base($"Label template '{template}' is not valid:\n  " + string.Join("\n  ", problems))
    {
        Template = template;
        Problems = problems;
    }

    public LabelTemplateException()
    {
        Template = "";
        Problems = [];
    }

    public LabelTemplateException(string message)
        : base(message)
    {
        Template = "";
        Problems = [message];
    }

    public LabelTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Template = "";
        Problems = [message];
    }

    public string Template { get; }

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>One label's data cannot be printed: a field is missing or a barcode refuses its value.</summary>
public sealed class LabelDataException : Exception
{
    public LabelDataException(int labelNumber, string field, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        LabelNumber = labelNumber;
        Field = field;
    }

    public LabelDataException()
    {
        Field = "";
    }

    public LabelDataException(string message)
        : base(message)
    {
        Field = "";
    }

    public LabelDataException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "";
    }

    /// <summary>1-based position of the label in the rows given to the renderer.</summary>
    public int LabelNumber { get; }

    public string Field { get; }
}
