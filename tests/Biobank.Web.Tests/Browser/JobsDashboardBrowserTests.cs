using Biobank.Core.Operations;
using Biobank.Web.Tests.Support;
using Microsoft.Playwright;

namespace Biobank.Web.Tests.Browser;

/// <summary>
/// A central administrator opens Hangfire's dashboard in Chromium under the app's Content-Security-Policy, sees the
/// recurring jobs, triggers one with the dashboard's own button (its script sends Hangfire's antiforgery token) and
/// sees its last run, with no console error and no CSP violation on any of its pages.
/// </summary>
[Collection("browser")]
public sealed class JobsDashboardBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task A_central_administrator_sees_the_recurring_jobs_and_triggers_one_without_console_or_csp_errors()
    {
        var page = await browser.SignedInPageAsync(app.BaseUrl, "admin");
        var console = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                console.Add($"{page.Url}: {m.Text}");
            }
        };
        page.PageError += (_, e) => console.Add($"{page.Url}: {e}");

        foreach (var path in new[] { "/Admin/Jobs", "/Admin/Jobs/servers" })
        {
            (await page.GotoAsync(app.BaseUrl + path))!.Status.ShouldBe(200, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        await page.GotoAsync(app.BaseUrl + "/Admin/Jobs/recurring");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        foreach (var job in new[] { MaintenanceJobs.IntegrityCheck, MaintenanceJobs.Backup, MaintenanceJobs.OverdueShipments })
        {
            (await page.Locator($"input.js-jobs-list-checkbox[value='{job}']").CountAsync()).ShouldBe(1, job);
        }

        // Trigger the overdue scan with the dashboard's own button, then see its last run coloured by state.
        await page.CheckAsync($"input.js-jobs-list-checkbox[value='{MaintenanceJobs.OverdueShipments}']");
        await page.ClickAsync("button.js-jobs-list-command[data-url$='/recurring/trigger']");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await app.Get<MaintenanceRuns>().LatestAsync(default)).Any(r => r.Job == MaintenanceJobs.OverdueShipments) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        (await app.Get<MaintenanceRuns>().LatestAsync(default)).ShouldContain(r => r.Job == MaintenanceJobs.OverdueShipments, "the button's POST was accepted and the job ran");
        await page.GotoAsync(app.BaseUrl + "/Admin/Jobs/recurring");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GotoAsync(app.BaseUrl + "/Admin/Jobs/jobs/succeeded");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var succeeded = page.Locator("a.job-method").First;
        if (await succeeded.CountAsync() > 0)
        {
            await succeeded.ClickAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        await page.GotoAsync(app.BaseUrl + "/Admin/Jobs/recurring");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "jobs-dashboard-recurring.png"), FullPage = true });
        console.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }
}
