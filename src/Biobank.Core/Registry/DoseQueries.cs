using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Registry;

public sealed record DoseVersion
{
    public long Id { get; init; }
    public string Label { get; init; } = "";
    public DateTime ImportedUtc { get; init; }
    public string ImportedBy { get; init; } = "";
    public string? FileSha256 { get; init; }
    public string? SourceFile { get; init; }
    public long RowCount { get; init; }
    public long PatientCount { get; init; }
    public string? Note { get; init; }
}

public sealed record Organ
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public long SortOrder { get; init; }
}

public sealed record DoseMetric
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";

    /// <summary>"Gy" for doses, "%" for the V metrics (share of the organ volume).</summary>
    public string Unit { get; init; } = "";

    public long SortOrder { get; init; }
}

public sealed record OrganDose
{
    public string Organ { get; init; } = "";
    public string OrganName { get; init; } = "";
    public string Metric { get; init; } = "";
    public string Unit { get; init; } = "";
    public decimal ValueGy { get; init; }
    public decimal? UncertaintySdGy { get; init; }
    public string? Source { get; init; }
    public string? ComputedDate { get; init; }
}

/// <summary>A patient's organ doses in one version; <see cref="Version"/> is null when no dose version exists yet.</summary>
public sealed record PatientDoses(long PatientId, string Pseudonym, DoseVersion? Version, bool IsLatest, IReadOnlyList<OrganDose> Doses);

public static class DoseChangeKinds
{
    public const string Added = "added";
    public const string Removed = "removed";
    public const string Changed = "changed";
}

/// <summary>One dose that differs between two versions: added (only in the newer), removed (only in the older), or changed.</summary>
public sealed record DoseChange
{
    public string Pseudonym { get; init; } = "";
    public string Organ { get; init; } = "";
    public string Metric { get; init; } = "";
    public string Kind { get; init; } = "";
    public decimal? OldValueGy { get; init; }
    public decimal? NewValueGy { get; init; }
    public decimal? OldUncertaintySdGy { get; init; }
    public decimal? NewUncertaintySdGy { get; init; }
}

/// <summary>What changed from one version to another, counted in full and listed a page at a time.</summary>
public sealed record DoseDiff(DoseVersion From, DoseVersion To, long Added, long Removed, long Changed, long Unchanged,
    IReadOnlyList<DoseChange> Changes, int Offset, bool More);

public sealed record ImportBatch
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string FileName { get; init; } = "";
    public string FileSha256 { get; init; } = "";
    public string ImportedBy { get; init; } = "";
    public DateTime ImportedUtc { get; init; }
    public long? SiteId { get; init; }
    public long RowCount { get; init; }
    public string Status { get; init; } = "";
    public string? Problems { get; init; }
    public long? DoseVersionId { get; init; }
}

/// <summary>
/// Reads of dose versions and organ doses. The latest version (the most recently imported) is the default; a dose
/// is site-owned through its patient, so every read of doses goes through the site scope.
/// </summary>
public sealed class DoseQueries(IDb db)
{
    private const string VersionColumns = """
        SELECT id AS Id, label AS Label, imported_utc AS ImportedUtc, imported_by AS ImportedBy, file_sha256 AS FileSha256,
               source_file AS SourceFile, row_count AS RowCount, patient_count AS PatientCount, note AS Note
        FROM dose_version
        """;

    private const string Versions = VersionColumns + " ORDER BY id DESC";
    private const string Latest = VersionColumns + " ORDER BY id DESC LIMIT 1";
    private const string VersionById = VersionColumns + " WHERE id = @Id";
    private const string VersionByLabel = VersionColumns + " WHERE label = @Label";
    private const string Organs = "SELECT code AS Code, name AS Name, sort_order AS SortOrder FROM organ ORDER BY sort_order, code";
    private const string Metrics = "SELECT name AS Name, description AS Description, unit AS Unit, sort_order AS SortOrder FROM dose_metric ORDER BY sort_order, name";

    private const string VisiblePatient = """
        SELECT p.id FROM patient p WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.pseudonym = @Pseudonym
        """;

    private const string DosesOfPatient = """
        SELECT d.organ AS Organ, o.name AS OrganName, d.metric AS Metric, m.unit AS Unit, d.value_gy AS ValueGy,
               d.uncertainty_sd_gy AS UncertaintySdGy, d.source AS Source, d.computed_date AS ComputedDate
        FROM organ_dose d
        JOIN patient p ON p.id = d.patient_id
        JOIN organ o ON o.code = d.organ
        JOIN dose_metric m ON m.name = d.metric
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND d.version_id = @VersionId AND d.patient_id = @PatientId
        ORDER BY o.sort_order, m.sort_order
        """;

    // Two halves instead of a FULL JOIN: each walks one version by the primary key and looks the other up by it.
    private const string Differences = """
        SELECT a.patient_id AS patient_id, a.organ AS organ, a.metric AS metric,
               a.value_gy AS old_value, b.value_gy AS new_value, a.uncertainty_sd_gy AS old_sd, b.uncertainty_sd_gy AS new_sd,
               CASE WHEN b.patient_id IS NULL THEN 'removed'
                    WHEN a.value_gy <> b.value_gy OR a.uncertainty_sd_gy IS DISTINCT FROM b.uncertainty_sd_gy THEN 'changed'
                    ELSE 'unchanged' END AS kind
        FROM organ_dose a
        LEFT JOIN organ_dose b ON b.version_id = @To AND b.patient_id = a.patient_id AND b.organ = a.organ AND b.metric = a.metric
        WHERE a.version_id = @From
        UNION ALL
        SELECT b.patient_id, b.organ, b.metric, NULL, b.value_gy, NULL, b.uncertainty_sd_gy, 'added'
        FROM organ_dose b
        WHERE b.version_id = @To
          AND NOT EXISTS (SELECT 1 FROM organ_dose a WHERE a.version_id = @From AND a.patient_id = b.patient_id AND a.organ = b.organ AND a.metric = b.metric)
        """;

    private const string DiffCounts = "SELECT d.kind AS Kind, COUNT(*) AS Count FROM (" + Differences + """
        ) d JOIN patient p ON p.id = d.patient_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId)
        GROUP BY d.kind
        """;

    private const string DiffPage = """
        SELECT p.pseudonym AS Pseudonym, d.organ AS Organ, d.metric AS Metric, d.kind AS Kind,
               d.old_value AS OldValueGy, d.new_value AS NewValueGy, d.old_sd AS OldUncertaintySdGy, d.new_sd AS NewUncertaintySdGy
        FROM (
        """ + Differences + """
        ) d
        JOIN patient p ON p.id = d.patient_id
        JOIN organ o ON o.code = d.organ
        JOIN dose_metric m ON m.name = d.metric
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND d.kind <> 'unchanged'
        ORDER BY p.pseudonym, o.sort_order, m.sort_order
        LIMIT @Limit OFFSET @Offset
        """;

    private const string Batches = """
        SELECT b.id AS Id, b.kind AS Kind, b.file_name AS FileName, b.file_sha256 AS FileSha256, b.imported_by AS ImportedBy,
               b.imported_utc AS ImportedUtc, b.site_id AS SiteId, b.row_count AS RowCount, b.status AS Status,
               b.problems AS Problems, b.dose_version_id AS DoseVersionId
        FROM import_batch b
        WHERE (@AllSites OR b.site_id = @ScopeSiteId) AND (@Kind IS NULL OR b.kind = @Kind)
        ORDER BY b.id DESC
        LIMIT @Limit
        """;

    /// <summary>Every version, the latest first.</summary>
    public async Task<IReadOnlyList<DoseVersion>> ListVersionsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<DoseVersion>(new CommandDefinition(Versions, cancellationToken: ct))).AsList();
    }

    /// <summary>The default version everywhere: the most recently imported; null before the first import.</summary>
    public async Task<DoseVersion?> LatestVersionAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(Latest, cancellationToken: ct));
    }

    public async Task<DoseVersion?> FindVersionAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(VersionById, new { Id = id }, cancellationToken: ct));
    }

    public async Task<DoseVersion?> FindVersionAsync(string label, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(VersionByLabel, new { Label = label.Trim() }, cancellationToken: ct));
    }

    /// <summary>The controlled list of organs, in display order.</summary>
    public async Task<IReadOnlyList<Organ>> OrgansAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Organ>(new CommandDefinition(Organs, cancellationToken: ct))).AsList();
    }

    /// <summary>The controlled list of dose metrics, in display order.</summary>
    public async Task<IReadOnlyList<DoseMetric>> MetricsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<DoseMetric>(new CommandDefinition(Metrics, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// A patient's organ doses in a version (the latest when <paramref name="versionId"/> is null). Null when the
    /// caller may not see the patient or the version does not exist.
    /// </summary>
    public async Task<PatientDoses?> PatientDosesAsync(Caller caller, string pseudonym, long? versionId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var patientId = await c.QuerySingleScopedAsync<long?>(VisiblePatient, caller, new { Pseudonym = pseudonym.Trim() }, ct: ct);
        if (patientId is null)
        {
            return null;
        }
        var latest = await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(Latest, cancellationToken: ct));
        var version = versionId is null || versionId == latest?.Id
            ? latest
            : await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(VersionById, new { Id = versionId }, cancellationToken: ct));
        if (version is null)
        {
            return versionId is null ? new PatientDoses(patientId.Value, pseudonym.Trim(), null, false, []) : null;
        }
        var doses = (await c.QueryScopedAsync<OrganDose>(DosesOfPatient, caller, new { VersionId = version.Id, PatientId = patientId }, ct: ct)).AsList();
        return new PatientDoses(patientId.Value, pseudonym.Trim(), version, version.Id == latest?.Id, doses);
    }

    /// <summary>
    /// What changed from version <paramref name="fromId"/> to <paramref name="toId"/> among the patients the caller may
    /// see: counts in full, and the differences a page at a time, by pseudonym, organ and metric. Null when a version
    /// does not exist.
    /// </summary>
    public async Task<DoseDiff?> DiffAsync(Caller caller, long fromId, long toId, int limit, int offset, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var from = await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(VersionById, new { Id = fromId }, cancellationToken: ct));
        var to = await c.QuerySingleOrDefaultAsync<DoseVersion>(new CommandDefinition(VersionById, new { Id = toId }, cancellationToken: ct));
        if (from is null || to is null)
        {
            return null;
        }
        var counts = (await c.QueryScopedAsync<KindCount>(DiffCounts, caller, new { From = fromId, To = toId }, ct: ct))
            .ToDictionary(k => k.Kind, k => k.Count, StringComparer.Ordinal);
        limit = Math.Clamp(limit, 1, 10_000);
        offset = Math.Max(0, offset);
        var page = (await c.QueryScopedAsync<DoseChange>(DiffPage, caller, new { From = fromId, To = toId, Limit = limit + 1, Offset = offset }, ct: ct)).AsList();
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }
        long Count(string kind) => counts.GetValueOrDefault(kind);
        return new DoseDiff(from, to, Count(DoseChangeKinds.Added), Count(DoseChangeKinds.Removed), Count(DoseChangeKinds.Changed), Count("unchanged"),
            page, offset, more);
    }

    /// <summary>Imports that landed, newest first: central users see all, a site user those made at their site.</summary>
    public async Task<IReadOnlyList<ImportBatch>> ImportBatchesAsync(Caller caller, string? kind, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<ImportBatch>(Batches, caller, new { Kind = kind, Limit = Math.Clamp(limit, 1, 1000) }, ct: ct)).AsList();
    }

    private sealed record KindCount
    {
        public string Kind { get; init; } = "";
        public long Count { get; init; }
    }
}
