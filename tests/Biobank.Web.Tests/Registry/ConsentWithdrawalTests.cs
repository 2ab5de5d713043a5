using System.Globalization;
using System.Net;
using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Web.Tests.Support;
using static Biobank.Core.Tests.Registry.RegistryFiles;
using static Biobank.Web.Tests.Registry.RegistrySteps;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Registry;

/// <summary>
/// Consent withdrawal end to end: the patient is marked (edit page or registry import), their tubes are flagged on every
/// page, scanning warns, and the destruction list shows them per site until each destruction is recorded.
/// </summary>
public sealed class ConsentWithdrawalTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private const string Destruction = "/Registry/Destruction";

    private async Task<Caller> CallerAsync(string user) => (await app.Get<UserAccounts>().FindByNameAsync(user, default))!.ToCaller();

    /// <summary>A BRU patient with one EDTA tube, three plasma aliquots and the first aliquot stored in a new box.</summary>
    private async Task<(long PatientId, string Pseudonym, string Primary, IReadOnlyList<string> Aliquots, string Box)> PatientWithTubesAsync(HttpClient tech)
    {
        var pseudonym = NewPseudonym();
        var patientId = await CreatePatientAsync(app, tech, pseudonym);
        return await TubesForAsync(patientId, pseudonym);
    }

    private async Task<(long PatientId, string Pseudonym, string Primary, IReadOnlyList<string> Aliquots, string Box)> TubesForAsync(long patientId, string pseudonym)
    {
        var caller = await CallerAsync("tech.bru");
        var collection = await app.Get<Collections>().RegisterAsync(caller, new CollectionInput(patientId, await TimepointIdAsync(app, "BASELINE"),
            DateTime.UtcNow.AddHours(-2), null, [new PrimaryTubeInput(await TypeIdAsync(app, "EDTA"), null, 4000m)]), default);
        collection.Ok.ShouldBeTrue(collection.Problem?.Message);
        var primary = collection.Value!.Barcodes[0];
        var tube = (await app.Get<TubeQueries>().ByBarcodeAsync(caller, primary, default))!;
        var aliquots = await app.Get<Aliquoting>().ExecuteAsync(caller, tube.Id, [new AliquotLine(await TypeIdAsync(app, "PLASMA"), 3, 500m)], default);
        aliquots.Ok.ShouldBeTrue(aliquots.Problem?.Message);
        var box = await WebLabData.NewBoxAsync(app, "tech.bru", 9, 9);
        var stored = await app.Get<StoreTube>().ExecuteAsync(caller, new StoreCommand(box, aliquots.Value!.Barcodes[0], "A1"), default);
        stored.Ok.ShouldBeTrue(stored.Problem?.Message);
        return (patientId, pseudonym, primary, aliquots.Value.Barcodes, box);
    }

    private static async Task WithdrawAsync(HttpClient client, long patientId)
    {
        var response = await BiobankWebFactory.PostFormAsync(client, $"/Samples/Patients/{patientId}",
            new() { ["Input.Sex"] = "F", ["Input.ConsentStatus"] = "withdrawn", ["Input.ConsentDate"] = "2026-01-10", ["Input.Reason"] = "letter of withdrawal" }, "#edit-patient");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    private static List<string> Listed(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll("#destruction tbody tr[data-barcode]").Select(tr => tr.GetAttribute("data-barcode")!).ToList();

    [Fact]
    public async Task Withdrawal_on_the_patient_page_flags_the_tubes_everywhere_and_puts_them_on_the_sites_destruction_list()
    {
        var tech = await app.SignInAsync("tech.bru");
        var t = await PatientWithTubesAsync(tech);
        (await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"{Destruction}?pseudonym={t.Pseudonym}"))).QuerySelector("#nothing-to-destroy").ShouldNotBeNull();

        await WithdrawAsync(tech, t.PatientId);

        var list = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"{Destruction}?pseudonym={t.Pseudonym}"));
        Listed(list).ShouldBe([t.Aliquots[0], t.Primary, t.Aliquots[1], t.Aliquots[2]], ignoreOrder: true);
        list.QuerySelector($"#destruction tr[data-barcode='{t.Aliquots[0]}']")!.TextContent.ShouldContain(t.Box);
        Listed(await BiobankWebFactory.HtmlAsync(await tech.GetAsync(Destruction))).ShouldContain(t.Primary);

        // Another site's list does not show them.
        var aar = await app.SignInAsync("tech.aar");
        Listed(await BiobankWebFactory.HtmlAsync(await aar.GetAsync(Destruction))).ShouldNotContain(t.Primary);

        // Flagged on the tube page, the box page and map, the tube search and the patient pages.
        var tube = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Samples/Tube/{t.Aliquots[1]}"));
        tube.QuerySelector("#withdrawn-alert a")!.GetAttribute("href").ShouldBe($"{Destruction}?pseudonym={t.Pseudonym}");
        var box = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Storage/Box/{t.Box}"));
        box.QuerySelector("#withdrawn-in-box")!.TextContent.ShouldContain("1 tube(s)");
        box.QuerySelector("#box-map [data-position='A1']")!.ClassList.ShouldContain("withdrawn");
        var search = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Samples/Search?pseudonym={t.Pseudonym}"));
        search.QuerySelectorAll("#results tbody tr.table-danger").Length.ShouldBe(4);
        search.QuerySelector("#results tbody tr")!.TextContent.ShouldContain("consent withdrawn");
        var registry = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Registry/Patient/{t.Pseudonym}"));
        registry.QuerySelector("#withdrawn-alert a")!.GetAttribute("href").ShouldBe($"{Destruction}?pseudonym={t.Pseudonym}");
    }

    [Fact]
    public async Task Scanning_a_withdrawn_tube_warns_at_the_scanning_station()
    {
        var tech = await app.SignInAsync("tech.bru");
        var t = await PatientWithTubesAsync(tech);
        await WithdrawAsync(tech, t.PatientId);

        var store = await BiobankWebFactory.PostFormAsync(tech, "/Storage/Scan?handler=Scan", new()
        {
            ["BoxCode"] = t.Box, ["Mode"] = "store", ["Tube"] = t.Aliquots[1], ["Position"] = "B2",
        }, "#scan-form", $"/Storage/Scan?box={t.Box}");
        var station = await FollowAsync(tech, store);
        var result = station.QuerySelector("#scan-result")!;
        result.ClassList.ShouldContain("alert-danger");
        result.TextContent.ShouldContain($"Consent withdrawn for patient {t.Pseudonym}");
        result.TextContent.ShouldContain("destruction list");

        var checkout = await BiobankWebFactory.PostFormAsync(tech, "/Storage/Scan?handler=Scan", new()
        {
            ["BoxCode"] = t.Box, ["Mode"] = "checkout", ["Tube"] = t.Aliquots[0],
        }, "#scan-form", $"/Storage/Scan?box={t.Box}&mode=checkout");
        Status(await FollowAsync(tech, checkout)).ShouldContain($"Consent withdrawn for patient {t.Pseudonym}: do not use it");
    }

    [Fact]
    public async Task Recording_a_destruction_destroys_the_tube_with_a_custody_event_and_an_audit_row()
    {
        var tech = await app.SignInAsync("tech.bru");
        var t = await PatientWithTubesAsync(tech);
        await WithdrawAsync(tech, t.PatientId);
        var url = $"{Destruction}?pseudonym={t.Pseudonym}";

        var noReason = await BiobankWebFactory.PostFormAsync(tech, url, new() { ["Barcodes[0]"] = t.Aliquots[0], ["Reason"] = "" }, "#destruction-form");
        noReason.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(noReason)).ShouldContain(e => e.Contains("Say why", StringComparison.Ordinal));

        var done = await FollowAsync(tech, await BiobankWebFactory.PostFormAsync(tech, url,
            new() { ["Barcodes[0]"] = t.Aliquots[0], ["Reason"] = "consent withdrawn; autoclaved" }, "#destruction-form"));
        Status(done).ShouldContain($"1 tube(s) recorded as destroyed: {t.Aliquots[0]}");
        Listed(done).ShouldNotContain(t.Aliquots[0]);
        Listed(done).Count.ShouldBe(3);

        var caller = await CallerAsync("tech.bru");
        var tube = (await app.Get<TubeQueries>().ByBarcodeAsync(caller, t.Aliquots[0], default))!;
        (tube.Status, tube.BoxId).ShouldBe(("destroyed", (long?)null));
        var history = await app.Get<TubeQueries>().HistoryAsync(caller, tube.Id, default);
        history[^1].Event.ShouldBe(CustodyEvents.Destroyed);
        (history[^1].UserName, history[^1].Details, history[^1].FromBox).ShouldBe(("tech.bru", "consent withdrawn; autoclaved", t.Box));
        var audit = await app.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: "tube", Key: tube.Id.ToString(CultureInfo.InvariantCulture)), default);
        audit.ShouldContain(a => a.Reason == "consent withdrawn; autoclaved" && a.NewValues!.Contains("destroyed"));
        var page = await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"/Samples/Tube/{t.Aliquots[0]}"));
        page.QuerySelector("#tube-status")!.TextContent.ShouldBe("destroyed");

        // "All shown": exactly the tubes the page listed.
        var shown = Listed(done);
        var fields = shown.Select((b, i) => (Key: $"ShownBarcodes[{i}]", Value: b)).ToDictionary(x => x.Key, x => x.Value);
        fields["Reason"] = "consent withdrawn; autoclaved";
        var all = await FollowAsync(tech, await BiobankWebFactory.PostFormAsync(tech, $"{Destruction}?handler=All&pseudonym={t.Pseudonym}", fields, "#destruction-form", url));
        Status(all).ShouldContain("3 tube(s) recorded as destroyed");
        all.QuerySelector("#nothing-to-destroy").ShouldNotBeNull();
        var left = await app.Get<TubeQueries>().SearchAsync(caller, new TubeSearch(Pseudonym: t.Pseudonym), default);
        left.ShouldAllBe(x => x.Status == "destroyed");
    }

    [Fact]
    public async Task Another_site_cannot_destroy_the_tubes_and_a_biologist_sees_the_list_but_cannot_record()
    {
        var tech = await app.SignInAsync("tech.bru");
        var t = await PatientWithTubesAsync(tech);
        await WithdrawAsync(tech, t.PatientId);

        var aar = await app.SignInAsync("tech.aar");
        var refused = await BiobankWebFactory.PostFormAsync(aar, Destruction, new() { ["Barcodes[0]"] = t.Primary, ["Reason"] = "not ours" }, "#destruction-form");
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await BiobankWebFactory.HtmlAsync(refused)).QuerySelector("#destruction-refused")!.TextContent.ShouldContain("not known at your site");

        var bio = await app.SignInAsync("bio.bru");
        var page = await BiobankWebFactory.HtmlAsync(await bio.GetAsync($"{Destruction}?pseudonym={t.Pseudonym}"));
        Listed(page).Count.ShouldBe(4);
        page.QuerySelector("#bench-only").ShouldNotBeNull();
        page.QuerySelectorAll("#destruction input[type=checkbox]").Length.ShouldBe(0);
        var forbidden = await BiobankWebFactory.PostFormAsync(bio, Destruction, new() { ["Barcodes[0]"] = t.Primary, ["Reason"] = "biologist" }, "#destruction-form");
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        forbidden.Headers.Location!.ToString().ShouldContain("AccessDenied");

        (await app.Get<TubeQueries>().ByBarcodeAsync(Caller.System, t.Primary, default))!.Status.ShouldNotBe("destroyed");
    }

    [Fact]
    public async Task A_registry_import_that_withdraws_consent_puts_the_tubes_on_the_list_and_the_home_page_shows_it()
    {
        var admin = await app.SignInAsync("admin");
        var pseudonym = $"BRU-W{Random.Shared.Next(100_000, 999_999)}";
        await FollowAsync(admin, await UploadAsync(admin, "/Registry/ImportRegistry", "#import-registry", "given.csv", Bytes(RegistryCsv(Patient(pseudonym))), null));
        var patient = (await app.Get<Patients>().FindByPseudonymAsync(Caller.System, pseudonym, default))!;
        var t = await TubesForAsync(patient.Id, pseudonym);

        var imported = await FollowAsync(admin, await UploadAsync(admin, "/Registry/ImportRegistry", "#import-registry", "withdrawn.csv",
            Bytes(RegistryCsv(Patient(pseudonym, consent: "withdrawn"))), null));
        imported.QuerySelector("#newly-withdrawn")!.TextContent.ShouldContain(pseudonym);
        var tech = await app.SignInAsync("tech.bru");
        Listed(await BiobankWebFactory.HtmlAsync(await tech.GetAsync($"{Destruction}?pseudonym={pseudonym}"))).Count.ShouldBe(4);

        var home = await BiobankWebFactory.HtmlAsync(await tech.GetAsync("/"));
        var panel = home.QuerySelectorAll(".home-panel").Single(p => p.QuerySelector(".card-header")!.TextContent.Contains("Destruction list", StringComparison.Ordinal));
        panel.QuerySelector("a[href='/Registry/Destruction']").ShouldNotBeNull();
        var count = await app.Get<DestructionList>().CountAsync(await CallerAsync("tech.bru"), default);
        panel.QuerySelector(".badge.text-bg-danger")!.TextContent.ShouldBe(count.ToString(CultureInfo.InvariantCulture));

        // Not for roles that do not destroy, and not at all when a site has nothing to destroy.
        var bio = await app.SignInAsync("bio.bru");
        (await BiobankWebFactory.HtmlAsync(await bio.GetAsync("/"))).QuerySelectorAll(".home-panel .card-header").Select(h => h.TextContent).ShouldNotContain("Destruction list");
        foreach (var user in new[] { "tech.upp", "tech.sto", "tech.lyo", "tech.ess", "tech.aar" })
        {
            if (await app.Get<DestructionList>().CountAsync(await CallerAsync(user), default) == 0)
            {
                var client = await app.SignInAsync(user);
                (await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"))).QuerySelectorAll(".home-panel .card-header").Select(h => h.TextContent).ShouldNotContain("Destruction list");
                return;
            }
        }
    }
}
