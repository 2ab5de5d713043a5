using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Labels;

public static class LabelBatchStates
{
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Printed = "printed";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";
}

/// <summary>A batch of labels for one of a site's printers, as its site's users see it.</summary>
public sealed record LabelBatchView
{
    public long Id { get; init; }
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public string UserName { get; init; } = "";
    public long? UserId { get; init; }
    public long PrinterId { get; init; }
    public string PrinterName { get; init; } = "";
    public string Template { get; init; } = "";
    public string Source { get; init; } = "";
    public string? Barcodes { get; init; }
    public string? BoxBarcode { get; init; }
    public string? SampleBarcode { get; init; }
    public int Labels { get; init; }
    public string Description { get; init; } = "";
    public string State { get; init; } = "";
    public int Attempts { get; init; }
    public string Message { get; init; } = "";
    public DateTime CreatedUtc { get; init; }
    public DateTime? FinishedUtc { get; init; }

    public bool Finished => State is LabelBatchStates.Printed or LabelBatchStates.Failed or LabelBatchStates.Interrupted;

    public PrintLabelsCommand Command => new(new LabelSelection(Source, Barcodes, BoxBarcode, SampleBarcode), Template, LabelOutputs.Printer, PrinterId: PrinterId);
}

/// <summary>How one attempt at a batch ended: done (printed or failed for good), or the printer took nothing and a later attempt may try.</summary>
public sealed record LabelBatchAttempt(LabelBatchView? Batch, bool TryAgain);

/// <summary>
/// Labels for a printer go as a background job. <see cref="SubmitAsync"/> checks everything a print checks (the labels
/// are the caller's site's, the template fits, the printer is the site's) and queues the batch; the job calls
/// <see cref="SendAsync"/>, which claims the row (queued → sending) so one attempt sends it, however many nodes or
/// retries fetch the job. A printer that took nothing puts the batch back in the queue for the job's next retry; a
/// send cut off partway, or by a stopped process, is never repeated by itself: labels may already be on tubes, and a
/// second label for one tube is how mix-ups start.
/// </summary>
public sealed class LabelBatches(IDb db, PrintLabels print, PreviewLabels preview, Printers printers, UserAccounts accounts, TimeProvider clock)
{
    /// <summary>Attempts before a printer that never answers fails the batch; the job's retry delays space them out.</summary>
    public const int MaxAttempts = 5;

    private const string Insert = """
        INSERT INTO label_batch (site_id, user_id, user_name, printer_id, template, source, barcodes, box_barcode, sample_barcode,
                                 labels, description, state, created_utc)
        VALUES (@SiteId, @UserId, @UserName, @PrinterId, @Template, @Source, @Barcodes, @BoxBarcode, @SampleBarcode,
                @Labels, @Description, 'queued', @Now)
        RETURNING id
        """;

    private const string Select = """
        SELECT b.id AS Id, b.site_id AS SiteId, s.code AS SiteCode, b.user_name AS UserName, b.user_id AS UserId,
               b.printer_id AS PrinterId, p.name AS PrinterName, b.template AS Template, b.source AS Source,
               b.barcodes AS Barcodes, b.box_barcode AS BoxBarcode, b.sample_barcode AS SampleBarcode, b.labels AS Labels,
               b.description AS Description, b.state AS State, b.attempts AS Attempts, b.message AS Message,
               b.created_utc AS CreatedUtc, b.finished_utc AS FinishedUtc
        FROM label_batch b JOIN site s ON s.id = b.site_id JOIN printer p ON p.id = b.printer_id
        """;

    // The batch's site is its printer's: that site's users (and central users) see it.
    private const string VisibleTo = "(@AllSites OR b.site_id = @ScopeSiteId)";

    private const string MarkDispatched = """
        UPDATE label_batch SET dispatched_utc = @Now
        WHERE id = @Id AND state = 'queued' AND (dispatched_utc IS NULL OR dispatched_utc < @Again)
        """;

    private const string Undispatched = "SELECT id FROM label_batch WHERE state = 'queued' AND (dispatched_utc IS NULL OR dispatched_utc < @Again) ORDER BY id";

    private const string Claim = """
        UPDATE label_batch SET state = 'sending', node = @Node, attempts = attempts + 1, started_utc = @Now
        WHERE id = @Id AND state = 'queued'
        """;

    private const string Finish = """
        UPDATE label_batch SET state = @State, message = @Message, finished_utc = @Now, node = NULL
        WHERE id = @Id AND state = 'sending' AND node = @Node
        """;

    private const string BackInQueue = """
        UPDATE label_batch SET state = 'queued', message = @Message, node = NULL, dispatched_utc = @Now
        WHERE id = @Id AND state = 'sending' AND node = @Node
        """;

    // A batch left 'sending' by this node (stopped while sending) or by a node silent past the stale time.
    private const string Interrupt = """
        UPDATE label_batch SET state = 'interrupted', finished_utc = @Now, node = NULL,
               message = 'the server stopped while sending: some labels may have printed. Check the printer, then print again what is missing.'
        WHERE state = 'sending' AND (node = @Node OR started_utc < @Stale)
        """;

    /// <summary>Checks the labels, template and printer as a print does, and queues the batch.</summary>
    public async Task<Result<LabelBatchView>> SubmitAsync(Caller caller, PrintLabelsCommand cmd, CancellationToken ct)
    {
        var checkedLabels = await preview.ExecuteAsync(caller, new PreviewLabelsCommand(cmd.What, cmd.Template), ct);
        if (!checkedLabels.Ok)
        {
            return checkedLabels.Problem!;
        }
        var printer = cmd.PrinterId is { } id ? await printers.FindAsync(caller, id, ct) : null;
        if (printer is null || !printer.Active)
        {
            return Result<LabelBatchView>.Invalid("Choose one of your site's printers.", "PrinterId");
        }
        var (set, template, _) = checkedLabels.Value!;
        if (PrintLabels.Unprintable(template, LabelOutputs.Zpl, printer.Dpi, set) is { } refused)
        {
            return refused;
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var batchId = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new
        {
            printer.SiteId,
            UserId = caller.UserId > 0 ? caller.UserId : (long?)null,
            caller.UserName,
            PrinterId = printer.Id,
            Template = template.Name,
            Source = cmd.What.Source ?? "",
            cmd.What.Barcodes,
            cmd.What.BoxBarcode,
            cmd.What.SampleBarcode,
            Labels = set.Labels.Count,
            set.Description,
            Now = clock.GetUtcNow().UtcDateTime,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return Result<LabelBatchView>.Success((await GetAsync(caller, batchId, ct))!);
    }

    /// <summary>A batch as <paramref name="caller"/> may see it: null for another site's.</summary>
    public async Task<LabelBatchView?> GetAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<LabelBatchView>(Select + $" WHERE b.id = @Id AND {VisibleTo}", caller, new { Id = id }, ct: ct);
    }

    public async Task<IReadOnlyList<LabelBatchView>> ListAsync(Caller caller, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<LabelBatchView>(Select + $" WHERE {VisibleTo} ORDER BY b.id DESC LIMIT @Limit", caller,
            new { Limit = Math.Clamp(limit, 1, 200) }, ct: ct)).AsList();
    }

    /// <summary>True for the one caller that may hand this queued batch to the scheduler now (pages and nodes race for it).</summary>
    public async Task<bool> TryMarkDispatchedAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var marked = await c.ExecuteAsync(new CommandDefinition(MarkDispatched, new { Id = id, Now = now, Again = now - RedispatchAfter }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return marked;
    }

    /// <summary>Queued batches nobody handed to the scheduler lately (a process stopped between queueing and handing over).</summary>
    public async Task<IReadOnlyList<long>> UndispatchedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(Undispatched, new { Again = clock.GetUtcNow().UtcDateTime - RedispatchAfter }, cancellationToken: ct))).AsList();
    }

    /// <summary>Batches this node (at its start) or a node silent for <paramref name="stale"/> left half-sent: marked interrupted, never resent.</summary>
    public async Task<int> InterruptAsync(string node, TimeSpan stale, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var n = await c.ExecuteAsync(new CommandDefinition(Interrupt, new { Node = node, Now = now, Stale = now - stale }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return n;
    }

    /// <summary>One attempt at sending the batch, as the user who queued it. Nothing happens when another attempt has it or it has ended.</summary>
    public async Task<LabelBatchAttempt> SendAsync(long id, string node, CancellationToken ct)
    {
        if (!await ClaimAsync(id, node, ct))
        {
            return new LabelBatchAttempt(null, TryAgain: false);
        }
        var batch = (await GetAsync(Caller.System, id, ct))!;
        var submitter = batch.UserId is { } userId ? await accounts.FindAsync(userId, ct) : null;
        if (batch.UserId is not null && (submitter is null || submitter.Disabled))
        {
            return new LabelBatchAttempt(await EndAsync(id, node, LabelBatchStates.Failed, $"not printed: the account of {batch.UserName}, who queued it, is disabled or gone", ct), false);
        }
        var caller = submitter?.ToCaller() ?? Caller.System;
        // The job's own token is not passed on: a send is not broken off halfway by a shutdown; the stop timeout waits.
        var printed = await print.ExecuteAsync(caller, batch.Command, CancellationToken.None);
        if (printed.Ok)
        {
            var outcome = printed.Value!;
            var message = $"{outcome.Labels:N0} label(s) sent to printer {outcome.Printer}" + (outcome.Reprints > 0 ? $" ({outcome.Reprints} printed before: recorded as reprints)" : "");
            return new LabelBatchAttempt(await EndAsync(id, node, LabelBatchStates.Printed, message, ct), false);
        }
        var problem = printed.Problem!;
        if (problem.Code == LabelOutputs.PrinterUnavailable && batch.Attempts < MaxAttempts)
        {
            await BackInQueueAsync(id, node, $"attempt {batch.Attempts} of {MaxAttempts}: {problem.Message} It will be tried again.", ct);
            return new LabelBatchAttempt(await GetAsync(Caller.System, id, ct), TryAgain: true);
        }
        return new LabelBatchAttempt(await EndAsync(id, node, LabelBatchStates.Failed, "not printed: " + problem.Message, ct), false);
    }

    private static readonly TimeSpan RedispatchAfter = TimeSpan.FromMinutes(2);

    private async Task<bool> ClaimAsync(long id, string node, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var claimed = await c.ExecuteAsync(new CommandDefinition(Claim, new { Id = id, Node = node, Now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return claimed;
    }

    private async Task<LabelBatchView?> EndAsync(long id, string node, string state, string message, CancellationToken ct)
    {
        await using (var c = await db.OpenAsync(CancellationToken.None))
        {
            await using var tx = await db.BeginWriteAsync(c, CancellationToken.None);
            var n = await c.ExecuteAsync(new CommandDefinition(Finish, new { Id = id, Node = node, State = state, Message = message, Now = clock.GetUtcNow().UtcDateTime }, tx));
            if (n != 1)
            {
                throw new InvalidOperationException($"label batch {id} is no longer this node's to finish");
            }
            await tx.CommitAsync(CancellationToken.None);
        }
        return await GetAsync(Caller.System, id, ct);
    }

    private async Task BackInQueueAsync(long id, string node, string message, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(BackInQueue, new { Id = id, Node = node, Message = message, Now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
