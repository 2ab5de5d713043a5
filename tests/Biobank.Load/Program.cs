using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// Load driver for the scanning API, loopback only. Bounded by --seconds; reports throughput, p50/p99 latency
// (client and server time from Server-Timing) and every status code seen. Exit 1 on any unexpected answer.
//
//   dotnet run -c Release --project tests/Biobank.Load -- --url http://127.0.0.1:5080 --token bbk_… [--clients 16] [--seconds 30] [--lookups 2000]
var options = Options.Parse(args);
if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var baseUri) || !(baseUri.IsLoopback))
{
    Console.Error.WriteLine("--url must be a loopback address (127.0.0.1 or localhost): this tool never loads another host.");
    return 2;
}
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);

// 1. Tubes to scan: stored tubes of the caller's site, moved into fresh boxes (each scan is a real write).
var tubes = new List<string>();
long? after = null;
while (tubes.Count < options.Tubes)
{
    var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/tubes?status=in_storage&limit=1000{(after is null ? "" : $"&after={after}")}");
    foreach (var t in page.GetProperty("items").EnumerateArray())
    {
        tubes.Add(t.GetProperty("barcode").GetString()!);
    }
    if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
    {
        break;
    }
    after = page.GetProperty("next").GetInt64();
}
if (tubes.Count < options.Clients)
{
    Console.Error.WriteLine($"Only {tubes.Count} stored tubes visible to this token: seed more demo data (seed-demo --patients 2300).");
    return 1;
}
var rng = new Random(42);
tubes = tubes.OrderBy(_ => rng.Next()).ToList();

// 2. Lookups by barcode: server time from Server-Timing.
var lookupServer = new List<double>();
var lookupClient = new List<double>();
for (var i = 0; i < options.Lookups; i++)
{
    var sw = Stopwatch.StartNew();
    using var r = await http.GetAsync($"/api/v1/tubes/{tubes[i % tubes.Count]}");
    lookupClient.Add(sw.Elapsed.TotalMilliseconds);
    lookupServer.Add(ServerMs(r));
    if (r.StatusCode != HttpStatusCode.OK)
    {
        Console.Error.WriteLine($"lookup answered {(int)r.StatusCode}");
        return 1;
    }
}

// 3. Boxes: one per two clients, so pairs of clients race for the same positions.
var boxes = new List<string>();
for (var b = 0; b < Math.Max(1, options.Clients / 2); b++)
{
    boxes.Add(await NewBoxAsync());
}

async Task<string> NewBoxAsync()
{
    using var r = await http.PostAsJsonAsync("/api/v1/boxes", new { name = $"load {Guid.NewGuid():N}"[..17], rows = 10, columns = 10 });
    r.EnsureSuccessStatusCode();
    return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("barcode").GetString()!;
}

var statuses = new ConcurrentDictionary<int, int>();
var latencies = new ConcurrentBag<(double Client, double Server)>();
var next = -1;
var boxLock = new object();
var deadline = Stopwatch.StartNew();
var unexpected = 0;
await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async client =>
{
    var boxIndex = client / 2;
    while (deadline.Elapsed.TotalSeconds < options.Seconds)
    {
        var i = Interlocked.Increment(ref next);
        var tube = tubes[i % tubes.Count];
        string box;
        lock (boxLock)
        {
            box = boxes[boxIndex];
        }
        var sw = Stopwatch.StartNew();
        using var r = await http.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = tube, move = true });
        latencies.Add((sw.Elapsed.TotalMilliseconds, ServerMs(r)));
        statuses.AddOrUpdate((int)r.StatusCode, 1, (_, n) => n + 1);
        if (r.StatusCode == HttpStatusCode.Conflict)
        {
            var body = await r.Content.ReadAsStringAsync();
            if (body.Contains("is full", StringComparison.Ordinal))
            {
                var fresh = await NewBoxAsync();
                lock (boxLock)
                {
                    if (boxes[boxIndex] == box)
                    {
                        boxes[boxIndex] = fresh;
                    }
                }
            }
        }
        else if (r.StatusCode != HttpStatusCode.Created && r.StatusCode != HttpStatusCode.UnprocessableEntity)
        {
            Interlocked.Increment(ref unexpected);
        }
    }
}));
var elapsed = deadline.Elapsed.TotalSeconds;
var all = latencies.ToArray();
var created = statuses.GetValueOrDefault(201);
Console.WriteLine($"clients {options.Clients}, {elapsed:F1} s, {all.Length} scans: {all.Length / elapsed:F0} scans/s ({created / elapsed:F0} stored/s)");
Console.WriteLine($"scan latency client p50 {P(all.Select(a => a.Client), 50):F1} ms, p99 {P(all.Select(a => a.Client), 99):F1} ms; server p50 {P(all.Select(a => a.Server), 50):F2} ms, p99 {P(all.Select(a => a.Server), 99):F2} ms");
Console.WriteLine($"lookup by barcode ({lookupServer.Count}): server p50 {P(lookupServer, 50):F2} ms, p99 {P(lookupServer, 99):F2} ms; client p50 {P(lookupClient, 50):F2} ms");
Console.WriteLine("status codes: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
Console.WriteLine($"boxes used: {string.Join(" ", boxes)}");
return unexpected == 0 ? 0 : 1;

static double ServerMs(HttpResponseMessage r) =>
    r.Headers.TryGetValues("Server-Timing", out var v) && v.First().Split("dur=") is [_, var ms] ? double.Parse(ms, CultureInfo.InvariantCulture) : double.NaN;

static double P(IEnumerable<double> values, int percentile)
{
    var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
}

internal sealed record Options(string Url, string Token, int Clients, int Seconds, int Lookups, int Tubes)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new Options(Get("url", "http://127.0.0.1:5080"), Get("token", Environment.GetEnvironmentVariable("BIOBANK_TOKEN") ?? ""),
            int.Parse(Get("clients", "16"), CultureInfo.InvariantCulture), int.Parse(Get("seconds", "30"), CultureInfo.InvariantCulture),
            int.Parse(Get("lookups", "2000"), CultureInfo.InvariantCulture), int.Parse(Get("tubes", "50000"), CultureInfo.InvariantCulture));
    }
}
