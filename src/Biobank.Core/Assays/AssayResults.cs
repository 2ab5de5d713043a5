using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Assays;

/// <summary>One measured value joined to its patient and timepoint: the row an analysis data set is built from.</summary>
public sealed record AssayResultRow
{
    public long PatientId { get; init; }
    public string Pseudonym { get; init; } = "";
    public string Timepoint { get; init; } = "";
    public string AnalyteCode { get; init; } = "";
    public string BiomarkerClass { get; init; } = "";
    public double? Value { get; init; }
    public bool BelowLod { get; init; }
    public bool QcWarning { get; init; }
    public string RunCode { get; init; } = "";
    public string Barcode { get; init; } = "";
}

/// <summary>
/// Which results an analysis sees. By default only approved runs; <see cref="IncludeUnapproved"/> adds runs still
/// awaiting review. Rejected runs and patients who withdrew consent are never included.
/// </summary>
public sealed record AssayResultQuery(IReadOnlyList<string>? AnalyteCodes = null, string? BiomarkerClass = null, bool IncludeUnapproved = false);

/// <summary>Streams results for analyses, through the (analyte_id, tube_id) index, scoped to the caller's patients.</summary>
public sealed class AssayResults(IDb db)
{
    private const string Select = """
        SELECT p.id AS PatientId, p.pseudonym AS Pseudonym, tp.code AS Timepoint, a.code AS AnalyteCode, a.biomarker_class AS BiomarkerClass,
               r.value AS Value, r.below_lod AS BelowLod, r.qc_warning AS QcWarning, ru.run_code AS RunCode, t.barcode AS Barcode
        FROM assay_result r
        JOIN assay_run ru ON ru.id = r.run_id
        JOIN analyte a ON a.id = r.analyte_id
        JOIN tube t ON t.id = r.tube_id
        JOIN patient p ON p.id = t.patient_id
        JOIN collection col ON col.id = t.collection_id
        JOIN study_timepoint tp ON tp.id = col.timepoint_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.consent_status = 'given'
          AND (ru.status = 'approved' OR (@IncludeUnapproved AND ru.status = 'imported'))
        """;

    private const string ByAnalyte = Select + " AND a.code = @Code ORDER BY p.id, tp.sort_order";

    private const string ByClass = Select + " AND a.biomarker_class = @Class ORDER BY a.code, p.id, tp.sort_order";

    private const string All = Select + " ORDER BY a.code, p.id, tp.sort_order";

    /// <summary>One query per named analyte (no IN-lists: Npgsql binds lists as arrays), else one for the class or everything.</summary>
    public async IAsyncEnumerable<AssayResultRow> StreamAsync(Caller caller, AssayResultQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        if (query.AnalyteCodes is { Count: > 0 } codes)
        {
            foreach (var code in codes)
            {
                await foreach (var row in c.QueryScopedUnbufferedAsync<AssayResultRow>(ByAnalyte, caller, new { query.IncludeUnapproved, Code = code }).WithCancellation(ct))
                {
                    yield return row;
                }
            }
            yield break;
        }
        var (sql, args) = query.BiomarkerClass is { Length: > 0 } cls
            ? (ByClass, (object)new { query.IncludeUnapproved, Class = cls })
            : (All, new { query.IncludeUnapproved });
        await foreach (var row in c.QueryScopedUnbufferedAsync<AssayResultRow>(sql, caller, args).WithCancellation(ct))
        {
            yield return row;
        }
    }
}
