using System.Net;
using System.Text.Json;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Web.Tests.Support;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Samples;

public sealed class SearchPagesTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task Search_finds_a_patients_tubes_by_pseudonym()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Search?pseudonym=BRU-0001&sampleType=PLASMA"));
        var rows = page.QuerySelectorAll("#results tbody tr");
        rows.Length.ShouldBeGreaterThan(0);
        rows.ShouldAllBe(r => r.QuerySelector("td:nth-child(4)")!.TextContent.Trim() == "BRU-0001");
        rows.ShouldAllBe(r => r.QuerySelector("td:nth-child(3)")!.TextContent.Trim() == "PLASMA");
        page.QuerySelector("#export-csv")!.GetAttribute("href").ShouldBe("/Samples/Search?pseudonym=BRU-0001&sampleType=PLASMA&handler=Export");
    }

    [Fact]
    public async Task Results_page_by_key_with_a_next_page_link()
    {
        var client = await app.SignInAsync("tech.bru");
        var first = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Search?status=in_storage"));
        var firstCodes = first.QuerySelectorAll("#results tbody tr td:first-child").Select(td => td.TextContent.Trim()).ToList();
        firstCodes.Count.ShouldBe(50);
        var next = first.QuerySelector("#next-page")!.GetAttribute("href")!;
        next.ShouldContain("status=in_storage");
        next.ShouldContain("after=");
        var second = await BiobankWebFactory.HtmlAsync(await client.GetAsync(next));
        var secondCodes = second.QuerySelectorAll("#results tbody tr td:first-child").Select(td => td.TextContent.Trim()).ToList();
        secondCodes.ShouldNotBeEmpty();
        secondCodes.Intersect(firstCodes).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_site_user_gets_no_site_filter_and_cannot_search_another_site()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Search?site=AAR"));
        page.QuerySelector("#site").ShouldBeNull();
        page.QuerySelectorAll("#results tbody tr td:nth-child(7)").Select(td => td.TextContent.Trim()).Distinct().ShouldBe(["BRU"]);
        var admin = await app.SignInAsync("admin");
        var central = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Samples/Search?site=AAR"));
        central.QuerySelector("#site").ShouldNotBeNull();
        central.QuerySelectorAll("#results tbody tr td:nth-child(7)").Select(td => td.TextContent.Trim()).Distinct().ShouldBe(["AAR"]);
    }

    [Fact]
    public async Task A_mistyped_barcode_is_explained()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Search?barcode=BRUA00000042M"));
        Errors(page).ShouldHaveSingleItem().ShouldContain("wrong check character");
    }

    [Fact]
    public async Task The_csv_export_streams_the_callers_sites_tubes_neutralises_formulas_and_is_audited()
    {
        var client = await app.SignInAsync("tech.bru");
        var pseudonym = NewPseudonym();
        // A pre-printed tube code may start with + or -: a spreadsheet would read it as a formula.
        var formula = $"+{Random.Shared.Next(10, 99)}-1+cmd";
        await RegisterCollectionAsync(app, client, await CreatePatientAsync(app, client, pseudonym), ("EDTA", formula), ("SERUM", null));

        var own = await client.GetAsync($"/Samples/Search?handler=Export&pseudonym={pseudonym}");
        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        own.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        own.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var records = await ReadCsvAsync(own);
        records[0].ShouldBe(["barcode", "kind", "type", "pseudonym", "timepoint", "status", "site", "box", "position", "volume_ul", "remaining_ul", "freeze_thaw", "sprec"]);
        records.Count.ShouldBe(3);
        records.Select(r => r[0]).ShouldContain("'" + formula);
        records.Skip(1).ShouldAllBe(r => r[3] == pseudonym && r[6] == "BRU" && r[4] == "BASELINE");
        records.Single(r => r[2] == "EDTA")[9].ShouldBe("4000");

        // Everything tech.bru may see: only BRU's tubes, even when another site is asked for.
        var all = await ReadCsvAsync(await client.GetAsync("/Samples/Search?handler=Export&site=STO"));
        all.Count.ShouldBeGreaterThan(100);
        all.Skip(1).ShouldAllBe(r => r[6] == "BRU");
        var barcodes = all.Skip(1).Select(r => r[0]).ToList();
        barcodes.ShouldNotContain(b => b.StartsWith("STO", StringComparison.Ordinal) || b.StartsWith("AAR", StringComparison.Ordinal));

        var audit = await app.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: "tube", Key: "search", Action: AuditActions.Export, User: "tech.bru"), default);
        var entry = audit.Select(a => JsonDocument.Parse(a.NewValues!).RootElement)
            .Single(j => j.GetProperty("filters").GetProperty("pseudonym").GetString() == pseudonym);
        entry.GetProperty("rows").GetInt64().ShouldBe(2);
        entry.GetProperty("complete").GetBoolean().ShouldBeTrue();
    }

    private static async Task<List<string[]>> ReadCsvAsync(HttpResponseMessage response)
    {
        using var reader = new StringReader(await response.Content.ReadAsStringAsync());
        var rows = new List<string[]>();
        await foreach (var r in new CsvRecords(reader, ',').ReadAllAsync())
        {
            rows.Add(r.Fields);
        }
        return rows;
    }
}
