using System.Net;
using System.Text.Json;
using Biobank.Core.Accounts;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Admin;

public sealed class AccessTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    /// <summary>Who may open which pages, by folder; the longest matching prefix wins. A page not covered here fails the test.</summary>
    private static readonly (string Prefix, string[] Users)[] Rules =
    [
        ("/Admin", ["admin", "admin.bru"]),
        ("/Lab", ["admin", "tech.bru", "staff.bru", "admin.bru"]),
        ("/Storage", ["admin", "tech.bru", "staff.bru", "admin.bru"]),
        ("/Samples", ["admin", "tech.bru", "staff.bru", "admin.bru"]),
        ("/Labels", ["admin", "tech.bru", "staff.bru", "admin.bru"]),
        ("/Shipments", ["admin", "tech.bru", "staff.bru", "admin.bru"]),
        ("/Registry", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
        ("/Assays", ["admin", "biologist", "bio.bru", "admin.bru"]),
        ("/Analysis", ["admin", "biologist", "bio.bru", "admin.bru"]),
        ("/Jobs", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
        ("/Account/AccessDenied", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
        ("/Account/Logout", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
        ("/Index", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
        ("/", ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"]),
    ];

    private static readonly string[] Anonymous = ["/Account/Login", "/Error", "/health"];

    private static readonly string[] Everyone = ["admin", "tech.bru", "staff.bru", "biologist", "bio.bru", "admin.bru"];

    private IEnumerable<string> PagesWithoutParameters() =>
        Routes.All(app).Where(r => r.IsPage && !r.HasParameters).Select(r => r.Pattern).Distinct();

    [Fact]
    public async Task Every_page_requires_sign_in_except_the_sign_in_page_and_health()
    {
        var client = app.Anonymous();
        var checkedCount = 0;
        foreach (var route in Routes.All(app).Where(r => !r.HasParameters && r.Methods.Contains("GET")))
        {
            var response = await client.GetAsync(route.Pattern);
            if (Anonymous.Contains(route.Pattern))
            {
                continue;
            }
            var status = (int)response.StatusCode;
            var toLogin = response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Account/Login", StringComparison.Ordinal);
            (toLogin || status == 401).ShouldBeTrue($"{route.Pattern} answered {status} to an anonymous caller");
            checkedCount++;
        }
        checkedCount.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task The_role_matrix_holds_for_every_page()
    {
        var clients = new Dictionary<string, HttpClient>();
        foreach (var user in Everyone)
        {
            clients[user] = await app.SignInAsync(user);
        }
        var failures = new List<string>();
        // AccessDenied answers 403 by design: it is the page the denial shows.
        foreach (var page in PagesWithoutParameters().Where(p => !Anonymous.Contains(p) && p != "/Account/AccessDenied"))
        {
            var rule = Rules.Where(r => page == r.Prefix || page.StartsWith(r.Prefix.TrimEnd('/') + "/", StringComparison.Ordinal) || r.Prefix == "/")
                .OrderByDescending(r => r.Prefix.Length).First();
            if (rule.Prefix == "/" && page != "/")
            {
                failures.Add($"{page}: no access rule; add its folder to AccessTests.Rules");
                continue;
            }
            foreach (var (user, client) in clients)
            {
                var response = await client.GetAsync(page);
                var allowed = response.StatusCode is HttpStatusCode.OK || (response.StatusCode == HttpStatusCode.Redirect && !response.Headers.Location!.ToString().Contains("AccessDenied", StringComparison.Ordinal));
                var expected = rule.Users.Contains(user);
                if (allowed != expected)
                {
                    failures.Add($"{page} as {user}: {(int)response.StatusCode} {response.Headers.Location}, expected {(expected ? "allowed" : "denied")}");
                }
            }
        }
        failures.ShouldBeEmpty();
    }

    /// <summary>
    /// Routes that end in a catch-all (<c>{**path}</c>: Hangfire's dashboard at /Admin/Jobs) serve many addresses from
    /// one endpoint; each is tried at its base address. Administrators only; anyone else signed in gets 404, so the
    /// route's existence is not revealed, and anonymous callers are sent to sign in like on every page.
    /// </summary>
    [Fact]
    public async Task Every_catch_all_route_requires_sign_in_and_answers_404_to_whoever_may_not_see_it()
    {
        var catchAll = Routes.All(app).Where(r => r.Pattern.EndsWith("/{**path}", StringComparison.Ordinal)).Select(r => r.Pattern[..^"/{**path}".Length]).Distinct().ToList();
        catchAll.ShouldContain("/Admin/Jobs");
        var failures = new List<string>();
        var anonymous = app.Anonymous();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var user in Everyone)
        {
            clients[user] = await app.SignInAsync(user);
        }
        foreach (var route in catchAll)
        {
            var rule = Rules.Where(r => route.StartsWith(r.Prefix.TrimEnd('/') + "/", StringComparison.Ordinal)).OrderByDescending(r => r.Prefix.Length).First();
            var response = await anonymous.GetAsync(route);
            if (!(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Account/Login", StringComparison.Ordinal)))
            {
                failures.Add($"{route} anonymous: {(int)response.StatusCode}");
            }
            foreach (var (user, client) in clients)
            {
                var status = (await client.GetAsync(route)).StatusCode;
                var expected = rule.Users.Contains(user) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                if (status != expected)
                {
                    failures.Add($"{route} as {user}: {(int)status}, expected {(int)expected}");
                }
            }
        }
        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_site_admin_sees_only_their_sites_users_and_gets_404_for_another_sites_user()
    {
        var client = await app.SignInAsync("admin.bru");
        var list = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Admin/Users"));
        var names = list.QuerySelectorAll("#users tbody tr td:first-child").Select(td => td.TextContent.Trim()).ToList();
        names.ShouldContain("tech.bru");
        names.ShouldNotContain("tech.sto");
        names.ShouldNotContain("admin");
        var other = await app.Get<UserAccounts>().FindByNameAsync("tech.sto", default);
        (await client.GetAsync($"/Admin/Users/Edit/{other!.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var own = await app.Get<UserAccounts>().FindByNameAsync("tech.bru", default);
        (await client.GetAsync($"/Admin/Users/Edit/{own!.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_site_admin_cannot_open_another_sites_audit_records()
    {
        var client = await app.SignInAsync("admin.lyo");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Admin/Audit?table=app_user"));
        var rows = page.QuerySelectorAll("#audit tbody tr").Select(r => r.TextContent).ToList();
        rows.ShouldAllBe(r => !r.Contains("tech.sto", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sites_api_shows_a_site_user_their_own_site_and_the_shipping_partners_only()
    {
        var client = await app.BearerAsync("tech.bru");
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/v1/sites"));
        var codes = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        codes.ShouldBe(["BRU", "STO", "UPP"], ignoreOrder: true);
    }
}
