using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using Microsoft.Playwright;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class RegistryBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task A_technician_opens_a_patient_with_doses_and_timeline_then_records_a_destruction()
    {
        // A demo patient with tubes withdraws consent, so the list has something to show.
        var tech = (await app.Get<UserAccounts>().FindByNameAsync("tech.bru", default))!.ToCaller();
        var patient = (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "BRU-0003", default))!;
        var withdrawn = await app.Get<Patients>().UpdateAsync(tech, patient.Id,
            new PatientInput(patient.Pseudonym, patient.SiteId, patient.Sex, patient.AgeAtRtYears, "withdrawn", patient.ConsentDate), "browser test: letter of withdrawal", default);
        withdrawn.Ok.ShouldBeTrue();

        var page = await browser.SignedInPageAsync(app.BaseUrl, "tech.bru");
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{page.Url}: {m.Text}"); } };
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += async (_, d) => await d.AcceptAsync();

        await page.GotoAsync($"{app.BaseUrl}/Registry");
        await page.FillAsync("#registry-search input[name=q]", "BRU-0001");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.Contains("/Registry/Patient/BRU-0001", StringComparison.Ordinal));
        (await page.InnerTextAsync("#dose-version")).ShouldBe(Core.Demo.RegistryDemoData.VersionLabel);
        (await page.Locator("#doses tbody tr").CountAsync()).ShouldBeGreaterThan(5);
        (await page.Locator("#timeline .timeline-visit").CountAsync()).ShouldBeGreaterThan(0);
        await Shot(page, "registry-patient.png");

        await page.GotoAsync($"{app.BaseUrl}/");
        await page.ClickAsync(".home-panel a[href='/Registry/Destruction']");
        await page.WaitForSelectorAsync("#destruction");
        var rows = await page.Locator("#destruction tbody tr[data-barcode]").CountAsync();
        rows.ShouldBeGreaterThan(0);
        await Shot(page, "registry-destruction.png", fullPage: false);

        var first = await page.Locator("#destruction input[name=Barcodes]").First.GetAttributeAsync("value");
        await page.Locator("#destruction input[name=Barcodes]").First.CheckAsync();
        await page.FillAsync("#Reason", "consent withdrawn; autoclaved");
        await page.ClickAsync("#destroy-checked");
        await page.WaitForSelectorAsync("[role=status]");
        (await page.InnerTextAsync("[role=status]")).ShouldContain($"recorded as destroyed: {first}");
        (await page.Locator("#destruction tbody tr[data-barcode]").CountAsync()).ShouldBe(rows - 1);
        await Shot(page, "registry-destruction-after.png", fullPage: false);

        // A bad registry file: every problem in one table, by row and column.
        await page.GotoAsync($"{app.BaseUrl}/Registry/ImportRegistry");
        await page.SetInputFilesAsync("#import-registry input[type=file]", new FilePayload
        {
            Name = "registry-bad.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(Core.Tests.Registry.RegistryFiles.RegistryCsv(
                Core.Tests.Registry.RegistryFiles.Patient("BRU-0901", site: "AAR"),
                Core.Tests.Registry.RegistryFiles.Patient("BRU-0902", age: "nine", modality: "electron"),
                Core.Tests.Registry.RegistryFiles.Patient("BRU-0901", start: "2025-13-01"))),
        });
        await page.ClickAsync("#import-registry button[type=submit]");
        await page.WaitForSelectorAsync("#import-problems");
        (await page.Locator("#import-problems tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(4);
        await Shot(page, "registry-import-refused.png");

        await page.GotoAsync($"{app.BaseUrl}/Registry/Patient/BRU-0003");
        (await page.Locator("#withdrawn-alert").CountAsync()).ShouldBe(1);
        await Shot(page, "registry-patient-withdrawn.png");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    // The destruction list of a whole site is long: its screenshots show the first screen, which is what a technician sees.
    private static async Task Shot(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, name), FullPage = fullPage });
}
