using System.Net;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Samples;

public sealed class PatientPagesTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_technician_registers_a_patient_and_finds_it_by_search()
    {
        var client = await app.SignInAsync("tech.bru");
        var pseudonym = NewPseudonym();
        var id = await CreatePatientAsync(app, client, pseudonym);

        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Patients/{id}"));
        page.QuerySelector("h1")!.TextContent.ShouldContain(pseudonym);
        page.QuerySelector("#patient-details")!.TextContent.ShouldContain("9.5 years");
        page.QuerySelector("#register-collection")!.GetAttribute("href").ShouldBe($"/Samples/Collections/New?patientId={id}");
        page.QuerySelector("#withdrawn-flag").ShouldBeNull();

        var list = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Patients?q={pseudonym[4..]}"));
        list.QuerySelectorAll("#patients tbody tr td:first-child").Select(td => td.TextContent.Trim()).ShouldBe([pseudonym]);
        var stored = await app.Get<Patients>().FindAsync(Caller.System, id, default);
        stored!.SiteCode.ShouldBe("BRU");
        stored.ConsentDate.ShouldBe("2026-01-10");
    }

    [Fact]
    public async Task The_list_pages_and_a_site_user_sees_only_their_sites_patients()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Patients"));
        var sites = page.QuerySelectorAll("#patients tbody tr td:nth-child(2)").Select(td => td.TextContent.Trim()).Distinct().ToList();
        sites.ShouldBe(["BRU"]);
        page.QuerySelectorAll("#Input_SiteId option").Select(o => o.TextContent).ShouldHaveSingleItem().ShouldStartWith("BRU");
        var admin = await app.SignInAsync("admin");
        var all = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Samples/Patients?p=1"));
        all.QuerySelectorAll("#patients tbody tr td:nth-child(2)").Select(td => td.TextContent.Trim()).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task A_site_user_cannot_register_a_patient_at_another_site()
    {
        var client = await app.SignInAsync("tech.bru");
        var pseudonym = NewPseudonym("AAR");
        var response = await BiobankWebFactory.PostFormAsync(client, "/Samples/Patients", new()
        {
            ["Input.Pseudonym"] = pseudonym,
            ["Input.SiteId"] = (await SiteIdAsync(app, "AAR")).ToString(),
            ["Input.ConsentStatus"] = "given",
        }, "#create-patient");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(response)).ShouldContain("You can only register patients of your own site.");
        (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, pseudonym, default)).ShouldBeNull();
    }

    [Fact]
    public async Task A_name_instead_of_a_pseudonym_is_refused()
    {
        var client = await app.SignInAsync("tech.bru");
        var response = await BiobankWebFactory.PostFormAsync(client, "/Samples/Patients", new()
        {
            ["Input.Pseudonym"] = "Marie Dupont",
            ["Input.SiteId"] = (await SiteIdAsync(app, "BRU")).ToString(),
            ["Input.ConsentStatus"] = "given",
        }, "#create-patient");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(response)).ShouldHaveSingleItem().ShouldContain("pseudonyms only");
    }

    [Fact]
    public async Task Withdrawing_consent_needs_a_reason_flags_the_patient_in_red_and_removes_the_register_link()
    {
        var client = await app.SignInAsync("tech.bru");
        var id = await CreatePatientAsync(app, client, NewPseudonym());
        var url = $"/Samples/Patients/{id}";

        var noReason = await BiobankWebFactory.PostFormAsync(client, url, new() { ["Input.ConsentStatus"] = "withdrawn", ["Input.Reason"] = "" }, "#edit-patient");
        noReason.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(noReason)).ShouldContain(e => e.Contains("Say why", StringComparison.Ordinal));

        var page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url,
            new() { ["Input.Sex"] = "F", ["Input.ConsentStatus"] = "withdrawn", ["Input.ConsentDate"] = "2026-01-10", ["Input.Reason"] = "letter of withdrawal" }, "#edit-patient"));
        Status(page).ShouldContain("consent withdrawn");
        page.QuerySelector("#withdrawn-flag")!.ClassList.ShouldContain("text-bg-danger");
        page.QuerySelector("#withdrawn-alert")!.ClassList.ShouldContain("alert-danger");
        page.QuerySelector("#register-collection").ShouldBeNull();
        var audit = await app.Get<Core.Audit.AuditQueries>().SearchAsync(Caller.System, new Core.Audit.AuditFilter(Table: "patient", Key: id.ToString()), default);
        audit.ShouldContain(a => a.Action == "update" && a.Reason == "letter of withdrawal");
    }

    [Fact]
    public async Task Another_sites_patient_answers_404()
    {
        var other = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "AAR-0001", default);
        var client = await app.SignInAsync("tech.bru");
        (await client.GetAsync($"/Samples/Patients/{other!.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync($"/Samples/Collections/New?patientId={other.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Samples/Patients/999999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var own = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "BRU-0001", default);
        (await client.GetAsync($"/Samples/Patients/{own!.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
