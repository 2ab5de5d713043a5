using System.Net;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Storage;

public sealed class ScanStationTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task The_plain_form_stores_a_tube_and_the_box_map_shows_it()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.ess", 1);
        var box = await WebLabData.NewBoxAsync(app, "tech.ess", 9, 9);
        var client = await app.SignInAsync("tech.ess");
        var response = await BiobankWebFactory.PostFormAsync(client, "/Storage/Scan?handler=Scan", new()
        {
            ["BoxCode"] = box, ["Mode"] = "store", ["Tube"] = tubes[0], ["Position"] = "C4",
        }, "#scan-form", $"/Storage/Scan?box={box}");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var map = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Storage/Box/{box}"));
        map.QuerySelector("#box-map [data-position='C4']")!.ClassList.ShouldContain("filled");
        map.QuerySelector("#box-map [data-position='C4'] title")!.TextContent.ShouldContain(tubes[0]);
        map.QuerySelectorAll("#box-map .box-cell.empty").Length.ShouldBe(80);
    }

    [Fact]
    public async Task A_rack_file_with_a_bad_row_is_refused_whole_with_the_row_named()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.ess", 2);
        var box = await WebLabData.NewBoxAsync(app, "tech.ess");
        var client = await app.SignInAsync("tech.ess");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Storage/Box/{box}"));
        var form = page.QuerySelector("#rack-import")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($"A1,{tubes[0]}\nZ9,{tubes[1]}\n")), "RackFile", "rack.csv" },
        };
        var response = await client.PostAsync($"/Storage/Box/{box}?handler=Import", content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await BiobankWebFactory.HtmlAsync(response);
        html.QuerySelector("#import-problems")!.TextContent.ShouldContain("Z9");
        html.QuerySelectorAll("#box-map .box-cell.filled").Length.ShouldBe(0);
    }
}
