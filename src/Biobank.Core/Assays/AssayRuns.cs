using System.Globalization;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Assays;

public static class RunStatuses
{
    public const string Importing = "importing";
    public const string Imported = "imported";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

public sealed record AssayRunView
{
    public long Id { get; init; }
    public string RunCode { get; init; } = "";
    public string PlatformCode { get; init; } = "";
    public string PlatformName { get; init; } = "";
    public string ValueKind { get; init; } = "";
    public string DefaultUnit { get; init; } = "";
    public string? RunDate { get; init; }
    public string? Operator { get; init; }
    public string? LabSiteCode { get; init; }
    public string Status { get; init; } = "";
    public long ResultRows { get; init; }
    public long ControlRows { get; init; }
    public long Aliquots { get; init; }
    public long Files { get; init; }
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";
    public string? ReviewNote { get; init; }
    public DateTime? ReviewedUtc { get; init; }
    public string? ReviewedBy { get; init; }
}

public sealed record AssayFileView
{
    public long Id { get; init; }
    public long RunId { get; init; }
    public string FileName { get; init; } = "";
    public string Sha256 { get; init; } = "";
    public string Format { get; init; } = "";
    public long SizeBytes { get; init; }
    public long RowsRead { get; init; }
    public long ResultRows { get; init; }
    public long ControlRows { get; init; }
    public long? ImportJobId { get; init; }
    public DateTime ImportedUtc { get; init; }
    public string ImportedBy { get; init; } = "";
}

/// <summary>The distribution of one analyte in one run: quartiles by linear interpolation (R's type 7).</summary>
public sealed record AnalyteQc(long AnalyteId, string Code, string Name, long Rows, long N, double? Min, double? Q1, double? Median, double? Q3, double? Max,
    double BelowLodFraction, long QcWarnings);

public sealed record FlaggedSample
{
    public string Barcode { get; init; } = "";
    public long Warnings { get; init; }
    public long BelowLod { get; init; }
}

public sealed record ControlQc
{
    public string SampleId { get; init; } = "";
    public long N { get; init; }
    public double? Mean { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
}

/// <summary>What a reviewer looks at before approving a run.</summary>
public sealed record RunQc(AssayRunView Run, IReadOnlyList<AnalyteQc> Analytes, long FlaggedSamples, IReadOnlyList<FlaggedSample> Flagged, IReadOnlyList<ControlQc> Controls);

/// <summary>Reads of runs, their files and their QC. Runs belong to the assay lab, not to a collection site: biologists see them all.</summary>
public sealed class AssayRuns(IDb db)
{
    /// <summary>The runs analyses use by default; embed it as <c>run_id IN (…)</c> or join on it.</summary>
    public const string ApprovedRunIds = "SELECT id FROM assay_run WHERE status = 'approved'";

    private const string Select = """
        SELECT r.id AS Id, r.run_code AS RunCode, pl.code AS PlatformCode, pl.name AS PlatformName, pl.value_kind AS ValueKind, pl.default_unit AS DefaultUnit,
               r.run_date AS RunDate, r.operator AS Operator, s.code AS LabSiteCode, r.status AS Status, r.result_rows AS ResultRows,
               r.control_rows AS ControlRows, r.aliquots AS Aliquots, (SELECT COUNT(*) FROM assay_file f WHERE f.run_id = r.id) AS Files,
               r.created_utc AS CreatedUtc, r.created_by AS CreatedBy, r.review_note AS ReviewNote, r.reviewed_utc AS ReviewedUtc, r.reviewed_by AS ReviewedBy
        FROM assay_run r JOIN platform pl ON pl.id = r.platform_id LEFT JOIN site s ON s.id = r.lab_site_id
        """;

    // Keyset paging, newest first.
    private const string List = Select + """
         WHERE (@Status IS NULL OR r.status = @Status) AND (@BeforeId IS NULL OR r.id < @BeforeId)
        ORDER BY r.id DESC
        LIMIT @Limit
        """;

    private const string ByCode = Select + " WHERE r.run_code = @RunCode";

    private const string Files = """
        SELECT id AS Id, run_id AS RunId, file_name AS FileName, sha256 AS Sha256, format AS Format, size_bytes AS SizeBytes, rows_read AS RowsRead,
               result_rows AS ResultRows, control_rows AS ControlRows, import_job_id AS ImportJobId, imported_utc AS ImportedUtc, imported_by AS ImportedBy
        FROM assay_file WHERE run_id = @RunId ORDER BY id
        """;

    // The primary key (run_id, tube_id, analyte_id) makes this a range scan of the run's rows.
    private const string Values = "SELECT analyte_id, value, below_lod, qc_warning FROM assay_result WHERE run_id = @RunId";

    private const string Flagged = """
        SELECT t.barcode AS Barcode, SUM(CASE WHEN r.qc_warning THEN 1 ELSE 0 END) AS Warnings, SUM(CASE WHEN r.below_lod THEN 1 ELSE 0 END) AS BelowLod
        FROM assay_result r JOIN tube t ON t.id = r.tube_id
        WHERE r.run_id = @RunId AND (@AllSites OR t.site_id = @ScopeSiteId)
        GROUP BY t.barcode
        HAVING SUM(CASE WHEN r.qc_warning THEN 1 ELSE 0 END) > 0
        ORDER BY 2 DESC, t.barcode
        LIMIT @Limit
        """;

    private const string FlaggedCount = "SELECT COUNT(DISTINCT tube_id) FROM assay_result WHERE run_id = @RunId AND qc_warning";

    private const string Controls = """
        SELECT sample_id AS SampleId, COUNT(*) AS N, AVG(value) AS Mean, MIN(value) AS Min, MAX(value) AS Max
        FROM assay_control WHERE run_id = @RunId GROUP BY sample_id ORDER BY sample_id
        """;

    public async Task<IReadOnlyList<AssayRunView>> ListAsync(string? status, long? beforeId, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AssayRunView>(new CommandDefinition(List,
            new { Status = string.IsNullOrWhiteSpace(status) ? null : status, BeforeId = beforeId, Limit = Math.Clamp(limit, 1, 500) }, cancellationToken: ct))).AsList();
    }

    public async Task<AssayRunView?> GetAsync(string runCode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<AssayRunView>(new CommandDefinition(ByCode, new { RunCode = runCode }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AssayFileView>> FilesAsync(long runId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AssayFileView>(new CommandDefinition(Files, new { RunId = runId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<long>> ApprovedRunIdsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(ApprovedRunIds, cancellationToken: ct))).AsList();
    }

    /// <summary>Per-analyte distribution, below-LOD fraction and QC warnings; the samples flagged; the plate controls.</summary>
    /// <remarks>The flagged samples are listed by barcode for the caller's sites only; the count covers the whole run.</remarks>
    public async Task<RunQc?> QcAsync(Caller caller, string runCode, int flaggedLimit, CancellationToken ct)
    {
        var run = await GetAsync(runCode, ct);
        if (run is null)
        {
            return null;
        }
        var perAnalyte = new Dictionary<long, Accumulator>();
        await using var c = await db.OpenAsync(ct);
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = Values;
            var p = cmd.CreateParameter();
            p.ParameterName = "RunId";
            p.Value = run.Id;
            cmd.Parameters.Add(p);
            cmd.CommandTimeout = 600;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var analyte = r.GetInt64(0);
                if (!perAnalyte.TryGetValue(analyte, out var acc))
                {
                    perAnalyte[analyte] = acc = new Accumulator();
                }
                acc.Rows++;
                if (!r.IsDBNull(1))
                {
                    acc.Values.Add(r.GetDouble(1));
                }
                if (Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture))
                {
                    acc.BelowLod++;
                }
                if (Convert.ToBoolean(r.GetValue(3), CultureInfo.InvariantCulture))
                {
                    acc.Warnings++;
                }
            }
        }
        var analytes = (await c.QueryAsync<AnalyteView>(new CommandDefinition(AssayCatalogue.SelectAnalytes, cancellationToken: ct))).ToDictionary(a => a.Id);
        var qc = perAnalyte.Select(kv =>
        {
            var a = analytes[kv.Key];
            var v = kv.Value.Values;
            v.Sort();
            return new AnalyteQc(kv.Key, a.Code, a.Name, kv.Value.Rows, v.Count,
                v.Count == 0 ? null : v[0], Quantile(v, 0.25), Quantile(v, 0.5), Quantile(v, 0.75), v.Count == 0 ? null : v[^1],
                kv.Value.Rows == 0 ? 0 : (double)kv.Value.BelowLod / kv.Value.Rows, kv.Value.Warnings);
        }).OrderBy(a => a.Code, StringComparer.Ordinal).ToList();
        var flaggedCount = await c.ExecuteScalarAsync<long>(new CommandDefinition(FlaggedCount, new { RunId = run.Id }, cancellationToken: ct));
        var flagged = (await c.QueryScopedAsync<FlaggedSample>(Flagged, caller, new { RunId = run.Id, Limit = Math.Clamp(flaggedLimit, 1, 10_000) }, ct: ct)).AsList();
        var controls = (await c.QueryAsync<ControlQc>(new CommandDefinition(Controls, new { RunId = run.Id }, cancellationToken: ct))).AsList();
        return new RunQc(run, qc, flaggedCount, flagged, controls);
    }

    /// <summary>Type-7 quantile (R's default) of sorted values.</summary>
    public static double? Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var h = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private sealed class Accumulator
    {
        public List<double> Values { get; } = [];
        public long Rows;
        public long BelowLod;
        public long Warnings;
    }
}

/// <summary>Approving or rejecting a run: a biologist's decision, audited; only approved runs feed analyses by default.</summary>
public sealed class ReviewAssayRun(IDb db, IAudit audit, TimeProvider clock, AssayRuns runs)
{
    private const string Decide = """
        UPDATE assay_run SET status = @Status, review_note = @Note, reviewed_utc = @Now, reviewed_by = @User
        WHERE run_code = @RunCode AND status = 'imported'
        """;

    private const string Head = "SELECT id AS Id, status AS Status, lab_site_id AS LabSiteId, created_by AS CreatedBy FROM assay_run WHERE run_code = @RunCode";

    public Task<Result<AssayRunView>> ApproveAsync(Caller caller, string runCode, string? note, CancellationToken ct) =>
        DecideAsync(caller, runCode, RunStatuses.Approved, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), ct);

    public Task<Result<AssayRunView>> RejectAsync(Caller caller, string runCode, string reason, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(reason)
            ? Task.FromResult(Result<AssayRunView>.Invalid("Say why the run is rejected (e.g. plate controls out of range).", "Reason"))
            : DecideAsync(caller, runCode, RunStatuses.Rejected, reason.Trim(), ct);

    private async Task<Result<AssayRunView>> DecideAsync(Caller caller, string runCode, string status, string? note, CancellationToken ct)
    {
        if (!caller.IsAdmin && !caller.IsInRole(Roles.Biologist))
        {
            return new Problem("Only biologists and administrators review assay runs.", null, ProblemKind.Forbidden);
        }
        if (note is { Length: > 2000 })
        {
            return Result<AssayRunView>.Invalid("The review note is at most 2,000 characters.", "Note");
        }
        await using (var c = await db.OpenAsync(ct))
        {
            await using var tx = await db.BeginWriteAsync(c, ct);
            var head = await c.QuerySingleOrDefaultAsync<RunHead>(new CommandDefinition(Head, new { RunCode = runCode }, tx, cancellationToken: ct));
            // A run of a named lab is reviewed by that lab's users or a central user: to another site's user it does not
            // exist. A run with no lab named (the web page and the CLI name none) is the consortium's, for any biologist.
            if (head is null || (head.LabSiteId is { } lab && !caller.CanSee(lab)))
            {
                return Result<AssayRunView>.NotFound($"No run {runCode}.", "RunCode");
            }
            // Part 11 review: the decision is a second person's, never the importer's own.
            if (string.Equals(head.CreatedBy, caller.UserName, StringComparison.Ordinal))
            {
                return new Problem($"You imported run {runCode}: its review is a second person's.", "RunCode", ProblemKind.Forbidden);
            }
            var changed = await c.ExecuteAsync(new CommandDefinition(Decide, new
            {
                Status = status, Note = note, Now = clock.GetUtcNow().UtcDateTime, User = caller.UserName, RunCode = runCode,
            }, tx, cancellationToken: ct));
            if (changed == 0)
            {
                return Result<AssayRunView>.Conflict($"Run {runCode} is already {head.Status}; a decision is final.", "RunCode");
            }
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "assay_run", head.Id.ToString(CultureInfo.InvariantCulture),
                Old: new { head.Status }, New: new { Status = status, ReviewNote = note }, Reason: note ?? status, SiteId: head.LabSiteId), ct);
            await tx.CommitAsync(ct);
        }
        return Result<AssayRunView>.Success((await runs.GetAsync(runCode, ct))!);
    }

    private sealed record RunHead
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public long? LabSiteId { get; init; }
        public string CreatedBy { get; init; } = "";
    }
}
