using System.Net;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Account;

public sealed class SignInPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task The_home_page_redirects_to_sign_in()
    {
        var response = await app.Anonymous().GetAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/Account/Login");
    }

    [Fact]
    public async Task Signing_in_shows_the_user_and_site_on_every_page()
    {
        var client = await app.SignInAsync("tech.sto");
        var home = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"));
        var who = home.QuerySelector("#whoami")!.TextContent;
        who.ShouldContain("tech.sto");
        who.ShouldContain("STO");
        who.ShouldContain("Technician");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_and_no_cookie()
    {
        var client = app.Anonymous();
        var response = await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "staff.lyo", ["Input.Password"] = "not-the-password-1" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("The user name or password is wrong.");
        (await client.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var client = app.Anonymous();
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.UserName"] = "admin",
            ["Input.Password"] = BiobankWebFactory.Password,
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_through_the_form()
    {
        var client = app.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "bio.ess", ["Input.Password"] = $"wrong-password-{i:00}" });
        }
        var response = await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "bio.ess", ["Input.Password"] = BiobankWebFactory.Password });
        (await response.Content.ReadAsStringAsync()).ShouldContain("locked");
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_open_session()
    {
        var victim = await app.SignInAsync("staff.ess");
        (await victim.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var admin = await app.SignInAsync("admin");
        var user = await app.Get<Core.Accounts.UserAccounts>().FindByNameAsync("staff.ess", default);
        var saved = await BiobankWebFactory.PostFormAsync(admin, $"/Admin/Users/Edit/{user!.Id}", new()
        {
            ["Input.DisplayName"] = user.DisplayName,
            ["Input.SiteId"] = user.SiteId!.Value.ToString(),
            ["Input.Roles"] = "SiteStaff",
            ["Input.Disabled"] = "true",
            ["Input.Reason"] = "left the project",
        }, "#edit-user");
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await victim.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the old cookie no longer works");
    }

    [Fact]
    public async Task Health_answers_without_sign_in_and_names_the_provider()
    {
        var response = await app.Anonymous().GetAsync("/health");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"provider\":\"Sqlite\"");
        body.ShouldContain("\"status\":\"ok\"");
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        foreach (var url in new[] { "/Account/Login", "/health", "/api/v1/me", "/" })
        {
            var response = await app.Anonymous().GetAsync(url);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            csp.ShouldContain("frame-ancestors 'none'");
            csp.ShouldContain("script-src 'self'");
            csp.ShouldNotContain("unsafe-inline");
            response.Headers.GetValues("X-Content-Type-Options").ShouldContain("nosniff");
            response.Headers.GetValues("Referrer-Policy").ShouldNotBeEmpty();
        }
    }
}
