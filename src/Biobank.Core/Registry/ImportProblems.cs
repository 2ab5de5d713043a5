using System.Globalization;

namespace Biobank.Core.Registry;

/// <summary>
/// One thing wrong with an import file: the row as the user sees it (the header is row 1; 0 means the
/// file or the command as a whole), the column, the value found and why it is refused.
/// </summary>
public sealed record ImportProblem(int Row, string Column, string Value, string Reason)
{
    /// <summary><c>row 7, column site: 'XYZ' — no site has this code</c>; problems of the whole file without the row.</summary>
    public override string ToString()
    {
        if (Row > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"row {Row}, column {(Column.Length > 0 ? Column : "-")}: '{Value}' — {Reason}");
        }
        var where = Column.Length > 0 ? Column : "file";
        return Value.Length > 0 ? $"{where}: '{Value}' — {Reason}" : $"{where}: {Reason}";
    }
}

/// <summary>
/// Every problem of a file, not only the first, up to a cap (a file with a wrong separator would otherwise list
/// 100,000 identical lines); beyond the cap they are counted.
/// </summary>
public sealed class ImportProblems(int cap = ImportProblems.DefaultCap)
{
    public const int DefaultCap = 1000;

    private const int MaxValueLength = 80;

    private readonly List<ImportProblem> _listed = [];

    public IReadOnlyList<ImportProblem> Listed => _listed;

    public int Total { get; private set; }

    public int NotListed => Total - _listed.Count;

    public bool Any => Total > 0;

    public void Add(int row, string column, string? value, string reason)
    {
        Total++;
        if (_listed.Count < cap)
        {
            _listed.Add(new ImportProblem(row, column, Shorten(value ?? ""), reason));
        }
    }

    /// <summary>A few lines for a log or the batch record: the first problems and how many more.</summary>
    public string Summary(int lines = 5)
    {
        var text = string.Join("; ", _listed.Take(lines));
        return Total > lines ? $"{text}; … {Total - lines} more" : text;
    }

    private static string Shorten(string value)
    {
        var oneLine = value.ReplaceLineEndings(" ");
        return oneLine.Length <= MaxValueLength ? oneLine : oneLine[..(MaxValueLength - 1)] + "…";
    }
}
