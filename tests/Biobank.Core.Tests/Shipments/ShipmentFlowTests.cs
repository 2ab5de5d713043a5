using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Shipments;

public sealed class ShipmentFlowTests
{
    [Theory, Providers]
    public async Task A_box_and_a_loose_tube_travel_and_receipt_records_exactly_the_missing_and_unexpected_tubes(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var receiver = await LabData.CallerAsync(db, "tech.sto");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 6);
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        var store = db.Get<StoreTube>();
        foreach (var t in tubes.Take(4))
        {
            (await store.ExecuteAsync(tech, new StoreCommand(box, t), default)).Ok.ShouldBeTrue();
        }
        var loneBox = await LabData.NewBoxAsync(db, tech);
        (await store.ExecuteAsync(tech, new StoreCommand(loneBox, tubes[4]), default)).Ok.ShouldBeTrue();

        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, box, default)).Value!.Tubes.ShouldBe(4);
        (await build.AddAsync(staff, shipment, tubes[4], default)).Value!.WholeBox.ShouldBeFalse();
        (await build.AddAsync(staff, shipment, tubes[5], default)).Problem!.Message.ShouldContain("not in storage");
        (await build.AddAsync(staff, shipment, tubes[0], default)).Problem!.Message.ShouldContain("already on this shipment");
        (await db.Get<MoveShipment>().DispatchAsync(staff, shipment, default)).Problem!.Message.ShouldContain("pack it");
        (await build.PackAsync(staff, shipment, new PackInput("World Courier", "WC123", 12.5m, "LOG-7", 1), default)).Ok.ShouldBeTrue();
        var move = db.Get<MoveShipment>();
        (await move.DispatchAsync(staff, shipment, default)).Value.ShouldBe(5);

        var inTransit = await db.Get<TubeQueries>().ByBarcodeAsync(staff, tubes[4], default);
        inTransit!.Status.ShouldBe("in_transit");
        inTransit.BoxId.ShouldBeNull("a loose tube leaves its freezer position");
        (await store.ExecuteAsync(tech, new StoreCommand(loneBox, tubes[4]), default)).Problem!.Kind.ShouldBe(ProblemKind.Conflict, "in transit cannot be used");

        // Receiving: scan tubes one by one, leave tubes[3] out (missing), and scan a tube that was never sent (unexpected).
        (await move.ScanAsync(receiver, shipment, tubes[0], false, null, default)).Value!.Outcome.ShouldBe("ok");
        (await move.ScanAsync(receiver, shipment, tubes[1], false, null, default)).Value!.Outcome.ShouldBe("ok");
        (await move.ScanAsync(receiver, shipment, tubes[2], true, "cracked cap", default)).Value!.Outcome.ShouldBe("damaged");
        (await move.ScanAsync(receiver, shipment, tubes[4], false, null, default)).Value!.Outcome.ShouldBe("ok");
        (await move.ScanAsync(receiver, shipment, tubes[5], false, null, default)).Value!.Outcome.ShouldBe("unexpected");
        var summary = (await move.FinishReceivingAsync(receiver, shipment, true, true, "dry ice left", default)).Value!;
        summary.ShouldBe(new ReceiptSummary(3, 1, 1, 1));

        var queries = db.Get<ShipmentQueries>();
        var view = await queries.ByBarcodeAsync(receiver, shipment, default);
        var discrepancies = await queries.DiscrepanciesAsync(receiver, view!.Id, default);
        discrepancies.Select(d => (d.Barcode, d.Kind)).Order().ShouldBe(new[] { (tubes[2], "damaged"), (tubes[3], "missing"), (tubes[5], "unexpected") }.Order());
        var lookup = db.Get<TubeQueries>();
        (await lookup.ByBarcodeAsync(receiver, tubes[0], default))!.Status.ShouldBe("in_storage", "tubes of a whole box arrive in their positions");
        (await lookup.ByBarcodeAsync(receiver, tubes[0], default))!.BoxBarcode.ShouldBe(box);
        (await lookup.ByBarcodeAsync(receiver, tubes[4], default))!.Status.ShouldBe("registered", "a loose tube waits to be stored at the receiver");
        (await lookup.ByBarcodeAsync(staff, tubes[3], default))!.Status.ShouldBe("missing");
        (await lookup.ByBarcodeAsync(receiver, tubes[5], default)).ShouldBeNull("a scan of the sender's barcode is not proof it travelled: it stays the sender's");
        (await lookup.ByBarcodeAsync(staff, tubes[5], default))!.Status.ShouldBe("registered", "its owner decides, with a central user, once the discrepancy is looked at");
        (await lookup.ByBarcodeAsync(staff, tubes[0], default)).ShouldBeNull("the tube now belongs to the receiving site");
        (await move.ReconcileAsync(receiver, shipment, "checked", default)).Ok.ShouldBeTrue();
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task A_tube_of_withdrawn_consent_and_a_tube_of_another_site_are_refused(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var aar = await LabData.CallerAsync(db, "tech.aar");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var withdrawn = await LabData.NewAliquotsAsync(db, tech, 1, withdrawnPatient: false);
        var box = await LabData.NewBoxAsync(db, tech);
        (await db.Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(box, withdrawn[0]), default)).Ok.ShouldBeTrue();
        var patient = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, withdrawn[0], default))!.PatientId;
        var p = (await db.Get<Patients>().FindAsync(tech, patient, default))!;
        (await db.Get<Patients>().UpdateAsync(tech, p.Id, new PatientInput(p.Pseudonym, p.SiteId, p.Sex, p.AgeAtRtYears, "withdrawn", p.ConsentDate), "withdrew", default)).Ok.ShouldBeTrue();
        var foreign = await LabData.NewAliquotsAsync(db, aar, 1);
        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, withdrawn[0], default)).Problem!.Message.ShouldContain("consent is withdrawn");
        (await build.AddAsync(staff, shipment, foreign[0], default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.barcode = @B", new { B = shipment })).ShouldBe(0);
    }

    [Theory, Providers]
    public async Task Scanning_another_sites_tube_on_receipt_records_a_discrepancy_and_moves_nothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var aar = await LabData.CallerAsync(db, "tech.aar");
        var receiver = await LabData.CallerAsync(db, "tech.sto");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var sent = await LabData.NewAliquotsAsync(db, tech, 1);
        var sentBox = await LabData.NewBoxAsync(db, tech);
        var store = db.Get<StoreTube>();
        (await store.ExecuteAsync(tech, new StoreCommand(sentBox, sent[0]), default)).Ok.ShouldBeTrue();
        // AAR's tube never leaves AAR's freezer; STO only knows (or guesses) its barcode.
        var victim = (await LabData.NewAliquotsAsync(db, aar, 1))[0];
        var aarBox = await LabData.NewBoxAsync(db, aar);
        (await store.ExecuteAsync(aar, new StoreCommand(aarBox, victim, "B2"), default)).Ok.ShouldBeTrue();
        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, sent[0], default)).Ok.ShouldBeTrue();
        (await build.PackAsync(staff, shipment, new PackInput("World Courier", "WC1", 5m, "LOG-1", 1), default)).Ok.ShouldBeTrue();
        var move = db.Get<MoveShipment>();
        (await move.DispatchAsync(staff, shipment, default)).Ok.ShouldBeTrue();

        (await move.ScanAsync(receiver, shipment, sent[0], false, null, default)).Value!.Outcome.ShouldBe("ok");
        var scan = (await move.ScanAsync(receiver, shipment, victim, false, null, default)).Value!;
        scan.Outcome.ShouldBe("unexpected");
        var unknown = (await move.ScanAsync(receiver, shipment, "EXT-NOBODY-1", false, null, default)).Value!;
        unknown.Message.Replace("EXT-NOBODY-1", "X", StringComparison.Ordinal).ShouldBe(scan.Message.Replace(victim, "X", StringComparison.Ordinal), "a barcode that exists elsewhere reads like one that exists nowhere");
        (await move.FinishReceivingAsync(receiver, shipment, true, true, null, default)).Value!.ShouldBe(new ReceiptSummary(1, 0, 0, 2));

        var owned = (await db.Get<TubeQueries>().ByBarcodeAsync(aar, victim, default)).ShouldNotBeNull("AAR still owns its tube");
        owned.Status.ShouldBe("in_storage");
        owned.BoxBarcode.ShouldBe(aarBox);
        owned.Position.ShouldBe("B2");
        (await db.Get<TubeQueries>().ByBarcodeAsync(receiver, victim, default)).ShouldBeNull();
        var queries = db.Get<ShipmentQueries>();
        var view = (await queries.ByBarcodeAsync(receiver, shipment, default))!;
        var discrepancies = await queries.DiscrepanciesAsync(receiver, view.Id, default);
        discrepancies.Where(d => d.Kind == "unexpected").Select(d => d.Detail).Distinct().ShouldBe(["not on the manifest"], "the detail does not tell which barcodes exist elsewhere");
        var found = discrepancies.Single(d => d.Barcode == victim);

        var refused = await move.ResolveAsync(receiver, found.Id, "destroy", "hostile", default);
        refused.Problem!.Kind.ShouldBe(ProblemKind.Conflict, "the receiver cannot decide the fate of another site's tube");
        (await db.Get<TubeQueries>().ByBarcodeAsync(aar, victim, default))!.Status.ShouldBe("in_storage");
        (await queries.DiscrepanciesAsync(receiver, view.Id, default)).Single(d => d.Barcode == victim).ResolvedUtc.ShouldBeNull();

        // A central user, having asked AAR, accepts that the tube really is at STO: only then it changes site.
        var central = await LabData.CallerAsync(db, "admin");
        (await move.ResolveAsync(central, found.Id, "accept", "AAR confirms it was packed by mistake", default)).Ok.ShouldBeTrue();
        var moved = (await db.Get<TubeQueries>().ByBarcodeAsync(receiver, victim, default)).ShouldNotBeNull();
        moved.Status.ShouldBe("registered");
        moved.BoxId.ShouldBeNull();
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }
}
