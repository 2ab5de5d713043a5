using Biobank.Core.Assays;
using Hangfire;
using Hangfire.Server;

namespace Biobank.Web.Jobs;

/// <summary>
/// The Hangfire job that runs one queued assay import. Hangfire runs a job at least once: when the node running it
/// dies, the job becomes visible again after the storage's invisibility timeout and another node (or this one after a
/// restart) fetches it. The import itself claims the job row with a conditional update and commits rows and
/// 'succeeded' together, so a second run never duplicates rows: the claim, not the scheduler, makes it exactly once.
/// </summary>
[AutomaticRetry(Attempts = 3)]
public sealed class AssayImportJob(RunImportJob run, JobNode node, ILogger<AssayImportJob> logger)
{
    // Set when an attempt starts; present on a later fetch of the same Hangfire job, which only happens when that
    // attempt did not end (its node died or shut down): such a run may take over the dead node's import.
    private const string AttemptedBy = "biobank-attempted-by";

    public async Task RunAsync(long importJobId, PerformContext? context, CancellationToken cancellationToken)
    {
        var recovering = context?.GetJobParameter<string>(AttemptedBy) is { Length: > 0 };
        context?.SetJobParameter(AttemptedBy, node.Name);
        logger.LogInformation("Assay import job {JobId} starting{Recovering}", importJobId, recovering ? " (recovering after a node stopped)" : "");
        var ended = await run.ExecuteAsync(importJobId, node.Name, cancellationToken, recovering);
        // Stopped by a shutdown: the row is queued again; throwing leaves the Hangfire job to be fetched again.
        if (cancellationToken.IsCancellationRequested && ended is { State: ImportJobStates.Queued })
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>Hands queued import jobs to Hangfire: right after enqueueing, at start and then every 15 s for jobs nobody handed over.</summary>
public sealed class ImportDispatcher(IBackgroundJobClient hangfire, ImportJobs jobs)
{
    public async Task ScheduleAsync(long jobId, CancellationToken ct)
    {
        // One hand-over per queued job: the conditional update picks one caller among pages and nodes.
        if (await jobs.TryMarkDispatchedAsync(jobId, ct))
        {
            hangfire.Create<AssayImportJob>(j => j.RunAsync(jobId, null, CancellationToken.None), new Hangfire.States.EnqueuedState(JobsSetup.ImportQueue));
        }
    }

    /// <summary>Before this node's Hangfire server starts: the imports this node was running when it stopped are queued again.</summary>
    public Task RecoverAtStartAsync(string node, CancellationToken ct) => jobs.RecoverAsync(node, StaleAfter, ct);

    /// <summary>Queues again the imports of nodes silent for two minutes, and hands every queued import nobody handed over to Hangfire.</summary>
    public async Task<int> RecoverAndScheduleAsync(string node, CancellationToken ct)
    {
        await jobs.RecoverStaleAsync(node, StaleAfter, ct);
        var due = await jobs.UndispatchedAsync(ct);
        foreach (var id in due)
        {
            await ScheduleAsync(id, ct);
        }
        return due.Count;
    }

    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);
}

/// <summary>Every 15 s: puts imports of dead nodes back in the queue and hands queued imports and label batches to Hangfire.</summary>
public sealed class ImportRecoveryService(ImportDispatcher dispatcher, LabelBatchDispatcher labels, JobNode node, ILogger<ImportRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var count = await dispatcher.RecoverAndScheduleAsync(node.Name, stoppingToken) + await labels.RecoverAndDispatchAsync(stoppingToken);
                if (count > 0)
                {
                    logger.LogInformation("{Count} queued import job(s) or label batch(es) handed to the scheduler", count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Import recovery pass failed; retrying");
            }
            await Task.Delay(TimeSpan.FromSeconds(15), stoppingToken);
        }
    }
}
