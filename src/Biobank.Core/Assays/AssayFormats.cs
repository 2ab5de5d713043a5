using Biobank.Core.Assays.Formats;
using Biobank.Core.Common;
using Biobank.Core.Storage;

namespace Biobank.Core.Assays;

/// <summary>
/// The four layouts of our own that predate the format registry (<see cref="AssayFormatRegistry"/>), kept as names
/// code and tests can write as constants; each converts to an <see cref="AssayFormatChoice"/>. <see cref="Npx"/>: long NPX export, header exactly <see cref="AssayFormats.NpxHeader"/>.
/// <see cref="Wide"/>: one row per aliquot, first column the barcode, one column per analyte (<c>P05231</c> or
/// <c>IL6 (pg/mL)</c>), values as measured (no log2 applied). <see cref="Qpcr"/>: long <c>SampleID,miRNA,Ct</c>; the
/// stored value is ΔCt against the named reference miRNAs of the same sample, the Ct is kept as raw value.
/// <see cref="Counts"/>: a small-RNA sequencing count matrix with one row per miRNA and one column per aliquot
/// (first header cell: any label such as <c>miRNA</c>; the other header cells: aliquot barcodes), as count tables
/// from miRDeep2 or nf-core/smrnaseq are laid out.
/// </summary>
public enum AssayFileFormat
{
    Npx,
    Wide,
    Qpcr,
    Counts,
}

public static class AssayFormats
{
    public static readonly IReadOnlyList<string> NpxHeader =
        ["SampleID", "Index", "OlinkID", "UniProt", "Assay", "MissingFreq", "Panel", "Panel_Version", "PlateID", "QC_Warning", "LOD", "NPX"];

    public static readonly IReadOnlyList<string> QpcrHeader = ["SampleID", "miRNA", "Ct"];

    /// <summary>Plate controls by sample ID, case-insensitive: stored as controls, never looked up as aliquots.</summary>
    public const string DefaultControlPattern = "^(CONTROL|CTRL|IPC|NTC|NC|PC|EXT|NEG|BLANK)";

    public const long DefaultMaxBytes = 2L << 30;

    public static string Name(AssayFileFormat format) => format.ToString().ToLowerInvariant();

    public static string Name(AssayFormatChoice format) => format.Name;

    public static bool TryParse(string? text, out AssayFileFormat format)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "npx": format = AssayFileFormat.Npx; return true;
            case "wide": format = AssayFileFormat.Wide; return true;
            case "qpcr": format = AssayFileFormat.Qpcr; return true;
            case "counts": format = AssayFileFormat.Counts; return true;
            default: format = default; return false;
        }
    }

}

/// <summary>
/// Settings of the assay import (<c>Biobank:Assays:MaxReplicateSd</c>): the largest standard deviation of a qPCR
/// replicate group's Ct before its result is flagged in QC. 0.5 cycles is a common lab limit for technical replicates.
/// </summary>
public sealed record AssayImportSettings(double MaxReplicateSd = AssayImportSettings.DefaultMaxReplicateSd)
{
    public const double DefaultMaxReplicateSd = 0.5;

    public const string MaxReplicateSdSetting = "Biobank:Assays:MaxReplicateSd";

    public static AssayImportSettings FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var raw = config[MaxReplicateSdSetting];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new AssayImportSettings();
        }
        return double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var sd) && sd is >= 0 and <= 50
            ? new AssayImportSettings(sd)
            : throw new Data.ConfigurationException($"Setting {MaxReplicateSdSetting} must be a number of cycles between 0 and 50, not '{raw}'.");
    }
}

public sealed record ImportAssayCommand
{
    /// <summary>The file on disk; it is read twice (validate, then write), never held in memory.</summary>
    public required string FilePath { get; init; }

    /// <summary>The name the user knows the file by (an upload's original name); defaults to the file name.</summary>
    public string? OriginalName { get; init; }

    /// <summary>A registered format (or one of its aliases), or auto: the format most sure of the file is taken and named in the summary.</summary>
    public AssayFormatChoice Format { get; init; } = AssayFormatChoice.Auto;

    public required string RunCode { get; init; }

    /// <summary>Platform code; when null, the only platform whose value kind fits the format.</summary>
    public string? PlatformCode { get; init; }

    /// <summary>Adds analytes the catalogue lacks instead of refusing them (their codes must be UniProt or miRBase identifiers).</summary>
    public bool AddAnalytes { get; init; }

    /// <summary>qPCR only: the reference miRNAs whose mean Ct is subtracted per sample.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Volume taken from each aliquot new to the run; 0 records the aliquots without touching volumes.</summary>
    public decimal ConsumeUl { get; init; } = 10m;

    public string ControlPattern { get; init; } = AssayFormats.DefaultControlPattern;

    public long MaxBytes { get; init; } = AssayFormats.DefaultMaxBytes;

    public XlsxLimits Xlsx { get; init; } = new();

    public DateOnly? RunDate { get; init; }

    public string? Operator { get; init; }

    /// <summary>Code of the assay lab's site, if known.</summary>
    public string? LabSiteCode { get; init; }

    /// <summary>The background job doing this import: its state turns 'succeeded' in the import's own transaction.</summary>
    public long? JobId { get; init; }

    public int MaxProblems { get; init; } = 1000;

    /// <summary>Replicate formats: the largest SD (cycles) of a group's Ct before it is flagged in QC; null takes the setting.</summary>
    public double? MaxReplicateSd { get; init; }
}

public enum ImportPhase
{
    Checking,
    Validating,
    Writing,
    Done,
}

/// <summary>Where an import is: for a progress bar (bytes during validation, rows while writing).</summary>
public readonly record struct ImportProgress(ImportPhase Phase, long BytesTotal, long BytesRead, long RowsRead, long RowsValidated, long RowsWritten, long RowsToWrite);

public sealed record ImportAssaySummary(
    string RunCode, long RunId, long FileId, string FileName, string Sha256, long RowsRead, long Results, long Controls,
    int Aliquots, int AliquotsNewToRun, int Analytes, int AnalytesAdded, decimal ConsumedUl, TimeSpan Elapsed,
    ImportedFormat? Format = null)
{
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsRead / Elapsed.TotalSeconds : RowsRead;
}

/// <summary>Either a summary (everything written) or the problems (nothing written): every one up to the cap, and their total.</summary>
public sealed record ImportAssayOutcome(ImportAssaySummary? Summary, IReadOnlyList<RowProblem> Problems, long ProblemCount)
{
    public bool Ok => Summary is not null;

    public static ImportAssayOutcome Refused(ImportProblems problems) => new(null, problems.List(), problems.Total);

    public static ImportAssayOutcome Refused(string reason, string column = "file", string value = "") =>
        new(null, [new RowProblem(0, column, value, reason)], 1);
}

/// <summary>
/// How a file was read: the format (and whether auto chose it, with what confidence), the columns read but not
/// stored, the file-level facts recorded with it (which value and LOD were stored, normalisation, software), and
/// how many distinct plate-control samples it held.
/// </summary>
public sealed record ImportedFormat(string Name, bool Detected, int Confidence, IReadOnlyList<string> Unstored, IReadOnlyDictionary<string, string> Facts, int ControlSamples)
{
    /// <summary>"olink (detected)" and the facts, for a summary line.</summary>
    public string Describe()
    {
        var text = Detected ? $"format {Name} (detected)" : $"format {Name}";
        if (Facts.Count > 0)
        {
            text += "; " + string.Join("; ", Facts.Select(f => $"{f.Key}: {f.Value}"));
        }
        if (Unstored.Count > 0)
        {
            text += "; not stored: " + string.Join(", ", Unstored);
        }
        return text;
    }
}
