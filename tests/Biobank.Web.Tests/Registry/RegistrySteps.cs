using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Registry;

/// <summary>Uploads through the registry pages' real forms: multipart, with the form's own antiforgery token.</summary>
public static class RegistrySteps
{
    public static byte[] Bytes(string text) => new UTF8Encoding(false).GetBytes(text);

    /// <summary>GETs <paramref name="pageUrl"/>, takes the token of <paramref name="formSelector"/>, and posts the file with the fields.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string pageUrl, string formSelector, string fileName, byte[] file,
        Dictionary<string, string>? fields = null)
    {
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync(pageUrl));
        var form = page.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form {formSelector} at {pageUrl}.");
        return await UploadToAsync(client, pageUrl, form, fileName, file, fields);
    }

    /// <summary>Posts a form already on a page (e.g. the choice offered after a refusal): its hidden fields, the file and the extra fields.</summary>
    public static async Task<HttpResponseMessage> UploadToAsync(HttpClient client, string pageUrl, IHtmlFormElement form, string fileName, byte[] file,
        Dictionary<string, string>? fields = null)
    {
        var content = new MultipartFormDataContent();
        var values = new Dictionary<string, string>();
        foreach (var hidden in form.QuerySelectorAll("input[type=hidden]"))
        {
            values[hidden.GetAttribute("name")!] = hidden.GetAttribute("value") ?? "";
        }
        foreach (var (k, v) in fields ?? [])
        {
            values[k] = v;
        }
        foreach (var (k, v) in values)
        {
            content.Add(new StringContent(v), k);
        }
        var fileInput = form.QuerySelector("input[type=file]")?.GetAttribute("name") ?? throw new InvalidOperationException("The form has no file input.");
        content.Add(new ByteArrayContent(file), fileInput, fileName);
        var action = form.GetAttribute("action");
        return await client.PostAsync(string.IsNullOrEmpty(action) ? pageUrl : action, content);
    }

    /// <summary>The problems table of a refused import: (row, column, value, reason) per line.</summary>
    public static IReadOnlyList<(string Row, string Column, string Value, string Reason)> Problems(IHtmlDocument page) =>
        page.QuerySelectorAll("#import-problems tbody tr")
            .Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())
            .Select(c => (c[0], c[1], c[2], c[3]))
            .ToList();

    public static async Task<IHtmlDocument> RefusedAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK, "a refused file shows the page again with its problems");
        var page = await BiobankWebFactory.HtmlAsync(response);
        page.QuerySelector("#import-refused").ShouldNotBeNull(page.QuerySelector("main")?.TextContent);
        return page;
    }
}
