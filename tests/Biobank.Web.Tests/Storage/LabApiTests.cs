using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Storage;

public sealed class LabApiTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Scanning_answers_201_then_409_for_a_taken_position_422_for_a_bad_check_character_and_404_for_unknown()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.bru", 2);
        var box = await WebLabData.NewBoxAsync(app, "tech.bru");
        var api = await app.BearerAsync("tech.bru");
        var created = await api.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = tubes[0], position = "B3" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("position").GetString().ShouldBe("B3");

        var taken = await api.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = tubes[1], position = "B3" });
        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await taken.Content.ReadAsStringAsync()).ShouldContain(tubes[0]);

        var typo = tubes[1][..^1] + (tubes[1][^1] == '0' ? '1' : '0');
        var bad = await api.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = typo });
        bad.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("field").GetString().ShouldBe("barcode");

        var unknown = await api.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = "BRUA999999990" [..^1] + Core.Samples.Barcodes.CheckCharacter("BRUA99999999") });
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var stored = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tubes/{tubes[0]}");
        stored.GetProperty("location").GetProperty("box").GetString().ShouldBe(box);
        stored.GetProperty("location").GetProperty("position").GetString().ShouldBe("B3");

        var map = await api.GetFromJsonAsync<JsonElement>($"/api/v1/boxes/{box}");
        map.GetProperty("positions").EnumerateArray().Count().ShouldBe(100);
        map.GetProperty("positionsUsed").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_biologist_may_read_but_not_scan()
    {
        var box = await WebLabData.NewBoxAsync(app, "tech.sto");
        var api = await app.BearerAsync("bio.sto");
        (await api.GetAsync($"/api/v1/boxes/{box}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = "STOA000000010" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Another_sites_tubes_and_boxes_answer_404_and_never_appear_in_lists()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.aar", 1);
        var box = await WebLabData.NewBoxAsync(app, "tech.aar");
        var bru = await app.BearerAsync("tech.bru");
        (await bru.GetAsync($"/api/v1/tubes/{tubes[0]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bru.GetAsync($"/api/v1/boxes/{box}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var boxes = await bru.GetFromJsonAsync<JsonElement>("/api/v1/boxes");
        boxes.EnumerateArray().ShouldAllBe(b => b.GetProperty("site").GetString() == "BRU");
        var page = await bru.GetFromJsonAsync<JsonElement>("/api/v1/tubes?limit=1000");
        page.GetProperty("items").EnumerateArray().ShouldAllBe(t => t.GetProperty("site").GetString() == "BRU");
        var aar = await bru.GetFromJsonAsync<JsonElement>("/api/v1/tubes?site=AAR");
        aar.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Tube_pages_follow_the_keyset_cursor_without_repeats()
    {
        var api = await app.BearerAsync("admin");
        var seen = new HashSet<string>();
        long? after = null;
        for (var i = 0; i < 5; i++)
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tubes?status=in_storage&limit=50{(after is null ? "" : $"&after={after}")}");
            foreach (var t in page.GetProperty("items").EnumerateArray())
            {
                seen.Add(t.GetProperty("barcode").GetString()!).ShouldBeTrue("no tube appears twice");
                t.GetProperty("status").GetString().ShouldBe("in_storage");
            }
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetInt64();
            if (after is null)
            {
                break;
            }
        }
        seen.Count.ShouldBeGreaterThan(100);
    }

    [Fact]
    public async Task A_browser_cookie_cannot_post_to_the_api_without_the_antiforgery_token()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.lyo", 1);
        var box = await WebLabData.NewBoxAsync(app, "tech.lyo");
        var browser = await app.SignInAsync("tech.lyo");
        var response = await browser.PostAsJsonAsync($"/api/v1/boxes/{box}/tubes", new { barcode = tubes[0] });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await (await app.BearerAsync("tech.lyo")).GetFromJsonAsync<JsonElement>($"/api/v1/tubes/{tubes[0]}")).GetProperty("location").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
