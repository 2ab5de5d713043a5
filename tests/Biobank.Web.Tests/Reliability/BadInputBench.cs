using System.Net;
using System.Text.Json;
using Biobank.Cli;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Web.Tests.Support;
using Microsoft.Extensions.Configuration;
using static Biobank.Web.Tests.Registry.RegistrySteps;

namespace Biobank.Web.Tests.Reliability;

/// <summary>How an input was answered: the HTTP status (or CLI exit code) and every message shown for it.</summary>
public sealed record Refusal(int Status, IReadOnlyList<string> Messages)
{
    public override string ToString() => $"{Status}: {string.Join(" | ", Messages)}";
}

/// <summary>What a bad input needs that the demo data does not already name: signed-in clients, a box, fresh tubes, a draft shipment.</summary>
public sealed record Bench(
    HttpClient Admin, HttpClient Tech, HttpClient Biologist, HttpClient Staff, HttpClient Receiver, HttpClient Api, HttpClient CentralApi,
    string Box, string FullBox, IReadOnlyList<string> Aliquots, string Shipment, long PatientId, long UserId, long SiteId, string CliFolder);

/// <summary>The real web app with the objects the bad inputs are aimed at, made once for the class.</summary>
public sealed class BadInputBench : BiobankWebFactory
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Bench? _bench;

    public async Task<Bench> ReadyAsync()
    {
        await _lock.WaitAsync();
        try
        {
            return _bench ??= await PrepareAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<Bench> PrepareAsync()
    {
        var tech = (await Get<UserAccounts>().FindByNameAsync("tech.bru", default))!.ToCaller();
        var aliquots = await WebLabData.NewAliquotsAsync(this, "tech.bru", 5);
        var box = await WebLabData.NewBoxAsync(this, "tech.bru");
        var fullBox = await WebLabData.NewBoxAsync(this, "tech.bru", 1, 1);
        (await Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(fullBox, aliquots[3]), default)).Ok.ShouldBeTrue();
        var sites = await Get<SiteDirectory>().ListAsync(Caller.System, default);
        var build = Get<BuildShipment>();
        var shipment = (await build.CreateAsync(tech, sites.Single(s => s.Code == "STO").Id, default)).Value!;
        // The shipment gets a box of its own: a box on an open shipment refuses every store, so the full box stays off it.
        var shippedBox = await WebLabData.NewBoxAsync(this, "tech.bru", 1, 1);
        (await Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(shippedBox, aliquots[4]), default)).Ok.ShouldBeTrue();
        (await build.AddAsync(tech, shipment, shippedBox, default)).Ok.ShouldBeTrue();
        var patient = (await Get<Patients>().ListAsync(tech, null, 50, 0, default)).First(p => !p.Withdrawn);
        var user = (await Get<UserAccounts>().FindByNameAsync("tech.aar", default))!;
        return new Bench(
            await SignInAsync("admin"), await SignInAsync("tech.bru"), await SignInAsync("biologist"), await SignInAsync("staff.bru"), await SignInAsync("tech.sto"),
            await BearerAsync("tech.bru"), await BearerAsync("admin"),
            box, fullBox, aliquots, shipment, patient.Id, user.Id, sites.Single(s => s.Code == "AAR").Id,
            Directory.CreateTempSubdirectory("biobank-badinput-").FullName);
    }

    /// <summary>A page's answer: its status, the validation messages with the field they are filed under, and every problem-table row.</summary>
    public static async Task<Refusal> PageAsync(HttpResponseMessage response)
    {
        var html = await HtmlAsync(response);
        var messages = html.QuerySelectorAll(".validation-errors li")
            .Select(li => $"{li.GetAttribute("data-field")}: {li.TextContent.Trim()}")
            .Concat(html.QuerySelectorAll("table[id$=problems] tbody tr")
                .Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())
                .Where(c => c.Length >= 4)
                .Select(c => $"row {c[0]}, column {c[1]}: '{c[2]}' — {c[3]}"))
            .ToList();
        if (messages.Count == 0 && (int)response.StatusCode >= 400)
        {
            messages.Add(await response.Content.ReadAsStringAsync());
        }
        return new Refusal((int)response.StatusCode, messages);
    }

    /// <summary>An API answer: status, the problem's detail and the fields it names.</summary>
    public static async Task<Refusal> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var messages = new List<string>();
        try
        {
            var json = JsonDocument.Parse(text).RootElement;
            if (json.ValueKind == JsonValueKind.Object)
            {
                if (json.TryGetProperty("field", out var field))
                {
                    messages.Add($"field {field}");
                }
                if (json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                {
                    messages.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {e.Value}"));
                }
                if (json.TryGetProperty("detail", out var detail))
                {
                    messages.Add(detail.ToString());
                }
            }
        }
        catch (JsonException)
        {
            messages.Add(text.Length > 500 ? text[..500] : text);
        }
        return new Refusal((int)response.StatusCode, messages);
    }

    /// <summary>Uploads a file through a page's form (its own token and hidden fields) and reads the answer.</summary>
    public static async Task<Refusal> UploadPageAsync(HttpClient client, string page, string form, string fileName, byte[] file, Dictionary<string, string>? fields = null) =>
        await PageAsync(await UploadAsync(client, page, form, fileName, file, fields));

    public static async Task<Refusal> FormAsync(HttpClient client, string url, Dictionary<string, string> fields, string form, string? page = null) =>
        await PageAsync(await PostFormAsync(client, url, fields, form, page));

    /// <summary>An assay file through the upload page; the background job is polled until it ends and its problems are read.</summary>
    public static async Task<Refusal> AssayAsync(HttpClient client, string fileName, byte[] file, Dictionary<string, string> fields)
    {
        var response = await UploadAsync(client, "/Assays", "#import-form", fileName, file, fields);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            return await PageAsync(response);
        }
        var job = response.Headers.Location!.ToString();
        for (var i = 0; i < 240; i++)
        {
            var p = JsonDocument.Parse(await client.GetStringAsync(job + "?handler=Progress")).RootElement;
            if (p.GetProperty("finished").GetBoolean())
            {
                var page = await PageAsync(await client.GetAsync(job));
                var state = p.GetProperty("state").GetString();
                return page with { Status = state == "failed" ? 200 : 299, Messages = [.. page.Messages, $"job {state}: {p.GetProperty("message")}"] };
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the import job {job} did not finish");
    }

    /// <summary>A CLI verb against the app's own database: exit code as the status, standard error as the messages.</summary>
    public async Task<Refusal> CliAsync(string folder, string fileName, byte[] file, params string[] args)
    {
        var path = Path.Combine(folder, fileName);
        await File.WriteAllBytesAsync(path, file);
        var output = new StringWriter();
        var errors = new StringWriter();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Biobank"] = $"Data Source={DatabasePath}",
        }).Build();
        var exit = await BuiltCli.RunAsync([args[0], path, .. args[1..]], output, errors, settings);
        return new Refusal(exit, errors.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
