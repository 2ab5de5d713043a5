using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Biobank.Core.Data;
using Biobank.Web.Tests.Support;
using Dapper;

namespace Biobank.Web.Tests.Security;

/// <summary>
/// Issue 14's first exploit, as a hostile receiving site would run it: a one-row external manifest creates a shipment
/// in transit to STO, then STO's scanner "receives" the barcode of a tube that sits in a BRU freezer.
/// </summary>
public sealed class ReceivingTakeoverTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private sealed record Held
    {
        public string Barcode { get; init; } = "";
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
    }

    [Fact]
    public async Task Receiving_a_barcode_of_another_sites_stored_tube_changes_nothing_of_that_tube()
    {
        await using var c = await app.Get<IDb>().OpenAsync(default);
        var before = await c.QuerySingleAsync<Held>("""
            SELECT t.barcode AS Barcode, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol
            FROM tube t JOIN site s ON s.id = t.site_id WHERE s.code = 'BRU' AND t.status = 'in_storage' ORDER BY t.id LIMIT 1
            """);
        var patient = await c.ExecuteScalarAsync<string>("SELECT p.pseudonym FROM patient p JOIN site s ON s.id = p.site_id WHERE s.code = 'LYO' AND p.consent_status <> 'withdrawn' ORDER BY p.id LIMIT 1");

        var receiver = await app.SignInAsync("tech.sto");
        var csv = $"barcode,pseudonym,sample_type,timepoint,volume_ul\nEXT-LYO-777001,{patient},PLASMA,BASELINE,250\n";
        var page = await BiobankWebFactory.HtmlAsync(await receiver.GetAsync("/Shipments/ImportManifest"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(page.QuerySelector("#import-manifest input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken" },
            { new StringContent("LYO"), "FromSite" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "Upload", "one.csv" },
        };
        var created = await receiver.PostAsync("/Shipments/ImportManifest", form);
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, await created.Content.ReadAsStringAsync());
        var shipment = created.Headers.Location!.ToString().TrimEnd('/').Split('/')[^1];

        var api = await app.BearerAsync("tech.sto");
        var scan = await api.PostAsJsonAsync($"/api/v1/shipments/{shipment}/receive", new { barcode = before.Barcode });
        scan.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await scan.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("unexpected", "the scan is recorded, as a discrepancy");
        (await api.PostAsJsonAsync($"/api/v1/shipments/{shipment}/receive/finish", new { dryIceLeft = true, loggerOk = true })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = await c.QuerySingleAsync<Held>("SELECT barcode AS Barcode, site_id AS SiteId, status AS Status, box_id AS BoxId, pos_row AS PosRow, pos_col AS PosCol FROM tube WHERE barcode = @B",
            new { B = before.Barcode });
        after.ShouldBe(before, "site, status and position of BRU's tube are untouched");
        (await (await app.BearerAsync("tech.bru")).GetAsync($"/api/v1/tubes/{before.Barcode}")).StatusCode.ShouldBe(HttpStatusCode.OK, "its owner still finds its own tube");
        (await api.GetAsync($"/api/v1/tubes/{before.Barcode}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the receiver gained nothing");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE t.barcode = @B AND e.details LIKE '%' || @S || '%'",
            new { B = before.Barcode, S = shipment })).ShouldBe(0, "no custody event pretends the tube arrived");
    }
}
