using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Biobank.Reliability.Tests.Support;
using Dapper;
using Xunit.Abstractions;

namespace Biobank.Reliability.Tests;

/// <summary>
/// Issue #9, load: 32 scanner clients over loopback against the running web process — 24 storing tubes into boxes
/// through the scan API, 8 receiving shipments through the receive API — for a bounded time, then every custody event
/// the run wrote is counted against the answers the clients got: none lost, none duplicated.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int ScanClients = 24;
    private const int ReceiveClients = 8;
    private const int TubesPerShipment = 150;

    [Theory, Providers]
    public async Task Thirty_two_clients_scan_and_receive_and_every_custody_event_is_accounted_for(string provider)
    {
        await using var db = await ReliabilityDb.CreateAsync(provider, patients: 60);
        var shipments = await ReliabilityData.DispatchShipmentsAsync(db, ReceiveClients, TubesPerShipment);
        var scanPool = (await ReliabilityData.QueryAsync<string>(db, "SELECT t.barcode FROM tube t JOIN site s ON s.id = t.site_id JOIN patient p ON p.id = t.patient_id WHERE s.code = 'BRU' AND t.status = 'in_storage' AND p.consent_status = 'given' ORDER BY t.id")).ToList();
        scanPool.Count.ShouldBeGreaterThan(ScanClients * 10);
        var eventsBefore = await ReliabilityData.ScalarAsync(db, "SELECT COALESCE(MAX(id), 0) FROM custody_event");

        await using var node = new WebNode($"load-{provider}", db.NodeEnvironment("load"));
        await node.StartAsync();
        using var scan = Client(node, await db.TokenAsync("tech.bru"));
        using var receive = Client(node, await db.TokenAsync("tech.sto"));

        var statuses = new ConcurrentDictionary<string, int>();
        var unexpected = new ConcurrentBag<string>();
        var stored = new ConcurrentDictionary<string, int>();        // tube → 201 answers
        var receivedOk = new ConcurrentDictionary<string, int>();    // shipment → 'ok' answers
        var scanLatency = new ConcurrentBag<(double Client, double Server)>();
        var receiveLatency = new ConcurrentBag<(double Client, double Server)>();
        var seconds = ReliabilityDb.LoadSeconds;
        var clock = Stopwatch.StartNew();
        var next = -1;

        var scanners = Enumerable.Range(0, ScanClients).Select(async client =>
        {
            var box = await NewBoxAsync(scan);
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var tube = scanPool[Interlocked.Increment(ref next) % scanPool.Count];
                var sw = Stopwatch.StartNew();
                using var r = await scan.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = tube, move = true });
                scanLatency.Add((sw.Elapsed.TotalMilliseconds, ServerMs(r)));
                statuses.AddOrUpdate($"scan {(int)r.StatusCode}", 1, (_, n) => n + 1);
                if (r.StatusCode == HttpStatusCode.Created)
                {
                    stored.AddOrUpdate(tube, 1, (_, n) => n + 1);
                }
                else if (r.StatusCode == HttpStatusCode.Conflict && (await r.Content.ReadAsStringAsync()).Contains("full", StringComparison.Ordinal))
                {
                    box = await NewBoxAsync(scan);
                }
                else if (r.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity))
                {
                    unexpected.Add($"scan {tube}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                }
            }
        });
        var receivers = shipments.Select(async (shipment, client) =>
        {
            var rng = new Random(client);
            for (var i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
            {
                // Every tube once in order (with every fifth one scanned again at once: a nervous hand), then random repeats.
                var tube = i < shipment.Tubes.Count ? shipment.Tubes[i] : shipment.Tubes[rng.Next(shipment.Tubes.Count)];
                for (var repeat = 0; repeat < (i % 5 == 0 ? 2 : 1); repeat++)
                {
                    var sw = Stopwatch.StartNew();
                    using var r = await receive.PostAsJsonAsync($"/api/v1/shipments/{shipment.Barcode}/receive", new { barcode = tube });
                    receiveLatency.Add((sw.Elapsed.TotalMilliseconds, ServerMs(r)));
                    statuses.AddOrUpdate($"receive {(int)r.StatusCode}", 1, (_, n) => n + 1);
                    if (r.StatusCode == HttpStatusCode.OK)
                    {
                        receivedOk.AddOrUpdate(shipment.Barcode, 1, (_, n) => n + 1);
                    }
                    else if (r.StatusCode != HttpStatusCode.Conflict)
                    {
                        unexpected.Add($"receive {tube}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                    }
                }
            }
        });
        await Task.WhenAll(scanners.Concat(receivers));
        var elapsed = clock.Elapsed.TotalSeconds;

        // Receiving ends: every manifest tube gets exactly one more custody event (received, or missing).
        var finished = 0;
        foreach (var s in shipments)
        {
            using var r = await receive.PostAsJsonAsync($"/api/v1/shipments/{s.Barcode}/receive/finish", new { dryIceLeft = true, loggerOk = true });
            r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
            var summary = await r.Content.ReadFromJsonAsync<JsonElement>();
            summary.GetProperty("ok").GetInt32().ShouldBe(receivedOk.GetValueOrDefault(s.Barcode), $"shipment {s.Barcode}: tubes answered OK = tubes received");
            (summary.GetProperty("ok").GetInt32() + summary.GetProperty("missing").GetInt32()).ShouldBe(s.Tubes.Count);
            finished += s.Tubes.Count;
        }

        unexpected.ShouldBeEmpty();
        var created = stored.Values.Sum();
        var events = (await ReliabilityData.QueryAsync<EventCount>(db, $"SELECT e.event AS Event, t.barcode AS Barcode, COUNT(*) AS N FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE e.id > {eventsBefore} GROUP BY e.event, t.barcode")).ToList();
        var storeEvents = events.Where(e => e.Event is "stored" or "moved").ToDictionary(e => e.Barcode, e => (int)e.N);
        storeEvents.Count.ShouldBe(stored.Count, "a tube the API stored has its custody events, and no other tube has any");
        foreach (var (tube, n) in stored)
        {
            storeEvents.GetValueOrDefault(tube).ShouldBe(n, $"tube {tube}: 201 answers = stored/moved events");
        }
        events.Where(e => e.Event is "received" or "missing").Sum(e => e.N).ShouldBe(finished, "one received or missing event per manifest tube");
        events.Where(e => e.Event is "received" or "missing").ShouldAllBe(e => e.N == 1);
        events.Sum(e => e.N).ShouldBe(created + finished, "no other custody event was written");
        var check = await db.CheckAsync();
        check.Problems.ShouldBeEmpty();

        var scans = scanLatency.ToArray();
        var receipts = receiveLatency.ToArray();
        Report.Line(output, $"| load, {provider}, {ScanClients} scan + {ReceiveClients} receive clients, {elapsed:F0} s | scan API: {scans.Length:N0} requests, {scans.Length / elapsed:F0}/s ({created:N0} stored, {created / elapsed:F0}/s), client p50 {Report.Percentile(scans.Select(s => s.Client), 50):F1} ms p99 {Report.Percentile(scans.Select(s => s.Client), 99):F1} ms, server p50 {Report.Percentile(scans.Select(s => s.Server), 50):F1} ms p99 {Report.Percentile(scans.Select(s => s.Server), 99):F1} ms; receive API: {receipts.Length:N0} requests, {receipts.Length / elapsed:F0}/s, client p50 {Report.Percentile(receipts.Select(s => s.Client), 50):F1} ms p99 {Report.Percentile(receipts.Select(s => s.Client), 99):F1} ms, server p50 {Report.Percentile(receipts.Select(s => s.Server), 50):F1} ms p99 {Report.Percentile(receipts.Select(s => s.Server), 99):F1} ms | answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; custody events written {events.Sum(e => e.N):N0} = {created:N0} stored/moved + {finished:N0} received/missing; 0 lost, 0 duplicated; integrity check passed ({check.Tubes:N0} tubes replayed) |");
    }

    private sealed record EventCount
    {
        public string Event { get; init; } = "";
        public string Barcode { get; init; } = "";
        public long N { get; init; }
    }

    private static HttpClient Client(WebNode node, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> NewBoxAsync(HttpClient http)
    {
        using var r = await http.PostAsJsonAsync("/api/v1/boxes", new { name = $"load {Guid.NewGuid():N}"[..17], rows = 10, columns = 10 });
        r.StatusCode.ShouldBe(HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("barcode").GetString()!;
    }

    private static double ServerMs(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Server-Timing", out var v) && v.First().Split("dur=") is [_, var ms] ? double.Parse(ms, CultureInfo.InvariantCulture) : double.NaN;
}
