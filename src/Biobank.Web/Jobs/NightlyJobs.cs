using Biobank.Core.Operations;
using Biobank.Core.Shipments;
using Hangfire;

namespace Biobank.Web.Jobs;

/// <summary>Runs one nightly job and stores its outcome as the job's last run (maintenance_run), failed or not.</summary>
public sealed class MaintenanceRecorder(MaintenanceRuns runs, JobNode node, TimeProvider clock, ILogger<MaintenanceRecorder> logger)
{
    public async Task RunAsync(string job, Func<CancellationToken, Task<(bool Ok, string Summary)>> work, CancellationToken ct)
    {
        var started = clock.GetUtcNow().UtcDateTime;
        bool ok;
        string summary;
        try
        {
            (ok, summary) = await work(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Nightly job {Job} failed", job);
            (ok, summary) = (false, "failed: " + e.Message);
        }
        logger.LogInformation("Nightly job {Job}: {Summary}", job, summary);
        await runs.RecordAsync(new MaintenanceRun
        {
            Job = job, StartedUtc = started, FinishedUtc = clock.GetUtcNow().UtcDateTime, Ok = ok, Summary = summary, Node = node.Name,
        }, CancellationToken.None);
    }
}

/// <summary>What <c>biobank check</c> does, every night: database checks, custody replay, assay runs all or nothing.</summary>
[AutomaticRetry(Attempts = 0)]
public sealed class IntegrityCheckJob(IntegrityCheck check, MaintenanceRecorder recorder)
{
    public Task RunAsync(CancellationToken cancellationToken) => recorder.RunAsync(MaintenanceJobs.IntegrityCheck, async ct =>
    {
        var report = await check.CheckAsync(ct);
        return report.Ok
            ? (true, $"passed: {report.Tubes:N0} tubes and {report.CustodyEvents:N0} custody events replayed")
            : (false, $"{report.Problems.Count():N0} problem(s): " + string.Join("; ", report.Problems.Take(5)));
    }, cancellationToken);
}

/// <summary>The nightly online backup into <c>Biobank:Backup:Folder</c>, keeping the newest <c>Biobank:Backup:Keep</c> files.</summary>
[AutomaticRetry(Attempts = 0)]
public sealed class BackupJob(RotatingBackup backup, MaintenanceRecorder recorder)
{
    public Task RunAsync(CancellationToken cancellationToken) => recorder.RunAsync(MaintenanceJobs.Backup, async ct =>
    {
        var report = await backup.ExecuteAsync(ct);
        return (true, $"{Path.GetFileName(report.Backup.File)}: {report.Backup.Bytes:N0} bytes, {report.Backup.Rows.Values.Sum():N0} rows; {report.Deleted.Count} older backup(s) removed");
    }, cancellationToken);
}

/// <summary>Records, once per shipment, that a dispatched shipment became overdue.</summary>
[AutomaticRetry(Attempts = 0)]
public sealed class OverdueShipmentsJob(OverdueShipments overdue, MaintenanceRecorder recorder)
{
    public Task RunAsync(CancellationToken cancellationToken) => recorder.RunAsync(MaintenanceJobs.OverdueShipments, async ct =>
    {
        var noticed = await overdue.ScanAsync(ct);
        return (true, noticed.Count == 0 ? "no shipment became overdue" : $"{noticed.Count} shipment(s) became overdue: " + string.Join(", ", noticed.Select(n => n.Barcode)));
    }, cancellationToken);
}
