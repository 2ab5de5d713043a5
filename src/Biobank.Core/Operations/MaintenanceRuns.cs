using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Operations;

/// <summary>The names of the nightly jobs, as stored in maintenance_run and shown to administrators.</summary>
public static class MaintenanceJobs
{
    public const string IntegrityCheck = "integrity-check";
    public const string Backup = "backup";
    public const string OverdueShipments = "overdue-shipments";
}

public sealed record MaintenanceRun
{
    public string Job { get; init; } = "";
    public DateTime StartedUtc { get; init; }
    public DateTime FinishedUtc { get; init; }
    public bool Ok { get; init; }
    public string Summary { get; init; } = "";
    public string Node { get; init; } = "";
}

/// <summary>The last run of each nightly job: one row per job, replaced by every run, read by /health and the admin home page.</summary>
public sealed class MaintenanceRuns(IDb db)
{
    private const string Upsert = """
        INSERT INTO maintenance_run (job, started_utc, finished_utc, ok, summary, node)
        VALUES (@Job, @StartedUtc, @FinishedUtc, @Ok, @Summary, @Node)
        ON CONFLICT (job) DO UPDATE SET started_utc = excluded.started_utc, finished_utc = excluded.finished_utc, ok = excluded.ok,
            summary = excluded.summary, node = excluded.node
        """;

    private const string SelectAll = """
        SELECT job AS Job, started_utc AS StartedUtc, finished_utc AS FinishedUtc, ok AS Ok, summary AS Summary, node AS Node
        FROM maintenance_run ORDER BY job
        """;

    public async Task RecordAsync(MaintenanceRun run, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(Upsert, run, tx, commandTimeout: 30, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<MaintenanceRun>> LatestAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<MaintenanceRun>(new CommandDefinition(SelectAll, commandTimeout: 30, cancellationToken: ct))).AsList();
    }
}
