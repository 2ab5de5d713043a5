using System.Net;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Samples;

public sealed class CollectionPagesTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task The_form_offers_a_standard_visit_of_five_primary_tubes()
    {
        var client = await app.SignInAsync("tech.bru");
        var id = await CreatePatientAsync(app, client, NewPseudonym());
        var form = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Collections/New?patientId={id}"));
        var chosen = form.QuerySelectorAll("#tube-rows select")
            .Select(s => s.QuerySelector("option[selected]")?.TextContent ?? "").ToList();
        chosen.Take(5).Select(t => t.Split(' ')[0]).ShouldBe(["EDTA", "EDTA", "Serum", "PAXgene", "Saliva"]);
        chosen.Skip(5).ShouldAllBe(t => t == "");
        form.QuerySelector("label[for=Input_CollectedDate]")!.TextContent.ShouldContain("UTC");
    }

    [Fact]
    public async Task Without_a_patient_the_form_asks_for_a_pseudonym_and_finds_the_patient()
    {
        var client = await app.SignInAsync("tech.bru");
        var picker = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Collections/New"));
        picker.QuerySelector("#pick-patient input[name=Pseudonym]").ShouldNotBeNull();

        var own = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "BRU-0001", default);
        var found = await client.GetAsync("/Samples/Collections/New?pseudonym=BRU-0001");
        found.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        found.Headers.Location!.ToString().ShouldBe($"/Samples/Collections/New?patientId={own!.Id}");

        var other = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Collections/New?pseudonym=AAR-0001"));
        Errors(other).ShouldHaveSingleItem().ShouldContain("No patient AAR-0001 at your site");
    }

    [Fact]
    public async Task Registering_a_collection_shows_its_primary_tubes_and_barcodes()
    {
        var client = await app.SignInAsync("tech.bru");
        var pseudonym = NewPseudonym();
        var patient = await CreatePatientAsync(app, client, pseudonym);
        var external = $"SARST{Random.Shared.Next(100000, 999999)}";
        var response = await PostCollectionAsync(app, client, patient, ("EDTA", null), ("EDTA", null), ("SERUM", external), ("PAXGENE", null), ("SALIVA", null));
        var page = await FollowAsync(client, response);

        var cards = page.QuerySelectorAll("section.primary-tube");
        cards.Length.ShouldBe(5);
        var barcodes = cards.Select(c => c.QuerySelector(".card-header a.font-monospace")!.TextContent.Trim()).ToList();
        barcodes.Count(b => b.StartsWith("BRUS", StringComparison.Ordinal) && Barcodes.Check(b) == BarcodeCheck.Valid).ShouldBe(4);
        barcodes.ShouldContain(external);
        Status(page).ShouldContain(barcodes[0]);
        page.QuerySelector("#collection-details")!.TextContent.ShouldContain($"{Collected:yyyy-MM-dd HH:mm} UTC");

        var patientPage = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Patients/{patient}"));
        var row = patientPage.QuerySelector("#collections tbody tr")!;
        row.TextContent.ShouldContain("BASELINE");
        row.QuerySelector("td.text-end")!.TextContent.Trim().ShouldBe("5");
    }

    [Fact]
    public async Task A_withdrawn_patient_cannot_get_a_collection()
    {
        var client = await app.SignInAsync("tech.bru");
        var given = await CreatePatientAsync(app, client, NewPseudonym());
        var pseudonym = NewPseudonym();
        var withdrawn = await CreatePatientAsync(app, client, pseudonym, consent: "withdrawn");

        var form = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Samples/Collections/New?patientId={withdrawn}"));
        form.QuerySelector("#withdrawn-alert").ShouldNotBeNull();
        form.QuerySelector("#new-collection").ShouldBeNull();

        // A form opened before the withdrawal is still posted: the use case refuses it.
        var response = await BiobankWebFactory.PostFormAsync(client, $"/Samples/Collections/New?patientId={withdrawn}", new()
        {
            ["Input.TimepointId"] = (await TimepointIdAsync(app, "BASELINE")).ToString(),
            ["Input.CollectedDate"] = Collected.ToString("yyyy-MM-dd"),
            ["Input.CollectedTime"] = "08:00",
            ["Input.Tubes[0].SampleTypeId"] = (await TypeIdAsync(app, "EDTA")).ToString(),
        }, "#new-collection", $"/Samples/Collections/New?patientId={given}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Errors(await BiobankWebFactory.HtmlAsync(response)).ShouldHaveSingleItem().ShouldContain("has withdrawn consent: no new collections may be registered");
        (await app.Get<Collections>().OfPatientAsync(Caller.System, withdrawn, default)).ShouldBeEmpty();
        (await app.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Pseudonym: pseudonym), default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Recording_processing_shows_the_derived_sprec()
    {
        var client = await app.SignInAsync("tech.bru");
        var patient = await CreatePatientAsync(app, client, NewPseudonym());
        var collection = await RegisterCollectionAsync(app, client, patient, ("EDTA", null), ("PAXGENE", null));
        var tubes = await TubesOfAsync(app, collection);
        var edta = tubes.Single(t => t.SampleTypeCode == "EDTA");
        var pax = tubes.Single(t => t.SampleTypeCode == "PAXGENE");
        var day = Collected.ToString("yyyy-MM-dd");
        var url = $"/Samples/Collections/{collection}";

        // Kept at room temperature 45 min, spun at 4 °C, 2000 g, 10 min, braked; frozen 25 min after the spin ended; −80 °C.
        var page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, new()
        {
            ["Processing.TubeId"] = edta.Id.ToString(),
            ["Processing.ProcessingStartUtc"] = $"{day}T08:45",
            ["Processing.PreCentrifugeTemp"] = "RT",
            ["Processing.CentrifugeTempC"] = "4",
            ["Processing.CentrifugeG"] = "2000",
            ["Processing.CentrifugeMinutes"] = "10",
            ["Processing.Braking"] = "true",
            ["Processing.SecondCentrifugeG"] = "",
            ["Processing.FrozenUtc"] = $"{day}T09:20",
            ["Processing.StorageTempC"] = "-80",
        }, $"#processing-{edta.Id}"));
        Status(page).ShouldContain("SPREC BLD-PED-A-D-N-B-A");
        page.QuerySelector($"#tube-{edta.Id} code.sprec")!.TextContent.ShouldBe("BLD-PED-A-D-N-B-A");
        page.QuerySelector($"#t{edta.Id}-g")!.GetAttribute("value").ShouldBe("2000");

        // PAXgene is not spun: its form has no centrifuge fields and its code has N for them.
        page.QuerySelector($"#t{pax.Id}-g").ShouldBeNull();
        page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, url, new()
        {
            ["Processing.TubeId"] = pax.Id.ToString(),
            ["Processing.PreCentrifugeTemp"] = "RT",
            ["Processing.FrozenUtc"] = $"{day}T10:30",
            ["Processing.StorageTempC"] = "-20",
        }, $"#processing-{pax.Id}"));
        page.QuerySelector($"#tube-{pax.Id} code.sprec")!.TextContent.ShouldBe("BLD-PAX-C-N-N-N-B");
    }

    [Fact]
    public async Task Processing_frozen_before_it_started_is_refused_with_the_message_on_the_tube()
    {
        var client = await app.SignInAsync("tech.bru");
        var collection = await RegisterCollectionAsync(app, client, await CreatePatientAsync(app, client, NewPseudonym()), ("SERUM", null));
        var serum = (await TubesOfAsync(app, collection)).Single();
        var day = Collected.ToString("yyyy-MM-dd");
        var response = await BiobankWebFactory.PostFormAsync(client, $"/Samples/Collections/{collection}", new()
        {
            ["Processing.TubeId"] = serum.Id.ToString(),
            ["Processing.ProcessingStartUtc"] = $"{day}T09:00",
            ["Processing.FrozenUtc"] = $"{day}T08:30",
        }, $"#processing-{serum.Id}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(response);
        page.QuerySelector($"#tube-{serum.Id} .validation-errors")!.TextContent.ShouldContain("cannot be frozen before processing started");
        page.QuerySelector($"#t{serum.Id}-frozen")!.GetAttribute("value").ShouldBe($"{day}T08:30");
    }

    [Fact]
    public async Task Aliquoting_by_plan_makes_the_plans_aliquots_and_lowers_the_remaining_volume()
    {
        var client = await app.SignInAsync("tech.bru");
        var collection = await RegisterCollectionAsync(app, client, await CreatePatientAsync(app, client, NewPseudonym()), ("EDTA", null));
        var edta = (await TubesOfAsync(app, collection)).Single();
        edta.RemainingUl.ShouldBe(4000m);

        var page = await FollowAsync(client, await BiobankWebFactory.PostFormAsync(client, $"/Samples/Collections/{collection}",
            new() { ["tubeId"] = edta.Id.ToString() }, $"#by-plan-{edta.Id}"));

        // EDTA plan: 8 × 250 µL plasma + 2 × 500 µL buffy coat = 3,000 µL.
        var rows = page.QuerySelectorAll($"#tube-{edta.Id} table.aliquots tbody tr");
        rows.Length.ShouldBe(10);
        rows.Count(r => r.TextContent.Contains("Plasma", StringComparison.Ordinal)).ShouldBe(8);
        rows.Count(r => r.TextContent.Contains("Buffy coat", StringComparison.Ordinal)).ShouldBe(2);
        rows.ShouldAllBe(r => r.QuerySelector("a")!.TextContent.StartsWith("BRUA"));
        page.QuerySelector($"#tube-{edta.Id} .card-header")!.TextContent.ShouldContain("1,000 µL of 4,000 µL left");
        Status(page).ShouldContain("10 aliquot(s) made");
        (await TubesOfAsync(app, collection)).Single(t => t.Id == edta.Id).RemainingUl.ShouldBe(1000m);
    }

    [Fact]
    public async Task Asking_for_more_volume_than_remains_is_refused_and_nothing_is_made()
    {
        var client = await app.SignInAsync("tech.bru");
        var collection = await RegisterCollectionAsync(app, client, await CreatePatientAsync(app, client, NewPseudonym()), ("EDTA", null));
        var edta = (await TubesOfAsync(app, collection)).Single();
        var response = await BiobankWebFactory.PostFormAsync(client, $"/Samples/Collections/{collection}", new()
        {
            ["Manual.TubeId"] = edta.Id.ToString(),
            ["Manual.AliquotTypeId"] = (await TypeIdAsync(app, "PLASMA")).ToString(),
            ["Manual.Count"] = "20",
            ["Manual.VolumeUl"] = "250",
        }, $"#by-hand-{edta.Id}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(response);
        page.QuerySelector($"#tube-{edta.Id} .validation-errors")!.TextContent.ShouldContain("4000 µL left; these aliquots need 5000 µL");
        page.QuerySelector($"#t{edta.Id}-n")!.GetAttribute("value").ShouldBe("20");
        var after = await TubesOfAsync(app, collection);
        after.Count.ShouldBe(1);
        after[0].RemainingUl.ShouldBe(4000m);
    }

    [Fact]
    public async Task The_recent_list_shows_the_callers_sites_collections_only()
    {
        var client = await app.SignInAsync("tech.bru");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Samples/Collections"));
        var sites = page.QuerySelectorAll("#collections tbody tr td:nth-child(4)").Select(td => td.TextContent.Trim()).Distinct().ToList();
        sites.ShouldBe(["BRU"]);
    }

    [Fact]
    public async Task Another_sites_collection_answers_404()
    {
        var other = await app.Get<Patients>().FindByPseudonymAsync(Caller.System, "AAR-0001", default);
        var visit = (await app.Get<Collections>().OfPatientAsync(Caller.System, other!.Id, default))[0];
        var client = await app.SignInAsync("tech.bru");
        (await client.GetAsync($"/Samples/Collections/{visit.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
