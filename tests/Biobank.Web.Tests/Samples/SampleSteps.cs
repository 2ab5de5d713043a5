using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Sites;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Samples;

/// <summary>The bench steps the sample tests repeat, each through the real form of its page.</summary>
public static class SampleSteps
{
    public static string NewPseudonym(string site = "BRU") => $"{site}-T{Random.Shared.Next(100_000, 999_999)}";

    public static async Task<long> SiteIdAsync(BiobankWebFactory app, string code) =>
        (await app.Get<SiteDirectory>().ListAsync(Caller.System, default)).Single(s => s.Code == code).Id;

    public static async Task<long> TypeIdAsync(BiobankWebFactory app, string code) =>
        (await app.Get<Protocol>().SampleTypesAsync(default)).Single(t => t.Code == code).Id;

    public static async Task<long> TimepointIdAsync(BiobankWebFactory app, string code) =>
        (await app.Get<Protocol>().TimepointsAsync(default)).Single(t => t.Code == code).Id;

    public static async Task<long> CreatePatientAsync(BiobankWebFactory app, HttpClient client, string pseudonym, string site = "BRU", string consent = "given")
    {
        var response = await BiobankWebFactory.PostFormAsync(client, "/Samples/Patients", new()
        {
            ["Input.Pseudonym"] = pseudonym,
            ["Input.SiteId"] = (await SiteIdAsync(app, site)).ToString(CultureInfo.InvariantCulture),
            ["Input.Sex"] = "F",
            ["Input.AgeAtRtYears"] = "9.5",
            ["Input.ConsentStatus"] = consent,
            ["Input.ConsentDate"] = "2026-01-10",
        }, "#create-patient");
        return await IdFromAsync(response, "/Samples/Patients/");
    }

    /// <summary>Registers a visit with the given tube rows (type code, optional barcode), collected yesterday at 08:00 UTC.</summary>
    public static async Task<HttpResponseMessage> PostCollectionAsync(BiobankWebFactory app, HttpClient client, long patientId, params (string Type, string? Barcode)[] tubes)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.TimepointId"] = (await TimepointIdAsync(app, "BASELINE")).ToString(CultureInfo.InvariantCulture),
            ["Input.CollectedDate"] = Collected.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.CollectedTime"] = Collected.ToString("HH:mm", CultureInfo.InvariantCulture),
            ["Input.Notes"] = "test visit",
        };
        for (var i = 0; i < tubes.Length; i++)
        {
            fields[$"Input.Tubes[{i}].SampleTypeId"] = (await TypeIdAsync(app, tubes[i].Type)).ToString(CultureInfo.InvariantCulture);
            fields[$"Input.Tubes[{i}].ExternalBarcode"] = tubes[i].Barcode ?? "";
            fields[$"Input.Tubes[{i}].VolumeUl"] = "";
        }
        return await BiobankWebFactory.PostFormAsync(client, $"/Samples/Collections/New?patientId={patientId}", fields, "#new-collection");
    }

    public static DateTime Collected { get; } = DateTime.UtcNow.Date.AddDays(-1).AddHours(8);

    public static async Task<long> RegisterCollectionAsync(BiobankWebFactory app, HttpClient client, long patientId, params (string Type, string? Barcode)[] tubes) =>
        await IdFromAsync(await PostCollectionAsync(app, client, patientId, tubes), "/Samples/Collections/");

    public static async Task<IHtmlDocument> FollowAsync(HttpClient client, HttpResponseMessage redirect)
    {
        redirect.StatusCode.ShouldBe(HttpStatusCode.Redirect, await redirect.Content.ReadAsStringAsync());
        return await BiobankWebFactory.HtmlAsync(await client.GetAsync(redirect.Headers.Location));
    }

    public static string Status(IHtmlDocument page) => page.QuerySelector("[role=status]")?.TextContent.Trim() ?? "";

    public static IReadOnlyList<string> Errors(IHtmlDocument page) =>
        page.QuerySelectorAll(".validation-errors li").Select(li => li.TextContent.Trim()).ToList();

    public static async Task<long> IdFromAsync(HttpResponseMessage response, string prefix)
    {
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            var errors = Errors(await BiobankWebFactory.HtmlAsync(response));
            throw new ShouldAssertException($"Expected a redirect to {prefix}…, got {(int)response.StatusCode}: {string.Join(" | ", errors)}");
        }
        var path = response.Headers.Location!.ToString();
        path.ShouldStartWith(prefix);
        return long.Parse(path[prefix.Length..].Split('?', '#')[0], CultureInfo.InvariantCulture);
    }

    public static async Task<IReadOnlyList<TubeView>> TubesOfAsync(BiobankWebFactory app, long collectionId) =>
        await app.Get<TubeQueries>().OfCollectionAsync(Caller.System, collectionId, default);

    /// <summary>Stored aliquots of a site from the demo data, each test taking a different one.</summary>
    public static async Task<TubeView> StoredAliquotAsync(BiobankWebFactory app, string site, int skip) =>
        (await app.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Site: site, Status: "in_storage", Limit: 200), default))
        .Where(t => t.Kind == "aliquot" && !t.Withdrawn).Skip(skip).First();
}
