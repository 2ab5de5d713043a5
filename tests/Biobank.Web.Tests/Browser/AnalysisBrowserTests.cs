using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class AnalysisBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task A_biologist_runs_a_scan_opens_the_top_biomarker_and_saves_the_analysis()
    {
        var page = await browser.SignedInPageAsync(app.BaseUrl, "biologist");
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };
        await page.GotoAsync($"{app.BaseUrl}/Analysis");
        await page.CheckAsync("#cov-age");
        await page.FillAsync("input[name=MinN]", "5");
        await page.ClickAsync("#run-analysis");
        try
        {
            await page.WaitForSelectorAsync("#results tbody tr");
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "analysis-no-results.png"), FullPage = true });
            throw new InvalidOperationException($"no results at {page.Url}: {await page.InnerTextAsync("main")}");
        }
        (await page.Locator("#volcano svg circle").CountAsync()).ShouldBeGreaterThan(50);
        var top = await page.InnerTextAsync("#results tbody tr:first-child td:first-child");
        await page.ClickAsync("#results tbody tr:first-child td:first-child a");
        await page.WaitForSelectorAsync("#scatter svg polygon");
        (await page.Locator("#boxplots svg rect").CountAsync()).ShouldBeGreaterThan(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "analysis-scan.png"), FullPage = true });
        await page.FillAsync("#save-analysis input[name=Name]", "heart dose, change to M3");
        await page.ClickAsync("#save-analysis button");
        await page.WaitForSelectorAsync("#saved-check");
        (await page.InnerTextAsync("#saved-check")).ShouldContain("identical");
        errors.ShouldBeEmpty();
        top.ShouldNotBeNullOrWhiteSpace();
    }
}
