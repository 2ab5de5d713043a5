using System.Net;
using AngleSharp.Html.Dom;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Registry;
using Biobank.Web.Tests.Support;
using Dapper;
using static Biobank.Core.Tests.Registry.RegistryFiles;
using static Biobank.Web.Tests.Registry.RegistrySteps;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Registry;

/// <summary>
/// Dose files through the upload form, the unknown-pseudonym choice, the version list and the diff page. Every test
/// imports under its own label and compares versions by id, so their order does not matter.
/// </summary>
public sealed class DoseImportPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private const string Page = "/Registry/ImportDoses";
    private const string Form = "#import-doses";

    private static string NewLabel(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<(long Versions, long Doses, long Batches)> CountsAsync()
    {
        await using var c = await app.Get<IDb>().OpenAsync(default);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dose_version"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organ_dose"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM import_batch"));
    }

    /// <summary>Imports a good dose file as a central user and returns the new version.</summary>
    private async Task<DoseVersion> ImportAsync(HttpClient client, string label, params string[] rows)
    {
        var page = await FollowAsync(client, await UploadAsync(client, Page, Form, $"{label}.csv", Bytes(DosesCsv(rows)), new() { ["VersionLabel"] = label }));
        Status(page).ShouldContain($"dose version '{label}'");
        return (await app.Get<DoseQueries>().FindVersionAsync(label, default))!;
    }

    [Fact]
    public async Task A_site_user_is_told_that_only_central_users_import_doses_and_is_refused()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync(Page));
        page.QuerySelector("#central-only")!.TextContent.ShouldContain("Only central users");
        page.QuerySelector($"{Form} button[type=submit]")!.HasAttribute("disabled").ShouldBeTrue();

        var before = await CountsAsync();
        var refused = await RefusedAsync(await UploadAsync(client, Page, Form, "site.csv", Bytes(DosesCsv(Dose("BRU-0001"))), new() { ["VersionLabel"] = NewLabel("site") }));
        Problems(refused).ShouldContain(p => p.Reason.Contains("only a central user", StringComparison.Ordinal));
        (await CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task A_bad_dose_file_lists_every_problem_by_row_and_column_and_writes_nothing()
    {
        var client = await app.SignInAsync("admin");
        await client.GetAsync(Page);
        var before = await CountsAsync();
        var file = DosesCsv(
            Dose("BRU-0001", organ: "spleen"),
            Dose("BRU-0001", metric: "median"),
            Dose("BRU-0002", value: "-1.5"),
            Dose("BRU-0002", organ: "brain", value: "high"),
            Dose("BRU-0003", date: "2025-02-30"));

        var page = await RefusedAsync(await UploadAsync(client, Page, Form, "bad-doses.csv", Bytes(file), new() { ["VersionLabel"] = NewLabel("bad") }));

        var problems = Problems(page);
        problems.ShouldContain(p => p.Row == "2" && p.Column == "organ" && p.Value == "spleen");
        problems.ShouldContain(p => p.Row == "3" && p.Column == "metric" && p.Value == "median");
        problems.ShouldContain(p => p.Row == "4" && p.Column == "value_gy" && p.Value == "-1.5");
        problems.ShouldContain(p => p.Row == "5" && p.Column == "value_gy" && p.Value == "high");
        problems.ShouldContain(p => p.Row == "6" && p.Column == "computed_date");
        page.QuerySelector("#unknown-pseudonyms").ShouldBeNull();
        (await CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Unknown_pseudonyms_are_listed_and_the_user_may_import_the_known_patients_only()
    {
        var client = await app.SignInAsync("admin");
        var label = NewLabel("partial");
        var file = Bytes(DosesCsv(
            Dose("BRU-0001", "heart", "mean", "4.4", source: label), Dose("ZZZ-0404", "heart", "mean", "1.0"),
            Dose("BRU-0002", "heart", "mean", "7.7"), Dose("ZZZ-0404", "brain", "mean", "2.0"), Dose("ZZZ-0505", "brain", "mean", "3.0")));
        var before = await CountsAsync();

        var refused = await RefusedAsync(await UploadAsync(client, Page, Form, "partial.csv", file, new() { ["VersionLabel"] = label }));
        Problems(refused).ShouldContain(p => p.Row == "3" && p.Column == "pseudonym" && p.Value == "ZZZ-0404");
        refused.QuerySelectorAll("#unknown-list tbody tr td:first-child").Select(td => td.TextContent).ShouldBe(["ZZZ-0404", "ZZZ-0505"]);
        (await CountsAsync()).ShouldBe(before);
        var choice = (IHtmlFormElement)refused.QuerySelector("#unknown-choice")!;

        // Another file under the same choice is checked from the start, not imported on the strength of the first.
        var other = Bytes(DosesCsv(Dose("BRU-0001", "heart", "mean", "9.9"), Dose("ZZZ-0404")));
        var wrong = await UploadToAsync(client, Page, choice, "other.csv", other, new() { ["Unknown"] = "known-only" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(wrong)).ShouldContain(e => e.Contains("not the file that was checked", StringComparison.Ordinal));
        (await CountsAsync()).ShouldBe(before);

        var imported = await FollowAsync(client, await UploadToAsync(client, Page, choice, "partial.csv", file, new() { ["Unknown"] = "known-only" }));
        Status(imported).ShouldContain("skipped 3 row(s) of 2 unknown pseudonym(s)");
        var version = (await app.Get<DoseQueries>().FindVersionAsync(label, default))!;
        (version.RowCount, version.PatientCount).ShouldBe((2L, 2L));
        var batch = (await app.Get<DoseQueries>().ImportBatchesAsync(Caller.System, "doses", 50, default)).Single(b => b.DoseVersionId == version.Id);
        batch.Status.ShouldBe("partial");
        batch.Problems!.ShouldContain("ZZZ-0505");
        var audit = await app.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: "dose_version", Key: version.Id.ToString()), default);
        audit.ShouldHaveSingleItem().NewValues!.ShouldContain("skip-unknown");
        audit[0].UserName.ShouldBe("admin");
    }

    [Fact]
    public async Task The_choice_can_be_made_up_front()
    {
        var client = await app.SignInAsync("admin");
        var label = NewLabel("upfront");
        var file = Bytes(DosesCsv(Dose("BRU-0001", "thyroid", "mean", "1.1", source: label), Dose("ZZZ-0606", "thyroid")));
        var page = await FollowAsync(client, await UploadAsync(client, Page, Form, "upfront.csv", file, new() { ["VersionLabel"] = label, ["Unknown"] = "known-only" }));
        Status(page).ShouldContain("skipped 1 row(s)");
        page.QuerySelector($"#versions tr[data-version] td")!.TextContent.ShouldContain(label);
    }

    [Fact]
    public async Task The_versions_page_lists_label_time_user_and_rows_and_the_diff_page_shows_what_changed()
    {
        var client = await app.SignInAsync("admin");
        var a = await ImportAsync(client, NewLabel("diff-a"),
            Dose("BRU-0001", "heart", "mean", "5.0"), Dose("BRU-0001", "brain", "mean", "30.0", "1.0"), Dose("BRU-0002", "heart", "mean", "2.5"));
        var b = await ImportAsync(client, NewLabel("diff-b"),
            Dose("BRU-0001", "heart", "mean", "6.0"), Dose("BRU-0001", "thyroid", "mean", "2.0"), Dose("BRU-0002", "heart", "mean", "2.5"));

        var versions = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Registry/Versions"));
        var row = versions.QuerySelector($"#versions tr[data-version='{b.Id}']")!.TextContent;
        row.ShouldContain(b.Label);
        row.ShouldContain("admin");
        row.ShouldContain("3");

        var diff = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Registry/Versions/Diff?from={a.Id}&to={b.Id}"));
        diff.QuerySelector("#count-added")!.TextContent.ShouldStartWith("1 ");
        diff.QuerySelector("#count-removed")!.TextContent.ShouldStartWith("1 ");
        diff.QuerySelector("#count-changed")!.TextContent.ShouldStartWith("1 ");
        diff.QuerySelector("#count-unchanged")!.TextContent.ShouldStartWith("1 ");
        var changes = diff.QuerySelectorAll("#changes tbody tr[data-kind]")
            .Select(tr => (Kind: tr.GetAttribute("data-kind"), Cells: tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())).ToList();
        changes.ShouldContain(c => c.Kind == "changed" && c.Cells[0] == "BRU-0001" && c.Cells[1] == "heart" && c.Cells[4] == "5" && c.Cells[5] == "6");
        changes.ShouldContain(c => c.Kind == "removed" && c.Cells[1] == "brain" && c.Cells[4] == "30" && c.Cells[5] == "");
        changes.ShouldContain(c => c.Kind == "added" && c.Cells[1] == "thyroid" && c.Cells[5] == "2");
        changes.Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_long_diff_is_paged()
    {
        var client = await app.SignInAsync("admin");
        var demo = (await app.Get<DoseQueries>().FindVersionAsync(Core.Demo.RegistryDemoData.VersionLabel, default))!;
        var small = await ImportAsync(client, NewLabel("paged"), Dose("BRU-0001", "heart", "mean", "1.234"));

        var first = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Registry/Versions/Diff?from={demo.Id}&to={small.Id}"));
        first.QuerySelectorAll("#changes tbody tr[data-kind]").Length.ShouldBe(Web.Pages.Registry.Versions.DiffModel.PageSize);
        var next = first.QuerySelector("#next-page")!.GetAttribute("href")!;
        next.ShouldContain("offset=100");
        var second = await BiobankWebFactory.HtmlAsync(await client.GetAsync(next));
        second.QuerySelectorAll("#changes tbody tr[data-kind]").Length.ShouldBeGreaterThan(0);
        second.QuerySelector("#diff-pages")!.TextContent.ShouldContain("rows 101–");
    }

    [Fact]
    public async Task The_diff_page_without_a_choice_compares_the_two_newest_and_an_unknown_version_is_404()
    {
        var client = await app.SignInAsync("biologist");
        var all = await app.Get<DoseQueries>().ListVersionsAsync(default);
        var page = await client.GetAsync("/Registry/Versions/Diff");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        if (all.Count > 1)
        {
            (await BiobankWebFactory.HtmlAsync(page)).QuerySelector("#diff-summary")!.TextContent.ShouldContain(all[0].Label);
        }
        (await client.GetAsync($"/Registry/Versions/Diff?from=987654&to={all[0].Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
