using System.Net;
using System.Net.Http.Json;
using Biobank.Web.Tests.Support;
using Microsoft.Playwright;

namespace Biobank.Web.Tests.Browser;

/// <summary>
/// The whole shipment round trip as people do it, in Debian Chromium with the keyboard as a scanner:
/// build by scanning, pack, print labels and manifest, dispatch, receive with one tube missing and one unexpected, reconcile.
/// </summary>
[Collection("browser")]
public sealed class ShipmentBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotDir, $"shipment-{name}.png");

    [BrowserFact]
    public async Task Build_print_dispatch_receive_with_one_missing_and_one_unexpected_then_reconcile()
    {
        // A box of three fresh tubes and one tube stored elsewhere (sent loose), all at BRU; and a fourth BRU tube
        // that is not on the manifest but turns up in the STO parcel.
        var boxed = await WebLabData.NewAliquotsAsync(app, "tech.bru", 3);
        var others = await WebLabData.NewAliquotsAsync(app, "tech.bru", 2);
        var loose = others[0];
        var stray = others[1];
        var box = await WebLabData.NewBoxAsync(app, "tech.bru", 9, 9);
        var otherBox = await WebLabData.NewBoxAsync(app, "tech.bru", 9, 9);
        // The app runs on a real Kestrel port here: the API client goes there with tech.bru's bearer token.
        using var tech = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        tech.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await app.TokenAsync("tech.bru"));
        foreach (var t in boxed)
        {
            (await tech.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = t })).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        (await tech.PostAsJsonAsync($"/api/v1/boxes/{otherBox}/tubes", new { barcode = loose })).StatusCode.ShouldBe(HttpStatusCode.Created);

        // --- Sender: staff.bru builds the shipment by scanning.
        var sender = await browser.SignedInPageAsync(app.BaseUrl, "staff.bru");
        sender.Dialog += async (_, d) => await d.AcceptAsync();
        await sender.GotoAsync($"{app.BaseUrl}/Shipments");
        var sto = await sender.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('#create-shipment option')].find(o => o.textContent.includes('STO')).value");
        await sender.SelectOptionAsync("#create-shipment select", sto);
        await sender.ClickAsync("#create-shipment button");
        await sender.WaitForURLAsync(u => !u.EndsWith("/Shipments", StringComparison.Ordinal) && u.Contains("/Shipments/", StringComparison.Ordinal));
        var shipmentUrl = sender.Url;
        var shipment = shipmentUrl.Split('/').Last();
        shipment.ShouldStartWith("BRUH");
        (await sender.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("add-code", "the scan field has the focus");

        await ScanAsync(sender, box);
        (await sender.InnerTextAsync("#scan-message")).ShouldContain("added with 3 tubes");
        await ScanAsync(sender, loose);
        (await sender.InnerTextAsync("#scan-message")).ShouldContain($"{loose} added");
        foreach (var t in boxed.Append(loose))
        {
            (await sender.Locator($"tr[data-barcode='{t}']").CountAsync()).ShouldBe(1, $"{t} is on the manifest");
        }
        await sender.ScreenshotAsync(new() { Path = Shot("1-built"), FullPage = true });

        // Pack.
        await sender.FillAsync("#pack-form [name=Courier]", "World Courier");
        await sender.FillAsync("#pack-form [name=TrackingNumber]", "WC-2026-0042");
        await sender.FillAsync("#pack-form [name=DryIceKg]", "6.5");
        await sender.FillAsync("#pack-form [name=LoggerId]", "LOG-77");
        await sender.FillAsync("#pack-form [name=Packages]", "1");
        await sender.FillAsync("#pack-form [name=ResponsibleName]", "Staff Brussels");
        await sender.FillAsync("#pack-form [name=ResponsiblePhone]", "+32 2 555 01 01");
        await sender.ClickAsync("#pack-form button");
        await sender.WaitForSelectorAsync("#dispatch-form");
        (await sender.InnerTextAsync("main")).ShouldContain("Packed: print the package labels");

        // Print: package labels and the manifest are PDFs the browser downloads.
        foreach (var (link, name) in new[] { ("#package-labels", "package-labels"), ("#manifest-pdf", "manifest") })
        {
            var download = await sender.RunAndWaitForDownloadAsync(() => sender.ClickAsync(link));
            download.SuggestedFilename.ShouldBe($"{name}-{shipment}.pdf");
            var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
            bytes.Length.ShouldBeGreaterThan(500);
            System.Text.Encoding.ASCII.GetString(bytes, 0, 5).ShouldBe("%PDF-");
            var href = await sender.GetAttributeAsync(link, "href");
            var response = await sender.APIRequest.GetAsync($"{app.BaseUrl}{href}");
            response.Status.ShouldBe(200);
            response.Headers["content-type"].ShouldStartWith("application/pdf");
            (await response.BodyAsync()).Length.ShouldBeGreaterThan(500);
            if (name == "manifest" && File.Exists("/usr/bin/pdftoppm"))
            {
                // A picture of the printed manifest's first page, to look at beside the screenshots.
                var pdf = Path.Combine(Path.GetTempPath(), $"shipment-{Guid.NewGuid():N}.pdf");
                await File.WriteAllBytesAsync(pdf, bytes);
                var prefix = Path.Combine(BrowserFixture.ScreenshotDir, "shipment-manifest-pdf");
                var (exit, _, err) = Biobank.Labels.Tests.Support.ExternalTool.Run("pdftoppm", ["-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, prefix]);
                exit.ShouldBe(0, err);
                File.Delete(pdf);
            }
        }
        foreach (var (link, type) in new[] { ("#manifest-csv", "text/csv"), ("#manifest-json", "application/json") })
        {
            var response = await sender.APIRequest.GetAsync($"{app.BaseUrl}{await sender.GetAttributeAsync(link, "href")}");
            response.Status.ShouldBe(200);
            response.Headers["content-type"].ShouldStartWith(type);
            var text = await response.TextAsync();
            foreach (var t in boxed.Append(loose))
            {
                text.ShouldContain(t);
            }
        }

        // Dispatch: the button asks for confirmation (accepted above).
        await sender.ClickAsync("#dispatch-form button");
        await sender.WaitForSelectorAsync("main .alert-success:has-text('Dispatched')");
        (await sender.InnerTextAsync("main")).ShouldContain("4 tube(s) are in transit");
        (await sender.GetAttributeAsync("#timeline li:nth-child(3)", "class"))!.ShouldContain("bg-primary");
        await sender.ScreenshotAsync(new() { Path = Shot("2-dispatched"), FullPage = true });

        // --- Receiver: tech.sto scans the shipment barcode, then every tube but one, and one stray tube.
        var receiver = await browser.SignedInPageAsync(app.BaseUrl, "tech.sto");
        receiver.Dialog += async (_, d) => await d.AcceptAsync();
        await receiver.GotoAsync($"{app.BaseUrl}/Shipments");
        (await receiver.EvaluateAsync<string>("document.activeElement.name")).ShouldBe("Scan", "the shipment scan field has the focus");
        await receiver.Keyboard.TypeAsync(shipment, new() { Delay = 2 });
        await receiver.Keyboard.PressAsync("Enter");
        await receiver.WaitForURLAsync(u => u.EndsWith($"/Shipments/{shipment}", StringComparison.Ordinal));
        await receiver.WaitForSelectorAsync("#receive-form");
        (await receiver.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("receive-code");

        var missing = boxed[2];
        foreach (var t in new[] { boxed[0], boxed[1], loose })
        {
            await ScanAsync(receiver, t);
            (await receiver.InnerTextAsync("#scan-message")).ShouldBe($"{t} OK.");
            (await receiver.GetAttributeAsync($"tr[data-barcode='{t}']", "class"))!.ShouldContain("table-success");
        }
        await ScanAsync(receiver, stray);
        (await receiver.InnerTextAsync("#scan-message")).ShouldContain("NOT on this shipment's manifest");
        (await receiver.GetAttributeAsync("#scan-message", "class"))!.ShouldContain("alert-danger");
        (await receiver.InnerTextAsync("#receive-form label")).ShouldContain("3 of 4");
        await receiver.ScreenshotAsync(new() { Path = Shot("3-receiving"), FullPage = true });

        await receiver.SelectOptionAsync("#finish-form [name=DryIceLeft]", "true");
        await receiver.SelectOptionAsync("#finish-form [name=LoggerOk]", "true");
        await receiver.FillAsync("#finish-form [name=Note]", "box intact, dry ice left");
        await receiver.ClickAsync("#finish-form button");
        await receiver.WaitForSelectorAsync("#reconcile-form");
        (await receiver.InnerTextAsync("main")).ShouldContain("Received: 3 OK, 0 damaged, 1 missing, 1 unexpected");

        var rows = await receiver.Locator("#discrepancies tbody tr").AllInnerTextsAsync();
        rows.Count.ShouldBe(2, string.Join(" | ", rows));
        rows.Count(r => r.Contains("missing", StringComparison.Ordinal)).ShouldBe(1);
        rows.Count(r => r.Contains("unexpected", StringComparison.Ordinal)).ShouldBe(1);
        rows.Single(r => r.Contains("missing", StringComparison.Ordinal)).ShouldContain(missing);
        rows.Single(r => r.Contains("unexpected", StringComparison.Ordinal)).ShouldContain(stray);
        (await receiver.GetAttributeAsync($"tr[data-barcode='{missing}']", "class"))!.ShouldContain("table-danger");
        await receiver.ScreenshotAsync(new() { Path = Shot("4-received"), FullPage = true });

        await receiver.FillAsync("#reconcile-form [name=Note]", "one tube missing, courier informed; stray tube quarantined");
        await receiver.ClickAsync("#reconcile-form button");
        await receiver.WaitForSelectorAsync("main .alert-success:has-text('Reconciled')");
        (await receiver.Locator("#reconcile-form").CountAsync()).ShouldBe(0);
        var steps = await receiver.Locator("#timeline li").AllAsync();
        steps.Count.ShouldBe(5);
        (await steps[4].GetAttributeAsync("class"))!.ShouldContain("bg-primary");
        for (var i = 0; i < 4; i++)
        {
            (await steps[i].GetAttributeAsync("class"))!.ShouldContain("bg-success-subtle");
        }
        (await receiver.InnerTextAsync("#timeline")).ShouldContain("tech.sto");
        await receiver.Locator("#timeline").ScreenshotAsync(new() { Path = Shot("5-timeline") });
        await receiver.ScreenshotAsync(new() { Path = Shot("6-reconciled"), FullPage = true });

        // The list shows it reconciled to the receiver.
        await receiver.GotoAsync($"{app.BaseUrl}/Shipments?state=reconciled");
        (await receiver.InnerTextAsync("#shipments")).ShouldContain(shipment);
    }

    /// <summary>What a keyboard-wedge scanner does: types the code into the focused field and presses Enter; waits for the answer.</summary>
    private static async Task ScanAsync(IPage page, string code)
    {
        await page.Keyboard.TypeAsync(code, new() { Delay = 2 });
        await page.Keyboard.PressAsync("Enter");
        try
        {
            await page.WaitForSelectorAsync($"#scan-message:has-text('{code}')", new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Shot("failed-scan"), FullPage = true });
            var field = await page.EvaluateAsync<string>("document.activeElement.id + '=' + (document.activeElement.value ?? '')");
            throw new TimeoutException($"Scanning {code} and Enter got no answer; the focused field is {field}.");
        }
    }
}
