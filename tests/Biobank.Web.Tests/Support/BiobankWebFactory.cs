using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Web.Tests.Support;

/// <summary>
/// The real web app over a real SQLite file (or PostgreSQL when asked), migrated and seeded with the demo data.
/// One per test class; tests share it and must not depend on each other's writes.
/// </summary>
public class BiobankWebFactory : WebApplicationFactory<Program>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("biobank-web-").FullName;

    public const string Password = DemoSeeder.DefaultPassword;

    public string DatabasePath => Path.Combine(_dir, "biobank.db");

    public Dictionary<string, string?> Settings { get; } = new();

    public string Environment { get; set; } = "Development";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Biobank", $"Data Source={DatabasePath}");
        builder.UseSetting("Biobank:SeedDemo", "true");
        builder.UseSetting("Biobank:DemoPatients", "12");
        builder.UseSetting("Biobank:SignInPerMinute", "100000");
        // Every test client has the same (absent) address: only the throttle's own test sets a real limit.
        builder.UseSetting("Biobank:ApiFailedTokensPerMinute", "100000");
        builder.UseSetting("Biobank:DataFolder", _dir);
        foreach (var (k, v) in Settings)
        {
            builder.UseSetting(k, v);
        }
    }

    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real form, antiforgery token included; the client keeps the cookie.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password = Password)
    {
        var client = Anonymous();
        var response = await PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = userName, ["Input.Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {userName} failed: {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}");
        }
        return client;
    }

    public async Task<HttpClient> BearerAsync(string userName)
    {
        var token = await TokenAsync(userName);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> TokenAsync(string userName)
    {
        var accounts = Services.GetRequiredService<UserAccounts>();
        var user = await accounts.FindByNameAsync(userName, default) ?? throw new InvalidOperationException($"no user {userName}");
        var result = await Services.GetRequiredService<ApiTokens>().CreateAsync(Caller.System, user.Id, "test", default);
        return result.Value!.Token;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>GETs the form's page, takes its antiforgery token, and posts the fields like a browser would.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, Dictionary<string, string> fields, string? formSelector = null, string? pageUrl = null)
    {
        var page = await client.GetAsync(pageUrl ?? url);
        var html = await page.Content.ReadAsStringAsync();
        var doc = new HtmlParser().ParseDocument(html);
        var form = (formSelector is null ? doc.QuerySelector("form[method=post]") : doc.QuerySelector(formSelector)) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form at {pageUrl ?? url} ({(int)page.StatusCode}).");
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The form has no antiforgery token.");
        var content = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token) };
        content.AddRange(fields.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)));
        var action = form.GetAttribute("action");
        var target = string.IsNullOrEmpty(action) ? url : action;
        return await client.PostAsync(target, new FormUrlEncodedContent(content));
    }

    public static async Task<IHtmlDocument> HtmlAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
