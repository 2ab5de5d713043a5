using Biobank.Core.Assays;
using Quartz;

namespace Biobank.Web.Jobs;

/// <summary>
/// The Quartz job that runs one queued assay import. It asks for recovery: if the node running it dies, Quartz
/// fires it again (on this node after a restart, or on another node of the cluster). The import itself claims the
/// job row with a conditional update and commits rows and 'succeeded' together, so a re-run never duplicates rows.
/// </summary>
public sealed class AssayImportJob(RunImportJob run, ILogger<AssayImportJob> logger) : IJob
{
    public const string JobIdKey = "importJobId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var id = Convert.ToInt64(context.MergedJobDataMap[JobIdKey], System.Globalization.CultureInfo.InvariantCulture);
        logger.LogInformation("Assay import job {JobId} starting{Recovering}", id, context.Recovering ? " (recovering after a node stopped)" : "");
        await run.ExecuteAsync(id, context.Scheduler.SchedulerInstanceId, cancellationToken, recovering: context.Recovering);
    }
}

/// <summary>Hands queued import jobs to Quartz: right after enqueueing, and at start-up for jobs interrupted or queued elsewhere (the CLI).</summary>
public sealed class ImportDispatcher(ISchedulerFactory schedulers, ImportJobs jobs, TimeProvider clock)
{
    public async Task ScheduleAsync(long jobId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var key = new JobKey($"assay-import-{jobId}", "imports");
        if (await scheduler.Exists(key, ct))
        {
            return;
        }
        var job = JobBuilder.Create<AssayImportJob>().WithIdentity(key).UsingJobData(AssayImportJob.JobIdKey, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RequestRecovery(true).Build();
        var trigger = TriggerBuilder.Create(clock).WithIdentity($"assay-import-{jobId}", "imports").ForJob(key).StartNow().Build();
        try
        {
            await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions(), ct);
        }
        catch (ObjectAlreadyExistsException)
        {
            // another node scheduled it first
        }
    }

    public async Task<int> RecoverAndScheduleAsync(string node, CancellationToken ct)
    {
        await jobs.RecoverAsync(node, TimeSpan.FromMinutes(2), ct);
        var queued = await jobs.QueuedAsync(ct);
        foreach (var id in queued)
        {
            await ScheduleAsync(id, ct);
        }
        return queued.Count;
    }
}

/// <summary>At start and then every 15 s: puts interrupted imports back in the queue and schedules queued ones.</summary>
public sealed class ImportRecoveryService(ImportDispatcher dispatcher, ISchedulerFactory schedulers, ILogger<ImportRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var scheduler = await schedulers.GetScheduler(stoppingToken);
                var count = await dispatcher.RecoverAndScheduleAsync(scheduler.SchedulerInstanceId, stoppingToken);
                if (count > 0)
                {
                    logger.LogInformation("{Count} queued import job(s) handed to the scheduler", count);
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
