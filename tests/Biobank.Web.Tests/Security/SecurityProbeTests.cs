using System.Net;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Security;

public sealed class SecurityProbeTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Every_page_POST_without_an_antiforgery_token_is_refused()
    {
        var admin = await app.SignInAsync("admin");
        var pages = Routes.All(app).Where(r => r.IsPage && !r.HasParameters && r.Pattern != "/Error").Select(r => r.Pattern).Distinct().ToList();
        pages.Count.ShouldBeGreaterThan(10);
        var accepted = new List<string>();
        foreach (var page in pages)
        {
            var response = await admin.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" }));
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                accepted.Add($"{page}: {(int)response.StatusCode}");
            }
        }
        accepted.ShouldBeEmpty("every POST handler must validate the antiforgery token");
    }

    [Fact]
    public async Task Every_GET_route_answers_with_the_security_headers()
    {
        var admin = await app.SignInAsync("admin");
        foreach (var route in Routes.All(app).Where(r => !r.HasParameters && r.Methods.Contains("GET")))
        {
            var response = await admin.GetAsync(route.Pattern);
            response.Headers.Contains("Content-Security-Policy").ShouldBeTrue(route.Pattern);
            response.Headers.GetValues("X-Content-Type-Options").ShouldContain("nosniff", route.Pattern);
            response.Headers.Contains("Referrer-Policy").ShouldBeTrue(route.Pattern);
        }
    }

    [Fact]
    public async Task Outside_Development_responses_carry_HSTS_and_errors_show_a_reference_not_a_stack_trace()
    {
        using var production = new BiobankWebFactory { Environment = "Production" };
        var client = production.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://biobank.example"), AllowAutoRedirect = false });
        var response = await client.GetAsync("/Account/Login");
        response.Headers.Contains("Strict-Transport-Security").ShouldBeTrue();
        var error = await client.GetStringAsync("/Error");
        error.ShouldContain("reference");
        error.ShouldNotContain("   at ");
    }
}

public sealed class SignInRateLimitTests : IClassFixture<SignInRateLimitTests.LimitedFactory>
{
    private readonly LimitedFactory _app;

    public SignInRateLimitTests(LimitedFactory app) => _app = app;

    public sealed class LimitedFactory : BiobankWebFactory
    {
        public LimitedFactory() => Settings["Biobank:SignInPerMinute"] = "5";
    }

    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_answer_429()
    {
        var client = _app.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "staff.aar", ["Input.Password"] = $"wrong-password-{i:00}" })).StatusCode);
        }
        statuses.ShouldContain(HttpStatusCode.TooManyRequests);
        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.OK);
    }
}
