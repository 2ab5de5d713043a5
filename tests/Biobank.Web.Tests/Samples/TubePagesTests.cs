using System.Net;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Samples;

public sealed class TubePagesTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task The_tube_page_shows_what_and_where_the_tube_is_and_its_custody_history()
    {
        var tube = await StoredAliquotAsync(app, "BRU", 0);
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Tube/{tube.Barcode}"));

        var details = page.QuerySelector("#tube-details")!.TextContent;
        details.ShouldContain(tube.Pseudonym);
        details.ShouldContain(tube.TimepointCode);
        details.ShouldContain(tube.Sprec!);
        page.QuerySelector("#box-link")!.GetAttribute("href").ShouldBe($"/Storage/Box/{tube.BoxBarcode}");
        page.QuerySelector("#tube-position")!.TextContent.ShouldBe(tube.Position);
        page.QuerySelector("#parent-link")!.TextContent.ShouldBe(tube.ParentBarcode);

        var events = page.QuerySelectorAll("#custody tbody tr").Select(r => r.QuerySelector("td")!.TextContent).ToList();
        events.Take(2).ShouldBe(["created", "stored"]);
        var stored = page.QuerySelectorAll("#custody tbody tr")[1].TextContent;
        stored.ShouldContain("tech.bru");
        stored.ShouldContain($"{tube.BoxBarcode} {tube.Position}");
        stored.ShouldContain("in storage");

        // The parent lists its aliquots.
        var parent = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Tube/{tube.ParentBarcode}"));
        parent.QuerySelectorAll("#children tbody tr a").Select(a => a.TextContent).ShouldContain(tube.Barcode);
    }

    [Fact]
    public async Task Checking_out_and_in_counts_a_freeze_thaw_cycle()
    {
        var tube = await StoredAliquotAsync(app, "BRU", 1);
        var client = await app.SignInAsync("tech.bru");
        var url = $"/Samples/Tube/{tube.Barcode}";

        var page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, [], "#check-out"));
        page.QuerySelector("#tube-status")!.TextContent.ShouldBe("checked out");
        page.QuerySelector("#check-in").ShouldNotBeNull();
        page.QuerySelector("#check-out").ShouldBeNull();
        Status(page).ShouldContain("checked out");

        page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, [], "#check-in"));
        page.QuerySelector("#tube-status")!.TextContent.ShouldBe("in storage");
        page.QuerySelector("#tube-freeze-thaw")!.TextContent.ShouldBe((tube.FreezeThawCount + 1).ToString());
        Status(page).ShouldContain($"freeze–thaw cycles: {tube.FreezeThawCount + 1}");
        page.QuerySelectorAll("#custody tbody tr td:first-child").Select(td => td.TextContent).TakeLast(2).ShouldBe(["checked out", "checked in"]);
    }

    [Fact]
    public async Task Consuming_lowers_the_volume_and_more_than_remains_is_refused()
    {
        var tube = await StoredAliquotAsync(app, "BRU", 2);
        var client = await app.SignInAsync("tech.bru");
        var url = $"/Samples/Tube/{tube.Barcode}";

        var refused = await BiobankWebFactory.PostFormAsync(client, url, new() { ["ConsumeVolumeUl"] = "100000", ["ConsumeReason"] = "too much" }, "#consume");
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(refused)).ShouldHaveSingleItem().ShouldContain("remain");

        var page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, new() { ["ConsumeVolumeUl"] = "50", ["ConsumeReason"] = "ELISA" }, "#consume"));
        page.QuerySelector("#tube-volume")!.TextContent.ShouldStartWith($"{tube.RemainingUl - 50:0} µL left");
        page.QuerySelectorAll("#custody tbody tr")[^1].TextContent.ShouldContain("50 µL used: ELISA");
    }

    [Fact]
    public async Task Destroying_needs_a_reason()
    {
        var tube = await StoredAliquotAsync(app, "BRU", 3);
        var client = await app.SignInAsync("tech.bru");
        var url = $"/Samples/Tube/{tube.Barcode}";
        var form = await BiobankWebFactory.HtmlAsync(await client.GetAsync(url));
        form.QuerySelector("#destroy button")!.GetAttribute("data-confirm")!.ShouldContain(tube.Barcode);

        var refused = await BiobankWebFactory.PostFormAsync(client, url, new() { ["DestroyReason"] = "  " }, "#destroy");
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(refused);
        Errors(page).ShouldHaveSingleItem().ShouldStartWith("Say why the tube is destroyed");
        page.QuerySelector("#tube-status")!.TextContent.ShouldBe("in storage");

        page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, new() { ["DestroyReason"] = "cap cracked" }, "#destroy"));
        page.QuerySelector("#tube-status")!.TextContent.ShouldBe("destroyed");
        page.QuerySelector("#destroy").ShouldBeNull();
        page.QuerySelectorAll("#custody tbody tr")[^1].TextContent.ShouldContain("cap cracked");
    }

    [Fact]
    public async Task A_wrong_check_character_is_explained_and_an_unknown_code_is_404()
    {
        var tube = await StoredAliquotAsync(app, "BRU", 4);
        var client = await app.SignInAsync("tech.bru");
        var wrong = tube.Barcode[..^1] + (tube.Barcode[^1] == '0' ? '1' : '0');

        var response = await client.GetAsync($"/Samples/Tube/{wrong}");
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await BiobankWebFactory.HtmlAsync(response)).QuerySelector("#bad-code")!.TextContent.ShouldContain("wrong check character");

        (await client.GetAsync($"/Samples/Tube/{Barcodes.Format("BRU", BarcodeKind.Aliquot, 99_999_999)}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync($"/Samples/Tube/{tube.Barcode.ToLowerInvariant()}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // '*' is a check character too (value 36); links escape it and the page finds the tube.
        var star = (await app.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Site: "BRU", Limit: 1000), default)).First(t => t.Barcode.EndsWith('*'));
        (await client.GetAsync($"/Samples/Tube/{Uri.EscapeDataString(star.Barcode)}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_sites_tube_answers_404_and_cannot_be_acted_on()
    {
        var other = await StoredAliquotAsync(app, "AAR", 0);
        var client = await app.SignInAsync("tech.bru");
        (await client.GetAsync($"/Samples/Tube/{other.Barcode}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var own = await StoredAliquotAsync(app, "BRU", 5);
        // A token from a page of one's own, posted at the other site's tube.
        var direct = await PostWithTokenAsync(client, $"/Samples/Tube/{own.Barcode}", $"/Samples/Tube/{other.Barcode}?handler=CheckOut");
        direct.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Get<TubeQueries>().ByBarcodeAsync(Caller.System, other.Barcode, default))!.Status.ShouldBe("in_storage");
    }

    private static async Task<HttpResponseMessage> PostWithTokenAsync(HttpClient client, string pageUrl, string target)
    {
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync(pageUrl));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return await client.PostAsync(target, new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
    }
}
