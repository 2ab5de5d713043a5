using System.Net;
using Biobank.Core.Operations;
using Biobank.Web.Infrastructure;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Admin;

/// <summary>
/// Hangfire's dashboard at /Admin/Jobs as each role: anonymous is sent to sign in, a technician or biologist gets 404,
/// a site administrator looks (read-only: no trigger), a central administrator triggers a recurring job with
/// Hangfire's own antiforgery token and sees it run.
/// </summary>
public sealed class JobsDashboardTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Anonymous_callers_are_sent_to_sign_in()
    {
        var response = await app.Anonymous().GetAsync("/Admin/Jobs/recurring");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/Account/Login");
    }

    [Theory]
    [InlineData("tech.bru")]
    [InlineData("bio.bru")]
    [InlineData("biologist")]
    public async Task Users_who_are_not_administrators_get_404_for_every_dashboard_address(string user)
    {
        var client = await app.SignInAsync(user);
        foreach (var path in new[] { "/Admin/Jobs", "/Admin/Jobs/recurring", "/Admin/Jobs/servers", "/Admin/Jobs/stats" })
        {
            (await client.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
        var (header, token) = await AntiforgeryAsync(await app.SignInAsync("admin"));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Admin/Jobs/recurring/trigger") { Content = Trigger(MaintenanceJobs.IntegrityCheck) };
        post.Headers.Add(header, token);
        (await client.SendAsync(post)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_site_administrator_sees_the_recurring_jobs_but_cannot_trigger_one()
    {
        var client = await app.SignInAsync("admin.bru");
        var page = await client.GetAsync("/Admin/Jobs/recurring");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain(MaintenanceJobs.IntegrityCheck);
        html.ShouldContain(MaintenanceJobs.Backup);
        html.ShouldContain(MaintenanceJobs.OverdueShipments);
        html.ShouldNotContain("js-jobs-list-command", customMessage: "read-only: no trigger or delete buttons");

        var (header, token) = await AntiforgeryAsync(client);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Admin/Jobs/recurring/trigger") { Content = Trigger(MaintenanceJobs.OverdueShipments) };
        post.Headers.Add(header, token);
        var refused = await client.SendAsync(post);
        ((int)refused.StatusCode).ShouldBe(401, "Hangfire refuses a command on a read-only dashboard");
        await Task.Delay(TimeSpan.FromSeconds(2));
        (await app.Get<MaintenanceRuns>().LatestAsync(default)).ShouldNotContain(r => r.Job == MaintenanceJobs.OverdueShipments);
    }

    [Fact]
    public async Task A_central_administrator_triggers_a_recurring_job_with_the_antiforgery_token_and_it_runs()
    {
        var client = await app.SignInAsync("admin");
        var page = await client.GetAsync("/Admin/Jobs/recurring");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).ShouldContain("js-jobs-list-command");
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(SecurityHeaders.DashboardContentSecurityPolicy);

        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/Admin/Jobs/recurring/trigger") { Content = Trigger(MaintenanceJobs.IntegrityCheck) })
        {
            (await client.SendAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "without the antiforgery token");
        }
        var (header, token) = await AntiforgeryAsync(client);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Admin/Jobs/recurring/trigger") { Content = Trigger(MaintenanceJobs.IntegrityCheck) };
        post.Headers.Add(header, token);
        (await client.SendAsync(post)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        MaintenanceRun? run;
        while ((run = (await app.Get<MaintenanceRuns>().LatestAsync(default)).SingleOrDefault(r => r.Job == MaintenanceJobs.IntegrityCheck)) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        run.ShouldNotBeNull("the triggered integrity check ran");
        run.Ok.ShouldBeTrue(run.Summary);
        run.Summary.ShouldStartWith("passed");

        // Its outcome is on /health and on the administrators' home page.
        (await app.Anonymous().GetStringAsync("/health")).ShouldContain("\"integrityCheck\":{\"state\":\"passed\"");
        var home = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"));
        home.Body!.TextContent.ShouldContain("Nightly integrity-check: passed");
    }

    [Fact]
    public async Task Pages_outside_the_dashboard_keep_the_strict_content_security_policy()
    {
        var client = await app.SignInAsync("admin");
        (await client.GetAsync("/Admin/Protocol")).Headers.GetValues("Content-Security-Policy").Single().ShouldBe(SecurityHeaders.ContentSecurityPolicy);
    }

    private static FormUrlEncodedContent Trigger(string job) => new([new("jobs[]", job)]);

    /// <summary>The header name and token the dashboard's own script sends with a command (its csrf meta tags).</summary>
    private static async Task<(string Header, string Token)> AntiforgeryAsync(HttpClient admin)
    {
        var doc = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Admin/Jobs/recurring"));
        var header = doc.QuerySelector("meta[name=csrf-header]")?.GetAttribute("content");
        var token = doc.QuerySelector("meta[name=csrf-token]")?.GetAttribute("content");
        header.ShouldNotBeNullOrEmpty("Hangfire renders the antiforgery header name for its script");
        return (header, token!);
    }
}
