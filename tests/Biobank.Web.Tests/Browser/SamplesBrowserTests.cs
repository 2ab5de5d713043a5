using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using Microsoft.Playwright;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class SamplesBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task A_technician_registers_processes_and_aliquots_a_visit_and_opens_a_tube()
    {
        var page = await browser.SignedInPageAsync(app.BaseUrl, "tech.bru");
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{page.Url}: {m.Text}"); } };
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += async (_, d) => await d.AcceptAsync();

        var patient = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "BRU-0002", default);
        await page.GotoAsync($"{app.BaseUrl}/Samples/Patients/{patient!.Id}");
        await Shot(page, "samples-patient.png");
        await page.ClickAsync("#register-collection");
        await page.SelectOptionAsync("#Input_TimepointId", new SelectOptionValue { Label = "M12 · 12 months after radiotherapy" });
        await page.FillAsync("#Input_Notes", "browser test visit");
        await Shot(page, "samples-collection-new.png");
        await page.ClickAsync("#new-collection button[type=submit]");
        await page.WaitForSelectorAsync("section.primary-tube");
        (await page.Locator("section.primary-tube").CountAsync()).ShouldBe(5);

        // The first EDTA tube: processing, then its plan.
        var edta = page.Locator("section.primary-tube").First;
        // The form proposed "now" as the collection time; processing cannot start before it.
        var start = DateTime.UtcNow;
        await edta.Locator("input[name='Processing.ProcessingStartUtc']").FillAsync(start.ToString("yyyy-MM-ddTHH:mm"));
        await edta.Locator("select[name='Processing.PreCentrifugeTemp']").SelectOptionAsync("RT");
        await edta.Locator("input[name='Processing.CentrifugeTempC']").FillAsync("4");
        await edta.Locator("input[name='Processing.CentrifugeG']").FillAsync("2000");
        await edta.Locator("input[name='Processing.CentrifugeMinutes']").FillAsync("10");
        await edta.Locator("select[name='Processing.Braking']").SelectOptionAsync("true");
        await edta.Locator("input[name='Processing.StorageTempC']").FillAsync("-80");
        await edta.Locator(".processing-form button").ClickAsync();
        await page.WaitForSelectorAsync("[role=status]");
        (await page.InnerTextAsync("[role=status]")).ShouldContain("SPREC BLD-PED-A-D-N-X-A");
        await page.Locator("section.primary-tube").First.Locator(".by-plan-form button").ClickAsync();
        await page.WaitForSelectorAsync("section.primary-tube table.aliquots");
        (await page.Locator("section.primary-tube").First.Locator("table.aliquots tbody tr").CountAsync()).ShouldBe(10);
        await Shot(page, "samples-collection.png");

        // A stored demo aliquot: location, parent, custody history.
        var stored = (await app.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Site: "BRU", Status: "in_storage", Limit: 5), default)).First(t => t.Kind == "aliquot");
        await page.GotoAsync($"{app.BaseUrl}/Samples/Tube/{stored.Barcode}");
        await page.ClickAsync("#check-out button");
        await page.WaitForSelectorAsync("#check-in");
        await page.ClickAsync("#check-in button");
        await page.WaitForSelectorAsync("#check-out");
        (await page.InnerTextAsync("#tube-freeze-thaw")).ShouldBe((stored.FreezeThawCount + 1).ToString());
        await Shot(page, "samples-tube.png");

        await page.GotoAsync($"{app.BaseUrl}/Samples/Search?pseudonym=BRU-0002&sampleType=PLASMA");
        await Shot(page, "samples-search.png");
        await page.GotoAsync($"{app.BaseUrl}/");
        (await page.Locator(".home-panel a[href^='/Samples/Tube/']").CountAsync()).ShouldBeGreaterThan(0);
        await Shot(page, "samples-home.png");
        await page.GotoAsync($"{app.BaseUrl}/Samples/Patients");
        await Shot(page, "samples-patients.png");
        await page.GotoAsync($"{app.BaseUrl}/Samples/Tube/BRUA00000001X");
        await Shot(page, "samples-tube-bad-code.png");
        errors.RemoveAll(e => e.Contains("422", StringComparison.Ordinal));
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task The_protocol_page_renders_under_the_content_security_policy()
    {
        var page = await browser.SignedInPageAsync(app.BaseUrl, "admin");
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{page.Url}: {m.Text}"); } };
        await page.GotoAsync($"{app.BaseUrl}/Admin/Protocol");
        await Shot(page, "samples-admin-protocol.png");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    private static async Task Shot(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, name), FullPage = true });
}
