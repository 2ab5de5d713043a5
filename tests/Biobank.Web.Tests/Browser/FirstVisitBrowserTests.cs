using Biobank.Core.Common;
using Biobank.Web.Infrastructure;
using Biobank.Web.Tests.Support;
using Microsoft.Playwright;

namespace Biobank.Web.Tests.Browser;

/// <summary>
/// What a new user sees first: the home page and every page of their menu, opened in Chromium with no
/// query string, shows no validation error, no error page and no console error.
/// </summary>
[Collection("browser")]
public sealed class FirstVisitBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    private static readonly string[] Home = ["/"];

    [BrowserFact]
    public async Task Every_menu_page_opens_clean_for_every_role()
    {
        var users = new (string User, string Role)[]
        {
            ("admin", Roles.Admin), ("biologist", Roles.Biologist), ("tech.bru", Roles.Technician),
            ("staff.bru", Roles.SiteStaff), ("bio.bru", Roles.Biologist), ("admin.bru", Roles.Admin),
        };
        var problems = new List<string>();
        var visited = 0;
        foreach (var (user, role) in users)
        {
            var page = await browser.SignedInPageAsync(app.BaseUrl, user);
            var console = new List<string>();
            page.Console += (_, m) =>
            {
                if (m.Type == "error")
                {
                    console.Add(m.Text);
                }
            };
            var paths = Home.Concat(Navigation.Items.Where(i => i.Roles.Contains(role)).Select(i => i.Href));
            foreach (var path in paths)
            {
                console.Clear();
                var response = await page.GotoAsync(app.BaseUrl + path);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                visited++;
                var where = $"{user} {path}";
                if (response is null || response.Status != 200)
                {
                    problems.Add($"{where}: HTTP {response?.Status}");
                }

                var errors = await page.Locator(".validation-errors, .field-validation-error, .input-validation-error, .alert-danger").AllInnerTextsAsync();
                if (errors.Count > 0)
                {
                    problems.Add($"{where}: shows errors on a first visit: {string.Join(" | ", errors)}");
                }

                var text = await page.InnerTextAsync("body");
                if (text.Contains("is required", StringComparison.OrdinalIgnoreCase) || text.Contains("An error occurred", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{where}: '{text[..Math.Min(200, text.Length)]}…'");
                }

                problems.AddRange(console.Select(c => $"{where}: console error {c}"));
                if (path == "/Analysis" && user == "biologist")
                {
                    await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "analysis-first-visit.png"), FullPage = true });
                }
            }

            await page.Context.CloseAsync();
        }

        visited.ShouldBeGreaterThan(30);
        problems.ShouldBeEmpty();
    }
}
