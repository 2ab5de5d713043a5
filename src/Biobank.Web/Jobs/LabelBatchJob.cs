using Biobank.Core.Labels;
using Hangfire;

namespace Biobank.Web.Jobs;

/// <summary>
/// Sends one queued label batch to its printer. <see cref="LabelBatches.SendAsync"/> claims the batch, so one attempt
/// sends it however often Hangfire runs the job; a printer that took nothing puts it back in the queue, and this job
/// then fails on purpose so Hangfire retries it after a delay (at most <see cref="LabelBatches.MaxAttempts"/> sends).
/// </summary>
[AutomaticRetry(Attempts = LabelBatches.MaxAttempts - 1, DelaysInSeconds = [15, 30, 60, 120], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class LabelBatchJob(LabelBatches batches, JobNode node)
{
    public async Task RunAsync(long batchId, CancellationToken cancellationToken)
    {
        var attempt = await batches.SendAsync(batchId, node.Name, cancellationToken);
        if (attempt.TryAgain)
        {
            throw new PrinterNotReadyException($"label batch {batchId}: {attempt.Batch?.Message}");
        }
    }
}

public sealed class PrinterNotReadyException(string message) : Exception(message);

/// <summary>Hands queued label batches to Hangfire: right after queueing, and every 15 s those nobody handed over.</summary>
public sealed class LabelBatchDispatcher(IBackgroundJobClient hangfire, LabelBatches batches)
{
    /// <summary>A batch left half-sent is marked interrupted, never resent (labels may be on tubes already); older than this, its node is taken for dead.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    public async Task DispatchAsync(long batchId, CancellationToken ct)
    {
        if (await batches.TryMarkDispatchedAsync(batchId, ct))
        {
            hangfire.Create<LabelBatchJob>(j => j.RunAsync(batchId, CancellationToken.None), new Hangfire.States.EnqueuedState(Hangfire.States.EnqueuedState.DefaultQueue));
        }
    }

    /// <summary>Before this node's Hangfire server starts: the batches it was sending when it stopped.</summary>
    public Task RecoverAtStartAsync(string node, CancellationToken ct) => batches.InterruptAsync(node, StaleAfter, ct);

    public async Task<int> RecoverAndDispatchAsync(CancellationToken ct)
    {
        // No node name matches "": only batches of nodes silent past StaleAfter, never this node's send in progress.
        await batches.InterruptAsync("", StaleAfter, ct);
        var due = await batches.UndispatchedAsync(ct);
        foreach (var id in due)
        {
            await DispatchAsync(id, ct);
        }
        return due.Count;
    }
}
