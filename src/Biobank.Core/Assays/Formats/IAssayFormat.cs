namespace Biobank.Core.Assays.Formats;

/// <summary>
/// One shape of result file (a vendor's export or one of our own layouts): how to recognise it, how to read its
/// header, and how each of its rows becomes our result rows. Registered in <see cref="AssayFormatRegistry"/>; the
/// import engine (<see cref="ImportAssay"/>) does everything that is the same for every shape — reading the table,
/// refusing dangerous text, looking up aliquots and analytes, duplicates, controls, the spool and the write.
/// </summary>
public interface IAssayFormat
{
    /// <summary>The name users choose it by (<c>--format olink</c>) and the one recorded on the file.</summary>
    string Name { get; }

    /// <summary>Other names accepted for it.</summary>
    IReadOnlyList<string> Aliases => [];

    /// <summary>What a person calls the file, e.g. "Olink NPX long export (Target 96, Explore 3072; CSV or Parquet)".</summary>
    string Title { get; }

    /// <summary>What the header must hold, said so that a refused user can check their file against it.</summary>
    string Expects { get; }

    /// <summary>The platform value kind a platform is chosen by when none is named (<see cref="Assays.ValueKinds"/>).</summary>
    string ValueKind { get; }

    /// <summary>Whether the file's values can be stored on a platform measuring <paramref name="valueKind"/>.</summary>
    bool Fits(string valueKind) => valueKind == ValueKind;

    /// <summary>The delimiters a text file of this shape may use, or one forced delimiter (QuantStudio's tab) first.</summary>
    string Delimiters => ",;";

    /// <summary>True when the text file's delimiter cannot be told from its first line (a header block comes first).</summary>
    bool ForceDelimiter => false;

    /// <summary>Values are Ct, stored as ΔCt against reference miRNAs; without references the Ct is kept as raw value only.</summary>
    bool CarriesCt => ValueKind == Assays.ValueKinds.Ct;

    /// <summary>When true, a Ct file without <c>--references</c> is refused (our own qPCR layout); vendor exports may go without.</summary>
    bool RequiresReferences => false;

    /// <summary>How sure this format is that the file is of its shape: 0 = not this shape, 100 = certain.</summary>
    int Detect(FileSniff file);

    /// <summary>
    /// Reads the header (and any header block before it) from <paramref name="table"/>; says which columns map to
    /// what and which are not stored. Returns null after listing why the header cannot be read.
    /// </summary>
    ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct);
}

/// <summary>The kind of container a result file is, told from its first bytes, never from its name.</summary>
public enum FileKind
{
    Text,
    Xlsx,
    Parquet,
}

/// <summary>
/// What detection sees of a file: its name, its kind, its first text lines (text files, BOM removed) and its first
/// rows as the table reader splits them (for a Parquet file: the column names as row 1), and Parquet's key/value metadata.
/// </summary>
public sealed record FileSniff(string FileName, FileKind Kind, IReadOnlyList<string> Lines, IReadOnlyList<string[]> Rows, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The first row, or an empty one.</summary>
    public string[] Header => Rows.Count > 0 ? Rows[0] : [];
}

/// <summary>What a header column became: the meaning it carries (e.g. "value (NPX)"), or null when it is not stored.</summary>
public sealed record ColumnUse(string Column, string? MapsTo);

/// <summary>
/// The header as read, and the mapping of each row: built by <see cref="IAssayFormat.ReadHeaderAsync"/>.
/// </summary>
public abstract class AssayRowMapper
{
    /// <summary>The column names problems are reported under; rows are checked to be this wide.</summary>
    public string[] Header { get; init; } = [];

    /// <summary>Every column of the file and what it maps to.</summary>
    public IReadOnlyList<ColumnUse> Columns { get; init; } = [];

    /// <summary>File-level facts worth recording with the file: which value and LOD were stored, normalisation, software.</summary>
    public Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    /// <summary>The columns read but not stored: named in the summary, never a reason to refuse.</summary>
    public IReadOnlyList<string> Unstored => Columns.Where(c => c.MapsTo is null && c.Column.Length > 0).Select(c => c.Column).ToList();

    /// <summary>True for a row that ends the results table (a blank line before a footer, the next section).</summary>
    public virtual bool EndsTable(string[] fields) => false;

    /// <summary>Maps one data row (as wide as <see cref="Header"/>, already checked for dangerous text); false when it had a problem.</summary>
    public abstract ValueTask<bool> MapAsync(int row, string[] fields, IAssayRowSink sink, CancellationToken ct);

    /// <summary>After the last row: formats that gather rows (replicates, values whose LOD comes below them) hand them over here.</summary>
    public virtual ValueTask<bool> FinishAsync(IAssayRowSink sink, CancellationToken ct) => ValueTask.FromResult(true);
}

/// <summary>Whether a row is a plate control: by the sample-ID pattern, or because the file says so.</summary>
public enum SampleRole
{
    ByPattern,
    Control,
}

/// <summary>
/// One result as a format read it. <paramref name="Analyte"/> is the engine's local index (<see cref="IAssayRowSink.Analyte"/>);
/// NaN stands for a missing value; <paramref name="Ct"/> is set for Ct formats (the engine works out ΔCt).
/// <paramref name="Replicates"/> is how many wells were averaged (0 when the format has no replicates), with
/// <paramref name="Detected"/> of them amplified and their standard deviation <paramref name="Sd"/>.
/// </summary>
public readonly record struct AssayRecord(
    int Row, string SampleColumn, string SampleId, string? Plate, int Analyte, double Value, double Lod, bool QcWarning, string ValueColumn,
    SampleRole Role = SampleRole.ByPattern, double Ct = double.NaN, int Replicates = 0, int Detected = 0, double Sd = double.NaN, string? Wells = null);

/// <summary>What the import engine offers a format while it maps rows.</summary>
public interface IAssayRowSink
{
    /// <summary>The file is semicolon-separated, where a decimal comma is accepted.</summary>
    bool DecimalComma { get; }

    /// <summary>The most a replicate group's Ct may spread (SD, cycles) before it is flagged in QC.</summary>
    double MaxReplicateSd { get; }

    void Problem(int row, string column, string value, string reason);

    /// <summary>A number or a missing value (NaN); false after listing why the text is neither.</summary>
    bool Number(int row, string column, string text, out double value);

    /// <summary>A QC flag (Pass/PASS/Warning/WARN/FAIL…); false after listing the problem.</summary>
    bool Qc(int row, string column, string text, out bool warning);

    /// <summary>The local index of an analyte by its code (or, with <paramref name="byName"/>, its name), or −1 after listing why not.</summary>
    int Analyte(int row, string column, string code, string? name = null, string? panel = null, string? version = null, string? unit = null, bool byName = false);

    string AnalyteCode(int analyte);

    /// <summary>The unit the catalogue expects for the analyte's values on this platform.</summary>
    string? ExpectedUnit(int analyte);

    /// <summary>True for a sample ID the control pattern matches (and that is not one of our valid barcodes).</summary>
    bool IsControl(string sampleId);

    /// <summary>The local index of an aliquot, or −1 after listing why not.</summary>
    ValueTask<int> TubeAsync(int row, string column, string sampleId, CancellationToken ct);

    /// <summary>Stores one result: a control (by role or pattern) or an aliquot's result.</summary>
    ValueTask<bool> AcceptAsync(AssayRecord record, CancellationToken ct);

    /// <summary>As <see cref="AcceptAsync(AssayRecord, CancellationToken)"/>; for a row that already had a problem, only looks the sample up so an unknown aliquot is listed too.</summary>
    ValueTask<bool> AcceptAsync(AssayRecord record, bool rowOk, CancellationToken ct);

    /// <summary>Stores one result for an aliquot already looked up.</summary>
    bool AcceptTube(in AssayRecord record, int tube);
}
