using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Shipments;

public sealed class ShipmentApiTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Lists_only_shipments_of_the_callers_site_and_filters_by_state()
    {
        var bru = await app.BearerAsync("staff.bru");
        var list = await bru.GetFromJsonAsync<JsonElement>("/api/v1/shipments");
        list.GetArrayLength().ShouldBeGreaterThan(0);
        list.EnumerateArray().ShouldAllBe(s => s.GetProperty("from").GetString() == "BRU" || s.GetProperty("to").GetString() == "BRU");
        var dispatched = await (await app.BearerAsync("admin")).GetFromJsonAsync<JsonElement>("/api/v1/shipments?state=dispatched");
        dispatched.EnumerateArray().ShouldAllBe(s => s.GetProperty("state").GetString() == "dispatched");
        dispatched.EnumerateArray().ShouldContain(s => s.GetProperty("overdue").GetBoolean(), "the demo has an overdue shipment");
        (await bru.GetAsync("/api/v1/shipments?state=lost")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task The_manifest_goes_to_the_sender_and_the_receiver_only()
    {
        var admin = await app.BearerAsync("admin");
        var shipment = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/shipments?state=dispatched")).EnumerateArray()
            .First(s => s.GetProperty("from").GetString() == "LYO").GetProperty("barcode").GetString();
        var sender = await (await app.BearerAsync("staff.lyo")).GetFromJsonAsync<JsonElement>($"/api/v1/shipments/{shipment}/manifest");
        sender.GetProperty("tubes").GetArrayLength().ShouldBe(sender.GetProperty("tubeCount").GetInt32());
        var first = sender.GetProperty("tubes")[0];
        first.GetProperty("box").GetString().ShouldNotBeNullOrEmpty();
        first.GetProperty("position").GetString().ShouldNotBeNullOrEmpty();
        (await (await app.BearerAsync("tech.sto")).GetAsync($"/api/v1/shipments/{shipment}/manifest")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await app.BearerAsync("staff.bru")).GetAsync($"/api/v1/shipments/{shipment}/manifest")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await app.BearerAsync("tech.upp")).GetAsync($"/api/v1/shipments/{shipment}/manifest")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_sites_shipment_page_answers_404()
    {
        var admin = await app.BearerAsync("admin");
        var shipment = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/shipments?state=dispatched")).EnumerateArray()
            .First(s => s.GetProperty("from").GetString() == "LYO").GetProperty("barcode").GetString();
        var bru = await app.SignInAsync("staff.bru");
        (await bru.GetAsync($"/Shipments/{shipment}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bru.GetAsync($"/Shipments/{shipment}?handler=Manifest&format=csv")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await BiobankWebFactory.HtmlAsync(await bru.GetAsync("/Shipments"));
        list.QuerySelector("#shipments")!.TextContent.ShouldNotContain(shipment!);
    }
}
