using System.Net;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Shipments;

public sealed class ShipmentPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Build_pack_dispatch_receive_with_one_missing_reconcile_through_the_forms()
    {
        var staff = await app.SignInAsync("staff.ess");
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.ess", 3);
        var box = await WebLabData.NewBoxAsync(app, "tech.ess");
        var tech = await app.BearerAsync("tech.ess");
        foreach (var t in tubes)
        {
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(tech, $"/api/v1/boxes/{box}/tubes", new { barcode = t })).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        var index = await BiobankWebFactory.HtmlAsync(await staff.GetAsync("/Shipments"));
        var sto = index.QuerySelectorAll("#create-shipment option").First(o => o.TextContent.Contains("STO", StringComparison.Ordinal)).GetAttribute("value")!;
        var created = await BiobankWebFactory.PostFormAsync(staff, "/Shipments?handler=Create", new() { ["ToSiteId"] = sto }, "#create-shipment", "/Shipments");
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = created.Headers.Location!.ToString();
        var barcode = page.Split('/').Last();

        async Task<string> Post(string handler, string selector, Dictionary<string, string> fields, HttpClient? as_ = null)
        {
            var response = await BiobankWebFactory.PostFormAsync(as_ ?? staff, $"{page}?handler={handler}", fields, selector, page);
            ((int)response.StatusCode).ShouldBeOneOf(200, 302);
            return response.StatusCode == HttpStatusCode.Redirect ? "" : await response.Content.ReadAsStringAsync();
        }

        (await Post("Add", "#add-form", new() { ["Code"] = box })).ShouldContain("added with 3 tubes");
        await Post("Pack", "#pack-form", new() { ["Courier"] = "World Courier", ["TrackingNumber"] = "WC42", ["DryIceKg"] = "6", ["LoggerId"] = "L-1", ["Packages"] = "1" });
        await Post("Dispatch", "#dispatch-form", new());
        var receiver = await app.SignInAsync("tech.sto");
        (await Post("Receive", "#receive-form", new() { ["Code"] = tubes[0] }, receiver)).ShouldContain("OK");
        (await Post("Receive", "#receive-form", new() { ["Code"] = tubes[1] }, receiver)).ShouldContain("OK");
        await Post("Finish", "#finish-form", new() { ["DryIceLeft"] = "true", ["LoggerOk"] = "true", ["Note"] = "fine" }, receiver);
        var received = await BiobankWebFactory.HtmlAsync(await receiver.GetAsync(page));
        var rows = received.QuerySelectorAll("#discrepancies tbody tr").Select(r => r.TextContent).ToList();
        rows.Count.ShouldBe(1);
        rows[0].ShouldContain(tubes[2]);
        rows[0].ShouldContain("missing");
        await Post("Reconcile", "#reconcile-form", new() { ["Note"] = "one tube missing, courier informed" }, receiver);
        (await BiobankWebFactory.HtmlAsync(await receiver.GetAsync(page))).QuerySelector("#timeline li:last-child")!.ClassList.ShouldContain("bg-primary");
        barcode.ShouldStartWith("ESSH");
    }

    [Fact]
    public async Task The_home_page_shows_the_overdue_shipment_to_both_sites()
    {
        foreach (var user in new[] { "staff.ess", "tech.sto" })
        {
            var client = await app.SignInAsync(user);
            var home = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"));
            home.QuerySelector("#home-panels")!.TextContent.ShouldContain("overdue");
        }
        var bru = await app.SignInAsync("staff.lyo");
        (await BiobankWebFactory.HtmlAsync(await bru.GetAsync("/"))).QuerySelector("#home-panels")!.TextContent.ShouldNotContain("ESSH");
    }
}
