using System.Net;
using System.Text;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Shipments;

public sealed class ExternalManifestTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string fileName, string content, string from)
    {
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Shipments/ImportManifest"));
        var token = page.QuerySelector("#import-manifest input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(from), "FromSite" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "Upload", fileName },
        };
        return await client.PostAsync("/Shipments/ImportManifest", form);
    }

    [Fact]
    public async Task A_CSV_manifest_pre_registers_tubes_in_transit_that_are_then_received_by_scanning()
    {
        var receiver = await app.SignInAsync("tech.sto");
        var csv = "barcode,pseudonym,sample_type,timepoint,volume_ul,collected_date\nEXT-LYO-000101,LYO-0001,PLASMA,BASELINE,250,2026-10-01\nEXT-LYO-000102,LYO-0001,SER,BASELINE,250,2026-10-01\n";
        var response = await UploadAsync(receiver, "manifest.csv", csv, "LYO");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = response.Headers.Location!.ToString();
        var shipment = await BiobankWebFactory.HtmlAsync(await receiver.GetAsync(page));
        shipment.QuerySelectorAll(".manifest-box tbody tr").Length.ShouldBe(2);
        foreach (var code in new[] { "EXT-LYO-000101", "EXT-LYO-000102" })
        {
            var scanned = await BiobankWebFactory.PostFormAsync(receiver, $"{page}?handler=Receive", new() { ["Code"] = code }, "#receive-form", page);
            (await scanned.Content.ReadAsStringAsync()).ShouldContain("OK");
        }
        var finished = await BiobankWebFactory.PostFormAsync(receiver, $"{page}?handler=Finish", new() { ["DryIceLeft"] = "true", ["LoggerOk"] = "true" }, "#finish-form", page);
        finished.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var tube = await app.Get<TubeQueries>().ByBarcodeAsync(Core.Common.Caller.System, "EXT-LYO-000101", default);
        tube!.Status.ShouldBe("registered");
        tube.SiteCode.ShouldBe("STO");
    }

    [Fact]
    public async Task A_bad_manifest_lists_every_problem_and_registers_nothing()
    {
        var receiver = await app.SignInAsync("tech.sto");
        var json = "{\"tubes\":[{\"barcode\":\"EXT-ESS-9\",\"pseudonym\":\"NOBODY-1\",\"sampleType\":\"PLASMA\",\"timepoint\":\"BASELINE\",\"volumeUl\":250}," +
                   "{\"barcode\":\"EXT-ESS-10\",\"pseudonym\":\"ESS-0001\",\"sampleType\":\"BLOOD\",\"timepoint\":\"M99\",\"volumeUl\":-1}]}";
        var response = await UploadAsync(receiver, "manifest.json", json, "ESS");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(response);
        var rows = page.QuerySelectorAll("#manifest-problems tbody tr").Select(r => r.TextContent).ToList();
        rows.ShouldContain(r => r.Contains("pseudonym", StringComparison.Ordinal) && r.Contains("NOBODY-1", StringComparison.Ordinal));
        rows.ShouldContain(r => r.Contains("sample_type", StringComparison.Ordinal));
        rows.ShouldContain(r => r.Contains("timepoint", StringComparison.Ordinal));
        rows.ShouldContain(r => r.Contains("volume_ul", StringComparison.Ordinal));
        (await app.Get<TubeQueries>().ByBarcodeAsync(Core.Common.Caller.System, "EXT-ESS-10", default)).ShouldBeNull();
    }
}
