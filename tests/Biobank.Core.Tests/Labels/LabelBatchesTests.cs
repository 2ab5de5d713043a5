using System.Text;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Tests.Support;
using Biobank.Labels.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Labels;

/// <summary>
/// Labels for a printer go as a queued batch: checked when queued, sent once by whichever attempt claims it, tried again
/// while the printer takes nothing, and never resent by itself once a send may have put labels on tubes.
/// </summary>
public sealed class LabelBatchesTests
{
    private static readonly Dictionary<string, string?> LocalPrinters = new() { [PrinterOptions.Setting] = "true" };

    [Theory, Providers]
    public async Task A_batch_for_a_printer_that_is_off_waits_in_the_queue_and_prints_once_when_it_is_back(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, settings: LocalPrinters);
        await LabData.SeedAsync(db);
        var admin = await LabData.CallerAsync(db, "admin.ess");
        var tech = await LabData.CallerAsync(db, "tech.ess");
        var port = LoopbackPrinter.ClosedPort();
        var printerId = (await db.Get<Printers>().AddAsync(admin, new PrinterInput(admin.SiteId!.Value, "Bench Zebra", "127.0.0.1", port), default)).Value;
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var batches = db.Get<LabelBatches>();

        var queued = (await batches.SubmitAsync(tech, Command(tubes, printerId), default)).Value!;
        (queued.State, queued.Labels, queued.PrinterName, queued.UserName).ShouldBe((LabelBatchStates.Queued, 3, "Bench Zebra", "tech.ess"));
        (await batches.GetAsync(await LabData.CallerAsync(db, "tech.bru"), queued.Id, default)).ShouldBeNull("another site's user does not see it");

        var off = await batches.SendAsync(queued.Id, "node-a", default);
        off.TryAgain.ShouldBeTrue();
        (off.Batch!.State, off.Batch.Attempts).ShouldBe((LabelBatchStates.Queued, 1));
        off.Batch.Message.ShouldContain("Bench Zebra");
        off.Batch.Message.ShouldContain("tried again");
        (await PrintAuditCountAsync(db)).ShouldBe(0);

        using var printer = new LoopbackPrinter(port);
        var sent = await batches.SendAsync(queued.Id, "node-a", default);
        (sent.TryAgain, sent.Batch!.State, sent.Batch.Attempts).ShouldBe((false, LabelBatchStates.Printed, 2));
        sent.Batch.Message.ShouldBe("3 label(s) sent to printer Bench Zebra");
        var zpl = Encoding.UTF8.GetString(await printer.ReceivedAsync());
        tubes.ShouldAllBe(t => zpl.Contains(t, StringComparison.Ordinal));

        // The scheduler may fetch the job again (a retry, another node): the row says it is done, so nothing is sent.
        var again = await batches.SendAsync(queued.Id, "node-b", default);
        (again.Batch, again.TryAgain).ShouldBe((null, false));
        (await PrintAuditCountAsync(db)).ShouldBe(3, "one print row per tube, once");
    }

    [Theory, Providers]
    public async Task A_batch_cut_off_by_a_stopped_process_is_marked_interrupted_and_never_resent(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, settings: LocalPrinters);
        await LabData.SeedAsync(db);
        var admin = await LabData.CallerAsync(db, "admin.ess");
        var tech = await LabData.CallerAsync(db, "tech.ess");
        var printerId = (await db.Get<Printers>().AddAsync(admin, new PrinterInput(admin.SiteId!.Value, "Bench Zebra", "127.0.0.1", LoopbackPrinter.ClosedPort()), default)).Value;
        var batches = db.Get<LabelBatches>();
        var first = (await batches.SubmitAsync(tech, Command(await LabData.NewAliquotsAsync(db, tech, 1), printerId), default)).Value!;
        var second = (await batches.SubmitAsync(tech, Command(await LabData.NewAliquotsAsync(db, tech, 1), printerId), default)).Value!;
        // node-a was sending both when it was killed: the first by this node, the second long enough ago to be stale.
        await using (var c = await db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE label_batch SET state = 'sending', node = 'node-a', started_utc = @Now WHERE id = @Id", new { first.Id, Now = db.Clock.GetUtcNow().UtcDateTime });
            await c.ExecuteAsync("UPDATE label_batch SET state = 'sending', node = 'node-z', started_utc = @Then WHERE id = @Id", new { second.Id, Then = db.Clock.GetUtcNow().UtcDateTime.AddMinutes(-30) });
        }

        (await batches.InterruptAsync("node-a", TimeSpan.FromMinutes(10), default)).ShouldBe(2);

        foreach (var id in new[] { first.Id, second.Id })
        {
            var batch = (await batches.GetAsync(tech, id, default))!;
            batch.State.ShouldBe(LabelBatchStates.Interrupted);
            batch.Message.ShouldContain("some labels may have printed");
            (await batches.SendAsync(id, "node-a", default)).Batch.ShouldBeNull();
        }
        (await batches.UndispatchedAsync(default)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task A_printer_that_never_answers_fails_the_batch_after_the_last_attempt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, settings: LocalPrinters);
        await LabData.SeedAsync(db);
        var admin = await LabData.CallerAsync(db, "admin.ess");
        var tech = await LabData.CallerAsync(db, "tech.ess");
        var printerId = (await db.Get<Printers>().AddAsync(admin, new PrinterInput(admin.SiteId!.Value, "Switched off", "127.0.0.1", LoopbackPrinter.ClosedPort()), default)).Value;
        var batches = db.Get<LabelBatches>();
        var batch = (await batches.SubmitAsync(tech, Command(await LabData.NewAliquotsAsync(db, tech, 1), printerId), default)).Value!;

        LabelBatchAttempt attempt;
        var attempts = 0;
        do
        {
            attempt = await batches.SendAsync(batch.Id, "node-a", default);
            attempts++;
        }
        while (attempt.TryAgain);

        attempts.ShouldBe(LabelBatches.MaxAttempts);
        attempt.Batch!.State.ShouldBe(LabelBatchStates.Failed);
        attempt.Batch.Message.ShouldStartWith("not printed: ");
        (await PrintAuditCountAsync(db)).ShouldBe(0);
    }

    [Theory, Providers]
    public async Task Another_sites_tube_or_printer_is_refused_when_queued_and_nothing_is_queued(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, settings: LocalPrinters);
        await LabData.SeedAsync(db);
        var bruAdmin = await LabData.CallerAsync(db, "admin.bru");
        var bru = await LabData.CallerAsync(db, "tech.bru");
        var lyo = await LabData.CallerAsync(db, "tech.lyo");
        var bruPrinter = (await db.Get<Printers>().AddAsync(bruAdmin, new PrinterInput(bruAdmin.SiteId!.Value, "BRU Zebra", "127.0.0.1", 9100), default)).Value;
        var lyoTubes = await LabData.NewAliquotsAsync(db, lyo, 1);
        var bruTubes = await LabData.NewAliquotsAsync(db, bru, 1);
        var batches = db.Get<LabelBatches>();

        (await batches.SubmitAsync(bru, Command(lyoTubes, bruPrinter), default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await batches.SubmitAsync(lyo, Command(lyoTubes, bruPrinter), default)).Problem!.Field.ShouldBe("PrinterId");
        (await batches.SubmitAsync(bru, Command(bruTubes, printerId: 999_999), default)).Problem!.Field.ShouldBe("PrinterId");
        (await batches.ListAsync(Caller.System, 10, default)).ShouldBeEmpty();
    }

    private static PrintLabelsCommand Command(IEnumerable<string> tubes, long printerId) =>
        new(new LabelSelection(LabelSources.Aliquots, string.Join("\n", tubes)), "cryovial-2d", LabelOutputs.Printer, PrinterId: printerId);

    private static async Task<long> PrintAuditCountAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'print'");
    }
}
