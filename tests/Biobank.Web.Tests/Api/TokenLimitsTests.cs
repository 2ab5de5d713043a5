using System.Net;
using System.Net.Http.Headers;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Web.Tests.Support;
using Dapper;

namespace Biobank.Web.Tests.Api;

/// <summary>Issue #14, the smaller ones: where a token works, how long, what ends it, and how fast it can be guessed.</summary>
public sealed class TokenLimitsTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private HttpClient Bearer(string token)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_token_is_accepted_under_api_and_not_on_the_pages()
    {
        var client = Bearer(await app.TokenAsync("tech.bru"));
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var page in new[] { "/", "/Samples/Search", "/Storage", "/Admin/Users" })
        {
            var response = await client.GetAsync(page);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, page);
            response.Headers.Location!.OriginalString.ShouldContain("/Account/Login", customMessage: page);
        }
    }

    [Fact]
    public async Task A_token_expires_after_its_lifetime()
    {
        var tech = (await app.Get<UserAccounts>().FindByNameAsync("tech.ess", default))!;
        var issued = (await app.Get<ApiTokens>().CreateAsync(Caller.System, tech.Id, "expiring", default)).Value!;
        var row = (await app.Get<ApiTokens>().ListAsync(Caller.System, default)).Single(t => t.Id == issued.Id);
        (row.ExpiresUtc!.Value - row.CreatedUtc).ShouldBe(TimeSpan.FromDays(ApiTokenOptions.DefaultDays));
        var client = Bearer(issued.Token);
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // As if the 90 days had passed.
        await using (var c = await app.Get<IDb>().OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE api_token SET expires_utc = @When WHERE id = @Id", new { When = DateTime.UtcNow.AddMinutes(-1), issued.Id });
        }
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_password_reset_revokes_the_users_tokens()
    {
        var accounts = app.Get<UserAccounts>();
        var user = (await accounts.FindByNameAsync("staff.ess", default))!;
        var client = Bearer(await app.TokenAsync("staff.ess"));
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var admin = (await accounts.FindByNameAsync("admin.ess", default))!.ToCaller();
        (await accounts.ResetPasswordAsync(admin, user.Id, "A-new-password-for-ess-2026", default)).Ok.ShouldBeTrue();
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Get<ApiTokens>().ListAsync(Caller.System, default)).Where(t => t.UserId == user.Id).ShouldAllBe(t => t.RevokedUtc != null);
    }
}

public sealed class FailedTokenThrottleTests : IClassFixture<FailedTokenThrottleTests.ThrottledFactory>
{
    private readonly ThrottledFactory _app;

    public FailedTokenThrottleTests(ThrottledFactory app) => _app = app;

    public sealed class ThrottledFactory : BiobankWebFactory
    {
        public ThrottledFactory() => Settings["Biobank:ApiFailedTokensPerMinute"] = "5";
    }

    [Fact]
    public async Task Random_tokens_from_one_address_are_throttled_after_the_limit()
    {
        var good = await _app.TokenAsync("tech.upp");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            // A fresh random token each time: keyed on the token, as the request limit is, each had its own bucket.
            var client = _app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"bbk_{Guid.NewGuid():N}");
            statuses.Add((await client.GetAsync("/api/v1/me")).StatusCode);
        }
        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(5).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        // While the address is throttled even a good token gets 429, so a guesser cannot tell a hit from the throttle.
        var right = _app.CreateClient();
        right.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", good);
        var answer = await right.GetAsync("/api/v1/me");
        answer.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        answer.Headers.RetryAfter.ShouldNotBeNull();
    }
}
