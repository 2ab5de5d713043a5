namespace Biobank.Core.Registry;

/// <summary>
/// What an import did, or why it did nothing. A refused file has <see cref="Imported"/> false, every problem in
/// <see cref="Problems"/> (up to <see cref="ImportProblems.DefaultCap"/>; <see cref="ProblemsNotListed"/> counts the rest)
/// and left the database exactly as it was.
/// </summary>
public abstract record ImportResult
{
    public bool Imported { get; init; }
    public string FileName { get; init; } = "";
    public string Sha256 { get; init; } = "";

    /// <summary>Data rows read (blank rows not counted).</summary>
    public int DataRows { get; init; }

    public long? BatchId { get; init; }
    public IReadOnlyList<ImportProblem> Problems { get; init; } = [];
    public int ProblemCount { get; init; }
    public int ProblemsNotListed => ProblemCount - Problems.Count;

    /// <summary>One sentence for a status line or the CLI.</summary>
    public string Summary { get; init; } = "";
}

public sealed record RegistryImportResult : ImportResult
{
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }

    /// <summary>Patients whose consent this file withdrew: their material is to be flagged.</summary>
    public IReadOnlyList<string> NewlyWithdrawn { get; init; } = [];
}

/// <summary>What to do with dose rows whose pseudonym is not a registered patient.</summary>
public enum UnknownPseudonyms
{
    /// <summary>List them and import nothing (the default).</summary>
    Refuse,

    /// <summary>Import the rows of known patients and record which were skipped.</summary>
    SkipUnknown,
}

/// <summary>A pseudonym of a dose file that no registered patient has, with the rows it appears on.</summary>
public sealed record UnknownPseudonym(string Pseudonym, int FirstRow, int Rows);

public sealed record DoseImportResult : ImportResult
{
    public long? VersionId { get; init; }
    public string Label { get; init; } = "";
    public int DosesWritten { get; init; }
    public int Patients { get; init; }
    public UnknownPseudonyms UnknownPolicy { get; init; }

    /// <summary>Pseudonyms the file names that no patient has (listed whether they were refused or skipped).</summary>
    public IReadOnlyList<UnknownPseudonym> UnknownPseudonyms { get; init; } = [];

    public int SkippedRows { get; init; }

    /// <summary>True when unknown pseudonyms were the only problem: the caller may retry with <see cref="Registry.UnknownPseudonyms.SkipUnknown"/>.</summary>
    public bool CanSkipUnknown { get; init; }

    /// <summary>The label of the version this very file was imported as before, when it was.</summary>
    public string? AlreadyImportedAs { get; init; }
}
