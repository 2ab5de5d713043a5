using System.Globalization;
using System.Net;
using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Tests.Registry;
using Biobank.Web.Tests.Support;
using static Biobank.Core.Tests.Registry.RegistryFiles;

namespace Biobank.Web.Tests.Registry;

/// <summary>The patient page: treatment, organ doses with their version, samples by timepoint, assay results, site scope.</summary>
public sealed class PatientRegistryTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private const string Patient = "BRU-0001";

    private async Task<DoseVersion> LatestAsync() => (await app.Get<DoseQueries>().LatestVersionAsync(default))!;

    [Fact]
    public async Task The_patient_page_shows_treatment_doses_with_the_version_label_samples_by_timepoint_and_assay_results()
    {
        var client = await app.SignInAsync("tech.bru");
        var latest = await LatestAsync();
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Registry/Patient/{Patient}"));

        page.QuerySelector("#pseudonym")!.TextContent.ShouldBe(Patient);
        var p = (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, Patient, default))!;
        page.QuerySelector("#diagnosis")!.TextContent.ShouldBe(p.DiagnosisGroup!.Replace('_', ' '));
        page.QuerySelector("#modality")!.TextContent.ShouldBe(p.Modality);
        page.QuerySelector("#rt-dates")!.TextContent.ShouldBe($"{p.RtStart} – {p.RtEnd}");
        page.QuerySelector("#prescribed")!.TextContent.ShouldStartWith(p.PrescribedDoseGy!.Value.ToString("0.###", CultureInfo.InvariantCulture));
        page.QuerySelector("#fractions")!.TextContent.ShouldStartWith(p.Fractions!.Value.ToString(CultureInfo.InvariantCulture));

        page.QuerySelector("#dose-version")!.TextContent.ShouldBe(latest.Label);
        page.QuerySelector("#latest-badge").ShouldNotBeNull();
        var doses = (await app.Get<DoseQueries>().PatientDosesAsync(Caller.System, Patient, null, default))!.Doses;
        page.QuerySelectorAll("#doses tbody tr").Length.ShouldBe(doses.Select(d => d.Organ).Distinct().Count());
        var heart = doses.First(d => d.Organ == "heart" && d.Metric == "mean");
        page.QuerySelector("#doses tr[data-organ='heart'] td[data-metric='mean']")!.TextContent.ShouldStartWith(heart.ValueGy.ToString("0.###", CultureInfo.InvariantCulture));

        var timepoints = await app.Get<Protocol>().TimepointsAsync(default);
        page.QuerySelectorAll("#timeline li[data-timepoint]").Select(li => li.GetAttribute("data-timepoint")).ShouldBe(timepoints.Select(t => t.Code));
        var baseline = page.QuerySelector($"#timeline li[data-timepoint='{timepoints[0].Code}']")!;
        baseline.QuerySelectorAll(".timeline-visit").Length.ShouldBeGreaterThan(0);
        var tubes = await app.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Pseudonym: Patient, Limit: 1000), default);
        var shown = page.QuerySelectorAll("#timeline li[data-type] strong").Sum(s => int.Parse(s.TextContent, CultureInfo.InvariantCulture));
        shown.ShouldBe(tubes.Count);
        long expected;
        await using (var c = await app.Get<Biobank.Core.Data.IDb>().OpenAsync(default))
        {
            expected = await Dapper.SqlMapper.ExecuteScalarAsync<long>(c,
                "SELECT COUNT(*) FROM assay_result r JOIN tube t ON t.id = r.tube_id JOIN patient p ON p.id = t.patient_id WHERE p.pseudonym = @P", new { P = Patient });
        }
        page.QuerySelector("#assay-results")!.TextContent.Replace(",", "", StringComparison.Ordinal).ShouldBe(expected.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_patient_page_and_the_bench_page_link_to_each_other_and_a_biologist_sees_no_bench_link()
    {
        var p = (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, Patient, default))!;
        var tech = await app.SignInAsync("tech.bru");
        var registry = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Registry/Patient/{Patient}"));
        registry.QuerySelector("#bench-link")!.GetAttribute("href").ShouldBe($"/Samples/Patients/{p.Id}");
        var bench = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Samples/Patients/{p.Id}"));
        bench.QuerySelector("#registry-link")!.GetAttribute("href").ShouldBe($"/Registry/Patient/{Patient}");

        var bio = await app.SignInAsync("bio.bru");
        var page = await BiobankWebFactory.HtmlAsync(await bio.GetAsync($"/Registry/Patient/{Patient}"));
        page.QuerySelector("#dose-version").ShouldNotBeNull();
        page.QuerySelector("#bench-link").ShouldBeNull();
    }

    [Fact]
    public async Task Another_sites_patient_an_unknown_patient_and_an_unknown_version_answer_404()
    {
        var client = await app.SignInAsync("tech.aar");
        (await client.GetAsync($"/Registry/Patient/{Patient}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Registry/Patient/AAR-0001")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/Registry/Patient/AAR-9999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Registry/Patient/AAR-0001?version=987654")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_latest_version_is_the_default_and_an_earlier_one_can_be_chosen()
    {
        var demo = (await app.Get<DoseQueries>().FindVersionAsync(Core.Demo.RegistryDemoData.VersionLabel, default))!;
        var demoHeart = (await app.Get<DoseQueries>().PatientDosesAsync(Caller.System, "BRU-0002", demo.Id, default))!.Doses.First(d => d.Organ == "heart" && d.Metric == "mean");
        var label = $"page-{Guid.NewGuid():N}"[..20];
        var result = await app.Get<ImportDoses>().ExecuteAsync(Caller.System with { UserName = "central.test" },
            new DoseImportCommand(RegistryFiles.Stream(DosesCsv(
                Dose("BRU-0002", "heart", "mean", "12.345", "0.5", source: label), Dose(Patient, "heart", "mean", "3.5", source: label))), "page.csv", label), default);
        result.Imported.ShouldBeTrue(string.Join("; ", result.Problems));

        var client = await app.SignInAsync("biologist");
        var latest = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Registry/Patient/BRU-0002"));
        latest.QuerySelector("#dose-version")!.TextContent.ShouldBe(label);
        latest.QuerySelector("#latest-badge").ShouldNotBeNull();
        latest.QuerySelector("#doses tr[data-organ='heart'] td[data-metric='mean']")!.TextContent.ShouldContain("12.345");
        latest.QuerySelector("#doses tr[data-organ='heart'] td[data-metric='mean']")!.TextContent.ShouldContain("± 0.5");
        latest.QuerySelectorAll("#choose-version option").Select(o => o.GetAttribute("value")).ShouldContain(demo.Id.ToString(CultureInfo.InvariantCulture));

        var older = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Registry/Patient/BRU-0002?version={demo.Id}"));
        older.QuerySelector("#dose-version")!.TextContent.ShouldBe(demo.Label);
        older.QuerySelector("#older-badge").ShouldNotBeNull();
        older.QuerySelector("#doses tr[data-organ='heart'] td[data-metric='mean']")!.TextContent.ShouldStartWith(demoHeart.ValueGy.ToString("0.###", CultureInfo.InvariantCulture));
    }
}
