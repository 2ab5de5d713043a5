using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Shipments;

/// <summary>The receiving scan over the API, with its own demo (it receives a demo shipment).</summary>
public sealed class ReceiveApiTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_scanner_receives_a_shipment_tube_by_tube_and_finishes_it()
    {
        var admin = await app.BearerAsync("admin");
        var shipment = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/shipments?state=dispatched")).EnumerateArray()
            .First(s => s.GetProperty("to").GetString() == "STO" && s.GetProperty("tubes").GetInt32() > 2);
        var code = shipment.GetProperty("barcode").GetString()!;
        var sto = await app.BearerAsync("tech.sto");
        var tubes = (await sto.GetFromJsonAsync<JsonElement>($"/api/v1/shipments/{code}/manifest")).GetProperty("tubes").EnumerateArray()
            .Select(t => t.GetProperty("barcode").GetString()!).ToList();

        var first = await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[0] });
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("ok");

        var again = await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[0] });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("already scanned");

        var corrected = await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[0], damaged = true, note = "cap cracked" });
        corrected.StatusCode.ShouldBe(HttpStatusCode.OK, "scanning it again as damaged is a correction");
        (await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[1] })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var wrongCheck = tubes[2][..^1] + (tubes[2][^1] == 'A' ? 'B' : 'A');
        (await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = wrongCheck })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "a misread (wrong check character) is refused, not recorded");
        var stranger = await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = "EXT-UNKNOWN-1" });
        stranger.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await stranger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("unexpected");
        (await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = "" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await (await app.BearerAsync("staff.bru")).PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[2] }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound, "another site's shipment does not exist for BRU");

        var finish = await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive/finish", new { dryIceLeft = true, loggerOk = true });
        finish.StatusCode.ShouldBe(HttpStatusCode.OK);
        var summary = await finish.Content.ReadFromJsonAsync<JsonElement>();
        summary.GetProperty("ok").GetInt32().ShouldBe(1);
        summary.GetProperty("damaged").GetInt32().ShouldBe(1);
        summary.GetProperty("missing").GetInt32().ShouldBe(tubes.Count - 2);
        summary.GetProperty("unexpected").GetInt32().ShouldBe(1);
        (await sto.PostAsJsonAsync($"/api/v1/shipments/{code}/receive", new { barcode = tubes[2] })).StatusCode.ShouldBe(HttpStatusCode.Conflict, "a received shipment takes no more scans");
    }
}
