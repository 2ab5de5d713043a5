using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Biobank.Core.Tests.Support;
using Biobank.Labels.Tests.Support;
using Biobank.Web.Tests.Support;
using Xunit.Abstractions;

namespace Biobank.Web.Tests.Shipments;

/// <summary>The manifest PDF read back from outside with poppler's pdftotext: every tube of the manifest JSON is in it.</summary>
public sealed class ManifestPdfTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [PdfToTextFact]
    public async Task The_manifest_pdf_of_a_dispatched_shipment_names_every_tube_of_the_manifest_json()
    {
        var (barcode, tubes) = await ShipmentSteps.BuildAndDispatchAsync(app, "staff.bru", "tech.bru", "STO", boxedTubes: 5, looseTubes: 2);
        var sender = await app.BearerAsync("staff.bru");

        var json = await sender.GetFromJsonAsync<JsonElement>($"/api/v1/shipments/{barcode}/manifest");
        json.GetProperty("state").GetString().ShouldBe("dispatched");
        var manifestTubes = json.GetProperty("tubes").EnumerateArray().Select(t => t.GetProperty("barcode").GetString()!).ToList();
        manifestTubes.Count.ShouldBe(7);
        manifestTubes.ShouldBe(tubes, ignoreOrder: true);

        var response = await sender.GetAsync($"/api/v1/shipments/{barcode}/manifest.pdf");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var pdf = Path.Combine(Path.GetTempPath(), $"manifest-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(pdf, await response.Content.ReadAsByteArrayAsync());
        try
        {
            var (exit, raw, stderr) = ExternalTool.Run("pdftotext", ["-layout", pdf, "-"]);
            exit.ShouldBe(0, stderr);
            var text = Pdf.Text(pdf);
            text.ShouldContain(barcode);
            text.ShouldContain("BRU");
            text.ShouldContain("STO");
            foreach (var tube in manifestTubes)
            {
                text.ShouldContain(tube, customMessage: $"tube {tube} is missing from the manifest PDF text:\n{raw}");
            }
        }
        finally
        {
            File.Delete(pdf);
        }

        // The receiver's users get it too; a third site's do not even learn it exists.
        var receiver = await (await app.BearerAsync("tech.sto")).GetAsync($"/api/v1/shipments/{barcode}/manifest.pdf");
        receiver.StatusCode.ShouldBe(HttpStatusCode.OK);
        receiver.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        (await receiver.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(500);
        (await (await app.BearerAsync("tech.upp")).GetAsync($"/api/v1/shipments/{barcode}/manifest.pdf")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await app.BearerAsync("staff.lyo")).GetAsync($"/api/v1/shipments/{barcode}/manifest.pdf")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

/// <summary>
/// Not a test of speed (nothing is asserted about time): it prints the server time (<c>Server-Timing: app;dur=</c>) of
/// 100 receiving scans posted through the receive form, for the 20 ms target, to read in the test output.
/// </summary>
public sealed class ReceivingScanTimingTests(BiobankWebFactory app, ITestOutputHelper output) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Prints_the_server_time_of_100_receiving_scans()
    {
        var (barcode, tubes) = await ShipmentSteps.BuildAndDispatchAsync(app, "staff.bru", "tech.bru", "STO", boxedTubes: 100, looseTubes: 0);
        var receiver = await app.SignInAsync("tech.sto");
        var page = $"/Shipments/{barcode}";
        var token = (await BiobankWebFactory.HtmlAsync(await receiver.GetAsync(page)))
            .QuerySelector("#receive-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var times = new List<double>();
        foreach (var tube in tubes)
        {
            var response = await receiver.PostAsync($"{page}?handler=Receive", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Code"] = tube,
            }));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldContain($"{tube} OK.");
            var timing = response.Headers.GetValues("Server-Timing").Single();
            times.Add(double.Parse(timing[(timing.IndexOf("dur=", StringComparison.Ordinal) + 4)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        times.Count.ShouldBe(100);
        var sorted = times.Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        output.WriteLine($"receiving scans through the form, 100-tube shipment, SQLite (one box scanned tube by tube): n={sorted.Count} " +
            $"p50={At(0.50):0.0} ms p90={At(0.90):0.0} ms p99={At(0.99):0.0} ms max={sorted[^1]:0.0} ms min={sorted[0]:0.0} ms " +
            $"first={times[0]:0.0} ms; mean after the first 10: {times.Skip(10).Average():0.0} ms");
        Console.WriteLine($"[receiving-scan server time] p50={At(0.50):0.0} ms p99={At(0.99):0.0} ms max={sorted[^1]:0.0} ms");
    }
}

/// <summary>A shipment built and dispatched through the real forms, as the sender's staff do it.</summary>
internal static class ShipmentSteps
{
    public static async Task<(string Barcode, IReadOnlyList<string> Tubes)> BuildAndDispatchAsync(
        BiobankWebFactory app, string staffUser, string techUser, string toSite, int boxedTubes, int looseTubes)
    {
        var tech = await app.BearerAsync(techUser);
        var all = new List<string>();
        var box = await WebLabData.NewBoxAsync(app, techUser);
        var otherBox = await WebLabData.NewBoxAsync(app, techUser);
        var boxed = await AliquotsAsync(app, techUser, boxedTubes);
        var loose = await AliquotsAsync(app, techUser, looseTubes);
        foreach (var t in boxed)
        {
            (await tech.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = t })).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        foreach (var t in loose)
        {
            (await tech.PostAsJsonAsync($"/api/v1/boxes/{otherBox}/tubes", new { barcode = t })).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var staff = await app.SignInAsync(staffUser);
        var index = await BiobankWebFactory.HtmlAsync(await staff.GetAsync("/Shipments"));
        var to = index.QuerySelectorAll("#create-shipment option").First(o => o.TextContent.Contains(toSite, StringComparison.Ordinal)).GetAttribute("value")!;
        var created = await BiobankWebFactory.PostFormAsync(staff, "/Shipments?handler=Create", new() { ["ToSiteId"] = to }, "#create-shipment", "/Shipments");
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = created.Headers.Location!.ToString();

        async Task<string> Post(string handler, string selector, Dictionary<string, string> fields)
        {
            var response = await BiobankWebFactory.PostFormAsync(staff, $"{page}?handler={handler}", fields, selector, page);
            ((int)response.StatusCode).ShouldBeOneOf(200, 302);
            return response.StatusCode == HttpStatusCode.Redirect ? "" : await response.Content.ReadAsStringAsync();
        }

        if (boxed.Count > 0)
        {
            (await Post("Add", "#add-form", new() { ["Code"] = box })).ShouldContain($"added with {boxed.Count} tubes");
            all.AddRange(boxed);
        }
        foreach (var t in loose)
        {
            (await Post("Add", "#add-form", new() { ["Code"] = t })).ShouldContain($"{t} added");
            all.Add(t);
        }
        await Post("Pack", "#pack-form", new() { ["Courier"] = "World Courier", ["TrackingNumber"] = "WC77", ["DryIceKg"] = "8", ["LoggerId"] = "L-9", ["Packages"] = "1" });
        await Post("Dispatch", "#dispatch-form", new());
        var state = await BiobankWebFactory.HtmlAsync(await staff.GetAsync(page));
        state.QuerySelector("#timeline li.bg-primary")!.TextContent.ShouldContain("dispatched");
        return (page.Split('/').Last(), all);
    }

    /// <summary>Fresh aliquots, made 50 at a time (the most one aliquoting line allows).</summary>
    private static async Task<List<string>> AliquotsAsync(BiobankWebFactory app, string techUser, int count)
    {
        var made = new List<string>();
        while (made.Count < count)
        {
            made.AddRange(await WebLabData.NewAliquotsAsync(app, techUser, Math.Min(50, count - made.Count)));
        }
        return made;
    }
}

/// <summary>Needs poppler's pdftotext: skipped with the reason on a developer machine without it; in CI it runs (and fails if it is missing).</summary>
public sealed class PdfToTextFactAttribute : FactAttribute
{
    public const string PdfToText = "/usr/bin/pdftotext";

    public PdfToTextFactAttribute()
    {
        if (!File.Exists(PdfToText) && !TestEnvironment.InCi)
        {
            Skip = $"poppler's pdftotext ({PdfToText}) is not installed; install the Debian package poppler-utils (scripts/test.sh and CI do).";
        }
    }
}
