using System.Net;
using System.Text.RegularExpressions;

namespace Biobank.Reliability.Tests.Support;

/// <summary>A browser without a browser: a cookie jar, the antiforgery token read from the page, forms posted as a browser would.</summary>
public static partial class FormClient
{
    public const string Password = "biobank-demo-2026";

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex TokenInput();

    public static HttpClient Anonymous(Uri url) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) };

    public static async Task<HttpClient> SignInAsync(Uri url, string userName)
    {
        var client = Anonymous(url);
        using var r = await PostAsync(client, "/Account/Login", "/Account/Login", new() { ["Input.UserName"] = userName, ["Input.Password"] = Password });
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"sign-in of {userName}");
        return client;
    }

    public static async Task<string> TokenAsync(HttpClient client, string pageUrl)
    {
        var html = await client.GetStringAsync(pageUrl);
        return WebUtility.HtmlDecode(TokenInput().Match(html).Groups[1].Value);
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pageUrl, string action, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await TokenAsync(client, pageUrl);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string pageUrl, Dictionary<string, string> fields, string fileField, string fileName, byte[] file)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(await TokenAsync(client, pageUrl)), "__RequestVerificationToken" },
        };
        foreach (var (k, v) in fields)
        {
            form.Add(new StringContent(v), k);
        }
        form.Add(new ByteArrayContent(file), fileField, fileName);
        return await client.PostAsync(pageUrl, form);
    }
}
