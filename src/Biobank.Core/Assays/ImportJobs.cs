using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Storage;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Biobank.Core.Assays;

public static class ImportJobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

public sealed record ImportJobView
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string FilePath { get; init; } = "";
    public string OriginalName { get; init; } = "";
    public string? Sha256 { get; init; }
    public string Format { get; init; } = "";
    public string RunCode { get; init; } = "";
    public string? OptionsJson { get; init; }
    public string State { get; init; } = "";
    public string? Phase { get; init; }
    public long BytesTotal { get; init; }
    public long BytesRead { get; init; }
    public long RowsRead { get; init; }
    public long RowsValidated { get; init; }
    public long RowsWritten { get; init; }
    public long ProblemCount { get; init; }
    public string? Problems { get; init; }
    public string? Message { get; init; }
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";
    public long? CreatedByUserId { get; init; }
    public DateTime? StartedUtc { get; init; }
    public DateTime? HeartbeatUtc { get; init; }
    public DateTime? FinishedUtc { get; init; }
    public bool CancelRequested { get; init; }
    public int Attempts { get; init; }
    public string? Node { get; init; }

    public bool Finished => State is ImportJobStates.Succeeded or ImportJobStates.Failed or ImportJobStates.Cancelled;

    /// <summary>The problems of a refused file, as stored (at most 1,000; <see cref="ProblemCount"/> has the total).</summary>
    public IReadOnlyList<RowProblem> ProblemList() =>
        Problems is null ? [] : JsonSerializer.Deserialize<List<RowProblem>>(Problems) ?? [];
}

/// <summary>
/// What a page submits: the uploaded file already saved at <see cref="FilePath"/>, and the import's options.
/// <see cref="Spooled"/> marks a copy the web app made of an upload: the job deletes it when it ends. A file named
/// by anyone else (an operator's own file) is never deleted.
/// </summary>
public sealed record ImportJobRequest(
    string FilePath, string OriginalName, Formats.AssayFormatChoice Format, string RunCode, string? PlatformCode = null, bool AddAnalytes = false,
    IReadOnlyList<string>? References = null, decimal ConsumeUl = 10m, string? ControlPattern = null, DateOnly? RunDate = null, string? Operator = null,
    string? LabSiteCode = null, bool Spooled = false);

/// <summary>
/// The import_job table: the queue a background scheduler (Hangfire in the web app) works through, and the progress a
/// page shows. A job's state turns 'succeeded' in the import's own transaction, so a crash can never leave rows
/// written by a job that is not marked done: after a restart <see cref="RecoverAsync"/> puts interrupted jobs back
/// in the queue and the retry starts from scratch (the interrupted transaction was rolled back by the database).
/// </summary>
public sealed class ImportJobs(IDb db, TimeProvider clock)
{
    public const string Kind = "assay-import";

    internal const string Select = """
        SELECT id AS Id, kind AS Kind, file_path AS FilePath, original_name AS OriginalName, sha256 AS Sha256, format AS Format, run_code AS RunCode,
               options_json AS OptionsJson, state AS State, phase AS Phase, bytes_total AS BytesTotal, bytes_read AS BytesRead, rows_read AS RowsRead,
               rows_validated AS RowsValidated, rows_written AS RowsWritten, problem_count AS ProblemCount, problems AS Problems, message AS Message,
               created_utc AS CreatedUtc, created_by AS CreatedBy, created_by_user_id AS CreatedByUserId, started_utc AS StartedUtc, heartbeat_utc AS HeartbeatUtc, finished_utc AS FinishedUtc,
               cancel_requested AS CancelRequested, attempts AS Attempts, node AS Node
        FROM import_job
        """;

    /// <summary>How many imports one user may have waiting or running: each holds an uploaded file on disk.</summary>
    public const int MaxOpenPerUser = 3;

    // The cap is part of the insert, so a burst of uploads cannot all pass a count read beforehand.
    private const string Insert = """
        INSERT INTO import_job (kind, file_path, original_name, format, run_code, options_json, state, bytes_total, created_utc, created_by, created_by_user_id, cancel_requested, attempts)
        SELECT @Kind, @FilePath, @OriginalName, @Format, @RunCode, @Options, 'queued', @Bytes, @Now, @User, @UserId, FALSE, 0
        WHERE (SELECT COUNT(*) FROM import_job WHERE created_by = @User AND state IN ('queued', 'running')) < @Max
        RETURNING id
        """;

    public const string QueueFullCode = "import_queue_full";

    // Scoped like the reads: another site's job is not cancelled, and the caller cannot tell it from a missing one.
    private const string CancelQueued = "UPDATE import_job SET state = 'cancelled', finished_utc = @Now, message = @Message WHERE id = @Id AND state = 'queued' AND " + VisibleTo + " RETURNING options_json";

    private const string CancelRunning = "UPDATE import_job SET cancel_requested = TRUE WHERE id = @Id AND state = 'running' AND " + VisibleTo;

    // Interrupted jobs: at start, those this node was running when it stopped; always, those of another node whose
    // heartbeats stopped. Never this node's own running job after start: on SQLite the import writes no heartbeat
    // while it holds the write lock, and requeueing it under its feet would make it refuse its own commit.
    private const string Requeue = """
        UPDATE import_job SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END, node = NULL, phase = NULL, dispatched_utc = NULL,
               finished_utc = CASE WHEN cancel_requested THEN @Now ELSE NULL END,
               message = 'interrupted (the process stopped); nothing of this attempt was written'
        WHERE state = 'running' AND ((@AtStart AND node = @Node) OR (node <> @Node AND heartbeat_utc < @Stale))
        RETURNING id
        """;

    private const string QueuedIds = "SELECT id FROM import_job WHERE state = 'queued' ORDER BY id";

    // A queued job nobody handed to the scheduler, or handed over so long ago that the hand-over may have been lost
    // (the node died between this update and the scheduler's insert). A second hand-over is harmless: the claim in
    // RunImportJob lets one run through.
    private const string Undispatched = "SELECT id FROM import_job WHERE state = 'queued' AND (dispatched_utc IS NULL OR dispatched_utc < @Stale) ORDER BY id";

    private const string MarkDispatched = "UPDATE import_job SET dispatched_utc = @Now WHERE id = @Id AND state = 'queued' AND (dispatched_utc IS NULL OR dispatched_utc < @Stale)";

    /// <summary>After this long a queued job is handed to the scheduler again (a hand-over lost with a dying node).</summary>
    public static readonly TimeSpan DispatchAgainAfter = TimeSpan.FromMinutes(10);

    /// <summary>Queues an import; refused by name while the caller already has <see cref="MaxOpenPerUser"/> imports waiting or running.</summary>
    public async Task<Result<long>> EnqueueAsync(Caller caller, ImportJobRequest request, CancellationToken ct)
    {
        var options = JsonSerializer.Serialize(request);
        var bytes = File.Exists(request.FilePath) ? new FileInfo(request.FilePath).Length : 0;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var id = await c.ExecuteScalarAsync<long?>(new CommandDefinition(Insert, new
        {
            Max = MaxOpenPerUser,
            Kind,
            request.FilePath,
            request.OriginalName,
            Format = AssayFormats.Name(request.Format),
            request.RunCode,
            Options = options,
            Bytes = bytes,
            Now = clock.GetUtcNow().UtcDateTime,
            User = caller.UserName,
            // The system caller (id 0) is no account: its jobs keep NULL and run as the system, as before.
            UserId = caller.UserId > 0 ? caller.UserId : (long?)null,
        }, tx, cancellationToken: ct));
        if (id is null)
        {
            return new Problem($"You already have {MaxOpenPerUser} imports waiting or running. Wait until one has finished (or cancel one), then upload this file again.",
                "Upload", ProblemKind.Conflict, QueueFullCode);
        }
        await tx.CommitAsync(ct);
        return Result<long>.Success(id.Value);
    }

    public async Task<ImportJobView?> GetAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<ImportJobView>(new CommandDefinition(Select + " WHERE id = @Id", new { Id = id }, cancellationToken: ct));
    }

    // A site's users see the jobs their site's users submitted (a refused file's problems name its aliquots); central
    // users see all, including those of the CLI.
    private const string VisibleTo = "(@AllSites OR created_by IN (SELECT user_name FROM app_user WHERE site_id = @ScopeSiteId))";

    /// <summary>A job as <paramref name="caller"/> may see it: null for another site's job.</summary>
    public async Task<ImportJobView?> GetAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<ImportJobView>(Select + $" WHERE id = @Id AND {VisibleTo}", caller, new { Id = id }, ct: ct);
    }

    public async Task<IReadOnlyList<ImportJobView>> ListAsync(Caller caller, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<ImportJobView>(Select + $" WHERE {VisibleTo} ORDER BY id DESC LIMIT @Limit", caller, new { Limit = Math.Clamp(limit, 1, 500) }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<ImportJobView>> ListAsync(string? state, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ImportJobView>(new CommandDefinition(Select + " WHERE (@State IS NULL OR state = @State) ORDER BY id DESC LIMIT @Limit",
            new { State = state, Limit = Math.Clamp(limit, 1, 500) }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<long>> QueuedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(QueuedIds, cancellationToken: ct))).AsList();
    }

    /// <summary>A queued job is cancelled at once; a running one is asked to stop (its import rolls back). False when already finished.</summary>
    public async Task<bool> RequestCancelAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var options = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(CancelQueued, Scoped.Params(caller, new { Id = id, Now = clock.GetUtcNow().UtcDateTime, Message = $"cancelled by {caller.UserName} before it started" }), tx, cancellationToken: ct));
        var done = options is not null || await c.ExecuteAsync(new CommandDefinition(CancelRunning, Scoped.Params(caller, new { Id = id }), tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        // A job cancelled before it ran never reaches the runner, which deletes the upload of the jobs it ends.
        if (options is not null && JsonSerializer.Deserialize<ImportJobRequest>(options) is { Spooled: true } request)
        {
            try
            {
                File.Delete(request.FilePath);
            }
            catch (IOException)
            {
                // left for the operator; the job is cancelled either way
            }
        }
        return done;
    }

    // At start a node cannot tell whether a hand-over it made before it stopped reached the scheduler (a kill between
    // the mark and the scheduler's insert loses it; CrashTests found one): every queued job is handed over again. A
    // second hand-over costs a run that claims nothing.
    private const string ForgetDispatches = "UPDATE import_job SET dispatched_utc = NULL WHERE state = 'queued'";

    /// <summary>
    /// At start-up: requeues the jobs this node was running and those of other nodes silent for <paramref name="staleAfter"/>
    /// (returns their ids), and makes every queued job due for a hand-over to the scheduler.
    /// </summary>
    public async Task<IReadOnlyList<long>> RecoverAsync(string node, TimeSpan staleAfter, CancellationToken ct)
    {
        var requeued = await RequeueAsync(node, atStart: true, staleAfter, ct);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(ForgetDispatches, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return requeued;
    }

    /// <summary>While running: requeues only the jobs of other nodes silent for <paramref name="staleAfter"/>.</summary>
    public Task<IReadOnlyList<long>> RecoverStaleAsync(string node, TimeSpan staleAfter, CancellationToken ct) => RequeueAsync(node, atStart: false, staleAfter, ct);

    private async Task<IReadOnlyList<long>> RequeueAsync(string node, bool atStart, TimeSpan staleAfter, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var ids = (await c.QueryAsync<long>(new CommandDefinition(Requeue, new { Node = node, AtStart = atStart, Stale = now - staleAfter, Now = now }, tx, cancellationToken: ct))).AsList();
        await tx.CommitAsync(ct);
        return ids;
    }

    /// <summary>Queued jobs waiting for a hand-over to the scheduler.</summary>
    public async Task<IReadOnlyList<long>> UndispatchedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(Undispatched, new { Stale = clock.GetUtcNow().UtcDateTime - DispatchAgainAfter }, cancellationToken: ct))).AsList();
    }

    /// <summary>Takes the hand-over of a queued job to the scheduler: true for exactly one caller (per <see cref="DispatchAgainAfter"/>).</summary>
    public async Task<bool> TryMarkDispatchedAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var taken = await c.ExecuteAsync(new CommandDefinition(MarkDispatched, new { Id = id, Now = now, Stale = now - DispatchAgainAfter }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return taken;
    }
}

/// <summary>Live progress of the imports running in this process, for a progress bar refreshed faster than the database is written.</summary>
public sealed class ImportJobProgress
{
    private readonly ConcurrentDictionary<long, ImportProgress> _live = new();

    public ImportProgress? Get(long jobId) => _live.TryGetValue(jobId, out var p) ? p : null;

    internal void Set(long jobId, ImportProgress p) => _live[jobId] = p;

    internal void Remove(long jobId) => _live.TryRemove(jobId, out _);
}

/// <summary>
/// Runs one queued import job: claims it (a conditional update, so two nodes never run one job), imports with
/// progress written to import_job about once a second, stops when a cancel is requested, and records the outcome.
/// The scheduler calls <see cref="ExecuteAsync"/> with the job id; the token is the host's shutdown.
/// </summary>
public sealed class RunImportJob(IDb db, ImportAssay import, ImportJobs jobs, ImportJobProgress live, UserAccounts accounts, TimeProvider clock, ILogger<RunImportJob> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    // A queued job is claimed. So is one left 'running' by a node the job scheduler has given up on (Hangfire fetches
    // a job again when the node that fetched it stopped keeping it invisible, and says so as recovering) once that
    // node's heartbeats have been silent a while: its transaction died with it, so nothing of that attempt was written.
    private const string Claim = """
        UPDATE import_job SET state = 'running', node = @Node, started_utc = @Now, heartbeat_utc = @Now, attempts = attempts + 1, message = NULL
        WHERE id = @Id AND (state = 'queued' OR (@Recovering AND state = 'running' AND node <> @Node AND heartbeat_utc < @Silent))
        """;

    /// <summary>How long a dead node's job must have been silent before a recovering run takes it over.</summary>
    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(10);

    private const string Progress = """
        UPDATE import_job SET phase = @Phase, bytes_read = @BytesRead, rows_read = @RowsRead, rows_validated = @RowsValidated, rows_written = @RowsWritten,
               heartbeat_utc = @Now
        WHERE id = @Id AND state = 'running'
        """;

    private const string Finish = """
        UPDATE import_job SET state = @State, phase = 'done', problems = @Problems, problem_count = @Count, message = @Message, finished_utc = @Now,
               rows_read = @RowsRead, rows_validated = @RowsValidated
        WHERE id = @Id AND state = 'running'
        """;

    private const string Requeue = "UPDATE import_job SET state = 'queued', node = NULL, message = 'the process stopped; it will run again' WHERE id = @Id AND state = 'running'";

    private const string Cancelled = "SELECT cancel_requested FROM import_job WHERE id = @Id";

    /// <param name="recovering">The job scheduler runs this job again because the node running it died.</param>
    public async Task<ImportJobView?> ExecuteAsync(long jobId, string node, CancellationToken ct, bool recovering = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var c = await db.OpenAsync(ct))
        {
            await using var tx = await db.BeginWriteAsync(c, ct);
            var claimed = await c.ExecuteAsync(new CommandDefinition(Claim, new { Id = jobId, Node = node, Now = now, Recovering = recovering, Silent = now - TakeOverAfter }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            if (claimed == 0)
            {
                return await jobs.GetAsync(jobId, ct);
            }
        }
        var job = (await jobs.GetAsync(jobId, ct))!;
        var request = JsonSerializer.Deserialize<ImportJobRequest>(job.OptionsJson!)!;
        if (job.CancelRequested)
        {
            DeleteSpool(request);
            return await FinishAsync(jobId, ImportJobStates.Cancelled, "cancelled before it started; nothing was written", null, default);
        }
        var caller = await SubmitterAsync(job, ct);
        if (caller is null)
        {
            DeleteSpool(request);
            return await FinishAsync(jobId, ImportJobStates.Failed, "refused: the account that submitted this import no longer exists or is disabled; nothing was written", null, default);
        }
        var command = new ImportAssayCommand
        {
            FilePath = request.FilePath,
            OriginalName = request.OriginalName,
            Format = request.Format,
            RunCode = request.RunCode,
            PlatformCode = request.PlatformCode,
            AddAnalytes = request.AddAnalytes,
            References = request.References ?? [],
            ConsumeUl = request.ConsumeUl,
            ControlPattern = request.ControlPattern ?? AssayFormats.DefaultControlPattern,
            RunDate = request.RunDate,
            Operator = request.Operator,
            LabSiteCode = request.LabSiteCode,
            JobId = jobId,
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var userCancel = false;
        var latest = new ImportProgress(ImportPhase.Checking, job.BytesTotal, 0, 0, 0, 0, 0);
        var progress = new Reporter(p =>
        {
            latest = p;
            live.Set(jobId, p);
        });
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(ProgressInterval, watching.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                try
                {
                    await using var c = await db.OpenAsync(CancellationToken.None);
                    if (await c.ExecuteScalarAsync<bool>(new CommandDefinition(Cancelled, new { Id = jobId })))
                    {
                        userCancel = true;
                        await stop.CancelAsync();
                    }
                    // On SQLite the import holds the one write lock while writing: progress then lives in memory only.
                    var p = latest;
                    if (p.Phase != ImportPhase.Writing || db.Dialect.Provider != DatabaseProvider.Sqlite)
                    {
                        await using var tx = await db.BeginWriteAsync(c, CancellationToken.None);
                        await c.ExecuteAsync(new CommandDefinition(Progress, new
                        {
                            Id = jobId, Phase = p.Phase.ToString().ToLowerInvariant(), p.BytesRead, p.RowsRead, p.RowsValidated, p.RowsWritten,
                            Now = clock.GetUtcNow().UtcDateTime,
                        }, tx));
                        await tx.CommitAsync();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not record the progress of import job {JobId}", jobId);
                }
            }
        }, CancellationToken.None);

        ImportAssayOutcome? outcome = null;
        string state;
        string message;
        try
        {
            outcome = await import.ExecuteAsync(caller, command, progress, stop.Token);
            state = outcome.Ok ? ImportJobStates.Succeeded : ImportJobStates.Failed;
            message = outcome.Ok
                ? $"{outcome.Summary!.Results:N0} results and {outcome.Summary.Controls:N0} controls into run {outcome.Summary.RunCode}"
                : $"refused: {outcome.ProblemCount:N0} problem(s); nothing was written";
        }
        catch (OperationCanceledException) when (userCancel)
        {
            state = ImportJobStates.Cancelled;
            message = "cancelled while running; nothing was written";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            state = ImportJobStates.Queued;
            message = "";
        }
#pragma warning disable CA1031 // a job runner records any failure on the job row for the user instead of crashing the scheduler's thread
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Import job {JobId} failed", jobId);
            state = ImportJobStates.Failed;
            message = "failed: " + e.Message;
        }
        finally
        {
            await watching.CancelAsync();
            await watcher;
            live.Remove(jobId);
        }
        logger.LogInformation("Import job {JobId} {State}: {Message}", jobId, state, message);
        var finished = state == ImportJobStates.Succeeded
            ? await jobs.GetAsync(jobId, CancellationToken.None)
            : await FinishAsync(jobId, state, message, outcome, latest);
        // Only the attempt that ended the job deletes its upload. Under load a silent node's attempt can be taken over
        // while it still runs; when that overtaken attempt ends, the job (and the file) belong to the node that took it.
        if (state != ImportJobStates.Queued && finished is { State: ImportJobStates.Succeeded or ImportJobStates.Failed or ImportJobStates.Cancelled } ended
            && ended.Node == node)
        {
            DeleteSpool(request);
        }
        return finished;
    }

    /// <summary>An ended job's upload is no longer needed (its hash and results are in the database); a requeued one keeps it.</summary>
    private void DeleteSpool(ImportJobRequest request)
    {
        if (!request.Spooled)
        {
            return;
        }
        try
        {
            File.Delete(request.FilePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not delete the uploaded file {Path}", request.FilePath);
        }
    }

    /// <summary>
    /// The job runs with the submitter's rights as they are now (roles and site), never more: a site biologist's file
    /// reaches only that site's aliquots. A job of the system caller (no account) runs as the system.
    /// </summary>
    private async Task<Caller?> SubmitterAsync(ImportJobView job, CancellationToken ct)
    {
        var user = job.CreatedByUserId is { } id ? await accounts.FindAsync(id, ct) : await accounts.FindByNameAsync(job.CreatedBy, ct);
        if (user is null)
        {
            // Only a job queued before jobs recorded their user, by the system caller, has neither id nor account.
            return job.CreatedByUserId is null && job.CreatedBy == Caller.System.UserName ? Caller.System : null;
        }
        return user.Disabled ? null : user.ToCaller();
    }

    private async Task<ImportJobView?> FinishAsync(long jobId, string state, string message, ImportAssayOutcome? outcome, ImportProgress latest)
    {
        await using (var c = await db.OpenAsync(CancellationToken.None))
        {
            await using var tx = await db.BeginWriteAsync(c, CancellationToken.None);
            if (state == ImportJobStates.Queued)
            {
                await c.ExecuteAsync(new CommandDefinition(Requeue, new { Id = jobId }, tx));
            }
            else
            {
                var problems = outcome?.Problems ?? [];
                await c.ExecuteAsync(new CommandDefinition(Finish, new
                {
                    Id = jobId,
                    State = state,
                    Problems = problems.Count == 0 ? null : JsonSerializer.Serialize(problems),
                    Count = outcome?.ProblemCount ?? 0,
                    Message = message,
                    Now = clock.GetUtcNow().UtcDateTime,
                    latest.RowsRead,
                    latest.RowsValidated,
                }, tx));
            }
            await tx.CommitAsync();
        }
        return await jobs.GetAsync(jobId, CancellationToken.None);
    }

    private sealed class Reporter(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
