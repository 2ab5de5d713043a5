using System.Text.Json;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Analysis;

public sealed record SavedAnalysis
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string RequestJson { get; init; } = "";
    public string DoseVersion { get; init; } = "";
    public string Runs { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public string SoftwareVersion { get; init; } = "";
    public string ResultsCsv { get; init; } = "";
    public int Biomarkers { get; init; }
    public int Patients { get; init; }
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";

    public AnalysisRequest Request => JsonSerializer.Deserialize<AnalysisRequest>(RequestJson) ?? new AnalysisRequest();
}

/// <summary>Saved analyses: the parameters, the data they saw and the numbers they gave, to be re-run and compared.</summary>
public sealed class SavedAnalyses(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO saved_analysis (name, request_json, dose_version, runs, fingerprint, software_version, results_csv, biomarkers, patients, created_utc, created_by, site_id)
        VALUES (@Name, @RequestJson, @DoseVersion, @Runs, @Fingerprint, @SoftwareVersion, @ResultsCsv, @Biomarkers, @Patients, @Now, @User, @SiteId)
        RETURNING id
        """;

    private const string Columns = """
        SELECT id AS Id, name AS Name, request_json AS RequestJson, dose_version AS DoseVersion, runs AS Runs, fingerprint AS Fingerprint,
               software_version AS SoftwareVersion, results_csv AS ResultsCsv, biomarkers AS Biomarkers, patients AS Patients,
               created_utc AS CreatedUtc, created_by AS CreatedBy
        FROM saved_analysis
        """;

    // A site biologist sees their site's analyses; central ones (no site) are shared with everybody.
    private const string List = Columns + " WHERE (@AllSites OR site_id = @ScopeSiteId OR site_id IS NULL) ORDER BY id DESC LIMIT 200";

    private const string ById = Columns + " WHERE (@AllSites OR site_id = @ScopeSiteId OR site_id IS NULL) AND id = @Id";

    public async Task<Result<long>> SaveAsync(Caller caller, string name, AnalysisOutcome o, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return Result<long>.Invalid("Give the analysis a name (at most 200 characters).", "Name");
        }
        using var csv = new StringWriter();
        await AssociationAnalysis.WriteResultsCsvAsync(o, csv);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var args = new
        {
            Name = name.Trim(),
            RequestJson = JsonSerializer.Serialize(o.Request),
            o.DoseVersion,
            Runs = string.Join(',', o.Runs),
            o.Fingerprint,
            SoftwareVersion = AssociationAnalysis.SoftwareVersion,
            ResultsCsv = csv.ToString(),
            Biomarkers = o.Results.Count,
            Patients = o.Patients.Count,
            Now = clock.GetUtcNow().UtcDateTime,
            User = caller.UserName,
            caller.SiteId,
        };
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, args, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "saved_analysis", id.ToString(),
            New: new { args.Name, args.RequestJson, args.DoseVersion, args.Runs, args.Fingerprint, args.SoftwareVersion }, SiteId: caller.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }

    public async Task<IReadOnlyList<SavedAnalysis>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<SavedAnalysis>(List, caller, ct: ct)).AsList();
    }

    public async Task<SavedAnalysis?> FindAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<SavedAnalysis>(ById, caller, new { Id = id }, ct: ct);
    }
}
