using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Biobank.Reliability.Tests.Support;
using Dapper;
using Xunit.Abstractions;

namespace Biobank.Reliability.Tests;

/// <summary>
/// Issue #9, crashes: the web process is killed with SIGKILL at random moments during assay imports (background jobs),
/// label batches and receiving, then started again on the same database. After every restart: the database's own
/// checks pass, every tube's custody replay equals its stored place and status, every assay run holds exactly what its
/// committed imports counted, the interrupted work finishes (the import job is requeued and lands exactly once) or can
/// be done again (the label batch is printed again, receiving goes on), and nothing is half-written.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int ImportAliquots = 400;
    private const int ShipmentTubes = 250;

    private sealed record Job
    {
        public long Id { get; init; }
        public string State { get; init; } = "";
        public long Attempts { get; init; }
        public string? Message { get; init; }
    }

    [Theory, Providers]
    public async Task Killing_the_web_process_mid_work_never_leaves_a_half_written_record(string provider)
    {
        var seed = 20261123;
        var rng = new Random(seed);
        await using var db = await ReliabilityDb.CreateAsync(provider, patients: 60);
        var kills = ReliabilityDb.Kills;
        var aliquots = (await ReliabilityData.QueryAsync<string>(db, """
            SELECT t.barcode FROM tube t JOIN patient p ON p.id = t.patient_id JOIN sample_type st ON st.id = t.sample_type_id
            WHERE t.kind = 'aliquot' AND t.status = 'in_storage' AND p.consent_status = 'given' AND st.code = 'PLASMA' AND t.remaining_ul >= 50
            ORDER BY t.id
            """)).Take(ImportAliquots).ToList();
        aliquots.Count.ShouldBe(ImportAliquots);
        var proteins = await ReliabilityData.PlasmaProteinsAsync(db);
        var shipments = await ReliabilityData.DispatchShipmentsAsync(db, kills / 3 + 1, ShipmentTubes);
        var labelTubes = (await ReliabilityData.QueryAsync<string>(db, """
            SELECT t.barcode FROM tube t JOIN site s ON s.id = t.site_id WHERE s.code = 'BRU' AND t.kind = 'aliquot' ORDER BY t.id
            """)).Take(300).ToList();

        await using var node = new WebNode($"crash-{provider}", db.NodeEnvironment("crash"));
        await node.StartAsync();
        using var receiver = Bearer(node, await db.TokenAsync("tech.sto"));
        var shipmentIndex = 0;
        var outcomes = new List<string>();
        var restart = new List<double>();
        for (var round = 0; round < kills; round++)
        {
            var kind = (round % 3) switch { 0 => "assay import", 1 => "label batch", _ => "receiving" };
            var delay = TimeSpan.FromMilliseconds(rng.Next(0, (round % 3) switch { 0 => 2500, 1 => 1500, _ => 900 }));
            string outcome;
            switch (round % 3)
            {
                case 0:
                {
                    var run = $"CRASH-{round:D2}";
                    var file = ReliabilityData.NpxFile(aliquots, proteins, round);
                    using var browser = await FormClient.SignInAsync(node.Url, "biologist");
                    using var r = await FormClient.UploadAsync(browser, "/Assays", new() { ["Format"] = "npx", ["RunCode"] = run, ["ConsumeUl"] = "1" }, "Upload", $"{run}.csv", file);
                    r.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the upload is accepted and queued");
                    await Task.Delay(delay);
                    var before = await JobAsync(db, run);
                    node.Kill();
                    var sw = Stopwatch.StartNew();
                    await node.StartAsync();
                    restart.Add(sw.Elapsed.TotalSeconds);
                    var job = await WaitForJobAsync(db, run);
                    job.State.ShouldBe("succeeded", $"the interrupted import of {run} is run again after the restart ({job.Message})");
                    var expected = ImportAliquots * proteins.Count;
                    (await ReliabilityData.ScalarAsync(db, $"SELECT COUNT(*) FROM assay_result r JOIN assay_run ru ON ru.id = r.run_id WHERE ru.run_code = '{run}'")).ShouldBe(expected, $"{run} landed exactly once");
                    (await ReliabilityData.ScalarAsync(db, $"SELECT COUNT(*) FROM assay_file f JOIN assay_run ru ON ru.id = f.run_id WHERE ru.run_code = '{run}'")).ShouldBe(1);
                    outcome = $"killed with the job {before?.State ?? "not yet recorded"}; after restart {job.State} on attempt {job.Attempts}, {expected:N0} results once";
                    break;
                }
                case 1:
                {
                    using var browser = await FormClient.SignInAsync(node.Url, "tech.bru");
                    var printsBefore = await ReliabilityData.ScalarAsync(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'print'");
                    var print = PrintAsync(browser, labelTubes);
                    await Task.Delay(delay);
                    node.Kill();
                    var answered = await AnsweredAsync(print);
                    var sw = Stopwatch.StartNew();
                    await node.StartAsync();
                    restart.Add(sw.Elapsed.TotalSeconds);
                    var logged = await ReliabilityData.ScalarAsync(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'print'") - printsBefore;
                    logged.ShouldBeOneOf([0L, labelTubes.Count], "a label batch is logged whole or not at all");
                    using var again = await FormClient.SignInAsync(node.Url, "tech.bru");
                    using var reprint = await PrintAsync(again, labelTubes);
                    reprint.StatusCode.ShouldBe(HttpStatusCode.OK, "the batch can be printed again");
                    reprint.Content.Headers.ContentType?.MediaType.ShouldBe("application/pdf");
                    outcome = $"killed {(answered ? "after the PDF was sent" : "while printing")}; {logged} of {labelTubes.Count} labels logged before the kill; printed again after restart";
                    break;
                }
                default:
                {
                    var shipment = shipments[shipmentIndex++];
                    var ok = 0;
                    using var cts = new CancellationTokenSource();
                    var scanning = Task.Run(async () =>
                    {
                        foreach (var tube in shipment.Tubes)
                        {
                            using var r = await receiver.PostAsJsonAsync($"/api/v1/shipments/{shipment.Barcode}/receive", new { barcode = tube }, cts.Token);
                            if (r.StatusCode == HttpStatusCode.OK)
                            {
                                Interlocked.Increment(ref ok);
                            }
                        }
                    });
                    await Task.Delay(delay);
                    node.Kill();
                    try
                    {
                        await scanning;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // the connection died with the process
                    }
                    var sw = Stopwatch.StartNew();
                    await node.StartAsync();
                    restart.Add(sw.Elapsed.TotalSeconds);
                    var recorded = await ReliabilityData.ScalarAsync(db, $"SELECT COUNT(*) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.barcode = '{shipment.Barcode}' AND i.receipt IS NOT NULL");
                    recorded.ShouldBeInRange(ok, ok + 1, "every answered scan is recorded; at most the one in flight at the kill is too");
                    // The technician scans on: the tubes already recorded answer 409, the others are received.
                    foreach (var tube in shipment.Tubes)
                    {
                        using var r = await receiver.PostAsJsonAsync($"/api/v1/shipments/{shipment.Barcode}/receive", new { barcode = tube });
                        r.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Conflict);
                    }
                    using var finish = await receiver.PostAsJsonAsync($"/api/v1/shipments/{shipment.Barcode}/receive/finish", new { dryIceLeft = true, loggerOk = true });
                    finish.StatusCode.ShouldBe(HttpStatusCode.OK);
                    (await finish.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("ok").GetInt32().ShouldBe(ShipmentTubes);
                    (await ReliabilityData.ScalarAsync(db, $"SELECT COUNT(*) FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE e.event = 'received' AND e.details = 'shipment {shipment.Barcode}'"))
                        .ShouldBe(ShipmentTubes, "one received event per tube");
                    outcome = $"killed after {ok} answered scans ({recorded} recorded); receiving finished after restart, {ShipmentTubes} received once each";
                    break;
                }
            }
            var check = await db.CheckAsync();
            check.Problems.ShouldBeEmpty($"after kill {round + 1} ({kind})");
            outcomes.Add($"{round + 1}. {kind}, SIGKILL after {delay.TotalMilliseconds:F0} ms: {outcome}; integrity check passed");
        }
        Report.Line(output, $"| crashes, {provider}, {kills} SIGKILLs (seed {seed}) | restart to /health p50 {Report.Percentile(restart, 50):F1} s, max {restart.Max():F1} s | {string.Join(" ", outcomes)} |");
    }

    private static async Task<Job?> JobAsync(ReliabilityDb db, string run)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.QuerySingleOrDefaultAsync<Job>("SELECT id AS Id, state AS State, attempts AS Attempts, message AS Message FROM import_job WHERE run_code = @Run", new { Run = run });
    }

    private static async Task<Job> WaitForJobAsync(ReliabilityDb db, string run)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (await JobAsync(db, run) is { State: "succeeded" or "failed" or "cancelled" } done)
            {
                return done;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the import job of {run} did not finish within 3 minutes after the restart");
    }

    private static Task<HttpResponseMessage> PrintAsync(HttpClient browser, IReadOnlyList<string> tubes) =>
        FormClient.PostAsync(browser, "/Labels", "/Labels?handler=Print", new()
        {
            ["Source"] = "aliquots", ["Barcodes"] = string.Join('\n', tubes), ["Template"] = "cryovial-2d", ["Output"] = "pdf", ["Dpi"] = "203",
        });

    private static async Task<bool> AnsweredAsync(Task<HttpResponseMessage> request)
    {
        try
        {
            using var r = await request;
            return r.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private static HttpClient Bearer(WebNode node, string token)
    {
        var http = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
