using System.Net;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using Dapper;
using static Biobank.Core.Tests.Registry.RegistryFiles;
using static Biobank.Web.Tests.Registry.RegistrySteps;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Registry;

/// <summary>The registry file through the upload form: good files land, bad ones list every problem and change nothing.</summary>
public sealed class RegistryImportPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private const string Page = "/Registry/ImportRegistry";
    private const string Form = "#import-registry";

    private static string NewCode(string site = "BRU") => $"{site}-R{Random.Shared.Next(100_000, 999_999)}";

    private async Task<(long Patients, long Batches, long Audit)> CountsAsync()
    {
        await using var c = await app.Get<IDb>().OpenAsync(default);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM patient"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM import_batch"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log"));
    }

    [Fact]
    public async Task A_good_registry_file_creates_the_patients_lists_the_batch_and_names_the_withdrawn()
    {
        var client = await app.SignInAsync("admin");
        var (given, withdrawn) = (NewCode(), NewCode("AAR"));
        var file = RegistryCsv(Patient(given), Patient(withdrawn, site: "AAR", consent: "withdrawn", consentDate: "2025-09-01"));

        var response = await UploadAsync(client, Page, Form, "registry-good.csv", Bytes(file));
        var page = await FollowAsync(client, response);

        Status(page).ShouldContain("2 patient(s) created");
        page.QuerySelector("#newly-withdrawn")!.TextContent.ShouldContain(withdrawn);
        page.QuerySelectorAll("#batches tbody tr")[0].TextContent.ShouldContain("registry-good.csv");
        var p = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, given, default);
        (p!.DiagnosisGroup, p.Modality, p.RtStart, p.PrescribedDoseGy, p.Fractions).ShouldBe(("medulloblastoma", "proton", "2025-05-05", 54m, 30));
        (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, withdrawn, default))!.Withdrawn.ShouldBeTrue();
    }

    [Fact]
    public async Task A_bad_registry_file_lists_every_problem_by_row_and_column_and_writes_nothing()
    {
        var client = await app.SignInAsync("admin");
        var (a, b) = (NewCode(), NewCode());
        var file = RegistryCsv(
            Patient(a, site: "XYZ"),
            Patient(b, age: "nine"),
            Patient(a, consent: "maybe"),
            Patient(NewCode(), modality: "electron", start: "2025-13-01", dose: "-5"));
        await client.GetAsync(Page);
        var before = await CountsAsync();

        var page = await RefusedAsync(await UploadAsync(client, Page, Form, "registry-bad.csv", Bytes(file)));

        var problems = Problems(page);
        problems.ShouldContain(p => p.Row == "2" && p.Column == "site" && p.Value == "XYZ");
        problems.ShouldContain(p => p.Row == "3" && p.Column == "age_at_rt_years" && p.Value == "nine");
        problems.ShouldContain(p => p.Row == "4" && p.Column == "consent_status" && p.Value == "maybe");
        problems.ShouldContain(p => p.Row == "4" && p.Column == "pseudonym" && p.Value == a);
        problems.ShouldContain(p => p.Row == "5" && p.Column == "modality");
        problems.ShouldContain(p => p.Row == "5" && p.Column == "rt_start");
        problems.ShouldContain(p => p.Row == "5" && p.Column == "prescribed_dose_gy");
        page.QuerySelector("#import-refused")!.TextContent.ShouldContain("nothing was imported");
        (await CountsAsync()).ShouldBe(before);
        (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, b, default)).ShouldBeNull();
    }

    [Fact]
    public async Task A_column_that_could_identify_a_person_refuses_the_whole_file()
    {
        var client = await app.SignInAsync("admin");
        var file = RegistryHeader + ",patient_name\n" + Patient(NewCode()) + ",Marie Dupont\n";
        var page = await RefusedAsync(await UploadAsync(client, Page, Form, "names.csv", Bytes(file), new() { ["IgnoreExtraColumns"] = "true" }));
        Problems(page).ShouldContain(p => p.Column == "patient_name" && p.Reason.Contains("pseudonyms only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_extra_column_is_refused_unless_the_box_is_ticked()
    {
        var client = await app.SignInAsync("admin");
        var code = NewCode();
        var file = RegistryHeader + ",comment\n" + Patient(code) + ",first visit\n";

        var refused = await RefusedAsync(await UploadAsync(client, Page, Form, "extra.csv", Bytes(file)));
        Problems(refused).ShouldContain(p => p.Column == "comment");

        var page = await FollowAsync(client, await UploadAsync(client, Page, Form, "extra.csv", Bytes(file), new() { ["IgnoreExtraColumns"] = "true" }));
        Status(page).ShouldContain("1 patient(s) created");
        (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, code, default)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_site_user_imports_rows_of_their_own_site_only()
    {
        var client = await app.SignInAsync("staff.bru");
        var own = NewCode();
        var other = NewCode("AAR");
        var page = await RefusedAsync(await UploadAsync(client, Page, Form, "mixed.csv", Bytes(RegistryCsv(Patient(own), Patient(other, site: "AAR")))));
        Problems(page).ShouldContain(p => p.Row == "3" && p.Column == "site" && p.Value == "AAR");
        (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, own, default)).ShouldBeNull();
    }

    [Fact]
    public async Task No_file_asks_for_one()
    {
        var client = await app.SignInAsync("admin");
        var response = await BiobankWebFactory.PostFormAsync(client, Page, new() { ["IgnoreExtraColumns"] = "false" }, Form);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(response)).ShouldContain(e => e.Contains("Choose the registry export", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_upload_over_the_limit_answers_413_and_imports_nothing()
    {
        var client = await app.SignInAsync("admin");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync(Page));
        var token = page.QuerySelector($"{Form} input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var before = await CountsAsync();
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(new byte[Web.Pages.Registry.RegistryDisplay.MaxUploadBytes + 1]), "Upload", "huge.csv" },
        };
        var response = await client.PostAsync(Page, content);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("at most 50 MB");

        var doses = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Registry/ImportDoses"));
        var doseToken = doses.QuerySelector("#import-doses input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var doseContent = new MultipartFormDataContent
        {
            { new StringContent(doseToken), "__RequestVerificationToken" },
            { new StringContent("huge"), "VersionLabel" },
            { new ByteArrayContent(new byte[Web.Pages.Registry.RegistryDisplay.MaxUploadBytes + 1]), "Upload", "huge.csv" },
        };
        (await client.PostAsync("/Registry/ImportDoses", doseContent)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await CountsAsync()).ShouldBe(before);
    }
}
