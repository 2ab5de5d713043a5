using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Registry;

/// <summary>The material side of a withdrawal: the destruction list per site, destruction with custody and audit, warnings at the bench.</summary>
public sealed class ConsentWithdrawalTests
{
    [Theory, Providers]
    public async Task The_destruction_list_holds_the_withdrawn_patients_living_tubes_of_the_callers_site(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var ordinary = await LabData.NewAliquotsAsync(db, tech, 2);
        var withdrawn = await LabData.NewAliquotsAsync(db, tech, 3, withdrawnPatient: true);
        var list = db.Get<DestructionList>();

        var bru = (await list.ListAsync(tech, null, 1000, default)).Select(t => t.Barcode).ToList();
        bru.ShouldContain(withdrawn[0]);
        bru.ShouldNotContain(ordinary[0]);
        var pseudonym = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, withdrawn[0], default))!.Pseudonym;
        var own = await list.ListAsync(tech, pseudonym, 1000, default);
        var living = (await db.Get<TubeQueries>().SearchAsync(tech, new TubeSearch(Pseudonym: pseudonym, Limit: 1000), default))
            .Where(t => t.Status is not ("destroyed" or "consumed")).Select(t => t.Barcode).ToList();
        own.Select(t => t.Barcode).ShouldBe(living, ignoreOrder: true);
        own.Select(t => t.Barcode).ShouldContain(withdrawn[2]);
        own.ShouldAllBe(t => t.Withdrawn && t.SiteCode == "BRU");
        (await list.CountAsync(tech, default)).ShouldBe(bru.Count);

        var aar = await LabData.CallerAsync(db, "tech.aar");
        (await list.ListAsync(aar, pseudonym, 1000, default)).ShouldBeEmpty();
        (await list.ListAsync(Caller.System, pseudonym, 1000, default)).Count.ShouldBeGreaterThanOrEqualTo(own.Count);
    }

    [Theory, Providers]
    public async Task Destroying_from_the_list_writes_custody_and_audit_and_refuses_what_is_not_on_it(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var ordinary = await LabData.NewAliquotsAsync(db, tech, 1);
        var withdrawn = await LabData.NewAliquotsAsync(db, tech, 2, withdrawnPatient: true);
        var list = db.Get<DestructionList>();

        (await list.DestroyAsync(tech, [withdrawn[0]], " ", default)).Problem!.Field.ShouldBe("Reason");
        (await list.DestroyAsync(tech, [], "consent withdrawn", default)).Problem!.Field.ShouldBe("Barcodes");

        var aar = await LabData.CallerAsync(db, "tech.aar");
        var foreign = (await list.DestroyAsync(aar, [withdrawn[0]], "not ours", default)).Value!;
        foreign.Destroyed.ShouldBeEmpty();
        foreign.Refused.ShouldHaveSingleItem().Message.ShouldContain("not known at your site");

        var outcome = (await list.DestroyAsync(tech, [withdrawn[0], ordinary[0]], "consent withdrawn; autoclaved", default)).Value!;
        outcome.Destroyed.Select(d => d.Barcode).ShouldBe([withdrawn[0]]);
        outcome.Refused.ShouldHaveSingleItem().Barcode.ShouldBe(ordinary[0]);
        outcome.Refused[0].Message.ShouldContain("has not withdrawn consent");

        var tube = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, withdrawn[0], default))!;
        tube.Status.ShouldBe("destroyed");
        var history = await db.Get<TubeQueries>().HistoryAsync(tech, tube.Id, default);
        (history[^1].Event, history[^1].Details, history[^1].UserName, history[^1].StatusAfter).ShouldBe((CustodyEvents.Destroyed, "consent withdrawn; autoclaved", "tech.bru", "destroyed"));
        var audit = await db.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: "tube", Key: tube.Id.ToString()), default);
        audit.ShouldContain(a => a.UserName == "tech.bru" && a.Reason == "consent withdrawn; autoclaved");
        (await db.Get<TubeQueries>().ByBarcodeAsync(tech, ordinary[0], default))!.Status.ShouldNotBe("destroyed");

        (await list.ListAsync(tech, tube.Pseudonym, 1000, default)).Select(t => t.Barcode).ShouldNotContain(withdrawn[0]);
        var again = (await list.DestroyAsync(tech, [withdrawn[0]], "twice", default)).Value!;
        again.Refused.ShouldHaveSingleItem().Message.ShouldContain("it is destroyed");
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Checking_out_a_withdrawn_tube_warns_that_it_must_not_be_used(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var ordinary = await LabData.NewAliquotsAsync(db, tech, 1);
        var box = await LabData.NewBoxAsync(db, tech);
        (await db.Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(box, ordinary[0]), default)).Ok.ShouldBeTrue();
        var actions = db.Get<TubeActions>();
        (await actions.CheckOutAsync(tech, ordinary[0], default)).Value!.Message.ShouldNotContain("withdrawn");
        (await actions.CheckInAsync(tech, ordinary[0], default)).Ok.ShouldBeTrue();

        var t = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, ordinary[0], default))!;
        var p = (await db.Get<Patients>().FindAsync(tech, t.PatientId, default))!;
        (await db.Get<Patients>().UpdateAsync(tech, p.Id, new PatientInput(p.Pseudonym, p.SiteId, p.Sex, p.AgeAtRtYears, "withdrawn", p.ConsentDate), "letter", default)).Ok.ShouldBeTrue();
        var warned = (await actions.CheckOutAsync(tech, ordinary[0], default)).Value!;
        warned.Message.ShouldContain($"Consent withdrawn for patient {p.Pseudonym}: do not use it");
    }

    [Theory, Providers]
    public async Task The_timeline_lists_every_timepoint_and_counts_tubes_by_sample_type(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db, patients: 4);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var patient = (await db.Get<Patients>().FindByPseudonymAsync(tech, "BRU-0001", default))!;

        var steps = await db.Get<PatientTimeline>().OfPatientAsync(tech, patient.Id, default);

        var timepoints = await db.Get<Protocol>().TimepointsAsync(default);
        steps.Select(s => s.TimepointCode).ShouldBe(timepoints.Select(t => t.Code));
        // Wherever the tubes are now (some were shipped to the central biobank): the timeline counts the patient's whole material.
        var tubes = await db.Get<TubeQueries>().SearchAsync(Caller.System, new TubeSearch(Pseudonym: "BRU-0001", Limit: 1000), default);
        steps.SelectMany(s => s.Visits).Sum(v => v.TubeCount).ShouldBe(tubes.Count);
        var first = steps[0].Visits.ShouldHaveSingleItem();
        foreach (var type in first.Tubes)
        {
            type.Tubes.ShouldBe(tubes.Count(t => t.CollectionId == first.CollectionId && t.SampleTypeCode == type.SampleTypeCode));
            type.Available.ShouldBe(tubes.Count(t => t.CollectionId == first.CollectionId && t.SampleTypeCode == type.SampleTypeCode
                && t.Status is "registered" or "in_storage" or "checked_out" or "in_transit"));
        }
        first.Tubes[0].Kind.ShouldBe("primary");

        var aar = await LabData.CallerAsync(db, "tech.aar");
        (await db.Get<PatientTimeline>().OfPatientAsync(aar, patient.Id, default)).ShouldAllBe(s => s.Visits.Count == 0);
    }

    [Theory, Providers]
    public async Task Assay_results_are_counted_per_patient_for_the_patients_site_only(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db, patients: 4);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var patient = (await db.Get<Patients>().FindByPseudonymAsync(tech, "BRU-0001", default))!;
        var counts = db.Get<AssayResultCounts>();
        await using var c = await db.Db.OpenAsync(default);
        var expected = await c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM assay_result r JOIN tube t ON t.id = r.tube_id WHERE t.patient_id = @Id", new { patient.Id });
        (await counts.OfPatientAsync(tech, patient.Id, default)).ShouldBe(expected);
        (await counts.OfPatientAsync(await LabData.CallerAsync(db, "tech.aar"), patient.Id, default)).ShouldBe(0);
    }
}
