using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Web.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Biobank.Web.Tests.Api;

public sealed class TokenApiTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_token_acts_as_its_user_on_me()
    {
        var client = await app.BearerAsync("staff.aar");
        var response = await client.GetAsync("/api/v1/me");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        doc.RootElement.GetProperty("userName").GetString().ShouldBe("staff.aar");
        doc.RootElement.GetProperty("site").GetString().ShouldBe("AAR");
        doc.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["SiteStaff"]);
    }

    [Fact]
    public async Task No_token_or_a_wrong_token_gets_a_401_problem()
    {
        var client = app.CreateClient();
        var none = await client.GetAsync("/api/v1/me");
        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        none.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bbk_not-a-real-token");
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_token_and_a_disabled_users_token_stop_working()
    {
        var tokens = app.Get<ApiTokens>();
        var accounts = app.Get<UserAccounts>();
        var user = (await accounts.FindByNameAsync("bio.lyo", default))!;
        var first = (await tokens.CreateAsync(Caller.System, user.Id, "a", default)).Value!;
        var second = (await tokens.CreateAsync(Caller.System, user.Id, "b", default)).Value!;
        var client = app.CreateClient();
        async Task<HttpStatusCode> Me(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await client.SendAsync(request)).StatusCode;
        }
        (await Me(first.Token)).ShouldBe(HttpStatusCode.OK);
        (await tokens.RevokeAsync(Caller.System, first.Id, default)).Ok.ShouldBeTrue();
        (await Me(first.Token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Me(second.Token)).ShouldBe(HttpStatusCode.OK);
        (await accounts.ChangeAsync(Caller.System, new UserChange(user.Id, user.DisplayName, user.SiteId, [Roles.Biologist], true, "test"), default)).Ok.ShouldBeTrue();
        (await Me(second.Token)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_admin_creates_a_token_in_the_ui_sees_it_once_and_can_revoke_it()
    {
        var admin = await app.SignInAsync("admin");
        var target = (await app.Get<UserAccounts>().FindByNameAsync("tech.aar", default))!;
        var created = await BiobankWebFactory.PostFormAsync(admin, "/Admin/Tokens?handler=Create", new() { ["UserId"] = target.Id.ToString(), ["Name"] = "bench scanner" }, "#create-token", "/Admin/Tokens");
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(created);
        var token = page.QuerySelector("#new-token code")!.TextContent.Trim();
        token.ShouldStartWith("bbk_");
        var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await api.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var list = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Admin/Tokens"));
        (await admin.GetStringAsync("/Admin/Tokens")).ShouldNotContain(token, customMessage: "the token is shown once only");
        var revokeForm = list.QuerySelectorAll("#tokens tbody tr").First(r => r.TextContent.Contains("bench scanner", StringComparison.Ordinal)).QuerySelector("form")!;
        var action = revokeForm.GetAttribute("action")!;
        var revoked = await BiobankWebFactory.PostFormAsync(admin, action, new(), $"form[action='{action}']", "/Admin/Tokens");
        revoked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await api.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_create_token_cli_verb_prints_a_working_token()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var overrides = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Biobank"] = $"Data Source={app.DatabasePath}",
        }).Build();
        _ = app.Services; // the app has migrated and seeded the file
        var exit = await BuiltCli.RunAsync(["create-token", "--user", "admin"], output, errors, overrides);
        exit.ShouldBe(0, errors.ToString());
        var token = output.ToString().Trim();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.GetStringAsync("/api/v1/me")).ShouldContain("\"userName\":\"admin\"");
    }
}
