using Biobank.Labels.Templates;

namespace Biobank.Labels.Rendering;

/// <summary>Prints rows of data with a template. Rows are read one at a time, so they may come straight from a query.</summary>
public interface ILabelRenderer
{
    /// <summary>MIME type of what <see cref="Render"/> writes.</summary>
    string ContentType { get; }

    /// <summary>Writes one label per row to <paramref name="output"/>; returns the number of labels.</summary>
    /// <exception cref="LabelDataException">A row lacks a template field, or a barcode refuses its value; names the label (1-based) and the field.</exception>
    int Render(LabelTemplate template, IEnumerable<IReadOnlyDictionary<string, string>> rows, Stream output);
}
