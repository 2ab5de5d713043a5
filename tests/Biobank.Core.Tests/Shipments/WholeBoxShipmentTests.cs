using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Shipments;

/// <summary>A box on a shipment that has not arrived travels with exactly the tubes its manifest lists.</summary>
public sealed class WholeBoxShipmentTests
{
    private sealed record World(TestDatabase Db, Caller Staff, Caller Tech, string Shipment, string Box, string OtherBox, IReadOnlyList<string> Tubes, string Loose);

    private static async Task<World> BoxOnDraftAsync(TestDatabase db)
    {
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 4);
        var box = await LabData.NewBoxAsync(db, tech);
        var other = await LabData.NewBoxAsync(db, tech);
        var store = db.Get<StoreTube>();
        foreach (var t in tubes.Take(3))
        {
            (await store.ExecuteAsync(tech, new StoreCommand(box, t), default)).Ok.ShouldBeTrue();
        }
        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, box, default)).Value!.Tubes.ShouldBe(3);
        return new World(db, staff, tech, shipment, box, other, tubes.Take(3).ToList(), tubes[3]);
    }

    private static async Task<string> SnapshotAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        var rows = await c.QueryAsync<string>("SELECT barcode || ':' || status || ':' || COALESCE(CAST(box_id AS TEXT), '-') || ':' || COALESCE(CAST(pos_row AS TEXT), '-') || ':' || COALESCE(CAST(pos_col AS TEXT), '-') || ':' || CAST(remaining_ul AS TEXT) FROM tube ORDER BY id");
        return string.Join("\n", rows) + "\n" + await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM custody_event");
    }

    [Theory, Providers]
    public async Task Storing_into_moving_out_of_and_removing_from_a_box_on_an_open_shipment_are_refused_by_name(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var w = await BoxOnDraftAsync(db);
        var before = await SnapshotAsync(db);
        var store = db.Get<StoreTube>();
        var actions = db.Get<TubeActions>();

        var into = await store.ExecuteAsync(w.Tech, new StoreCommand(w.Box, w.Loose), default);
        into.Problem!.Code.ShouldBe(OpenShipments.BoxOnShipmentCode);
        into.Problem.Message.ShouldContain(w.Shipment);
        (await store.ExecuteAsync(w.Tech, new StoreCommand(w.OtherBox, w.Tubes[0], Move: true), default)).Problem!.Code.ShouldBe(OpenShipments.BoxOnShipmentCode);
        (await store.ExecuteAsync(w.Tech, new StoreCommand(w.Box, w.Tubes[0], "J10", Move: true), default)).Problem!.Code.ShouldBe(OpenShipments.BoxOnShipmentCode, "not even to another place in the box");
        (await actions.DestroyAsync(w.Tech, w.Tubes[1], "broken", default)).Problem!.Code.ShouldBe(OpenShipments.BoxOnShipmentCode);
        (await actions.ConsumeAsync(w.Tech, w.Tubes[2], 10m, "used up", default)).Problem!.Code.ShouldBe(OpenShipments.BoxOnShipmentCode);
        (await db.Get<RackImport>().ExecuteAsync(w.Tech, w.Box, new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"J9,{w.Loose}\n")), default)).Problem!.Code
            .ShouldBe(OpenShipments.BoxOnShipmentCode);
        (await SnapshotAsync(db)).ShouldBe(before, "nothing changed");

        // Once the box is off the draft, the same edits go through.
        (await db.Get<BuildShipment>().RemoveAsync(w.Staff, w.Shipment, w.Box, default)).Ok.ShouldBeTrue();
        (await store.ExecuteAsync(w.Tech, new StoreCommand(w.Box, w.Loose), default)).Ok.ShouldBeTrue();
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Dispatch_compares_every_box_with_the_manifest_and_refuses_a_mismatch(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var w = await BoxOnDraftAsync(db);
        (await db.Get<BuildShipment>().PackAsync(w.Staff, w.Shipment, new PackInput("World Courier", "WC9", 5m, "LOG-9", 1), default)).Ok.ShouldBeTrue();
        // A write that went round the storage use cases (an older node during an upgrade, a hand-edited database):
        // one tube put into the box, one taken out of it.
        await using (var c = await db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE tube SET box_id = (SELECT id FROM box WHERE barcode = @Box), pos_row = 10, pos_col = 10, status = 'in_storage' WHERE barcode = @Tube", new { w.Box, Tube = w.Loose });
            await c.ExecuteAsync("UPDATE tube SET box_id = (SELECT id FROM box WHERE barcode = @Box), pos_row = 1, pos_col = 1 WHERE barcode = @Tube", new { Box = w.OtherBox, Tube = w.Tubes[0] });
        }
        var before = await SnapshotAsync(db);

        var refused = await db.Get<MoveShipment>().DispatchAsync(w.Staff, w.Shipment, default);

        refused.Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        refused.Problem.Message.ShouldContain($"{w.Loose} is in box {w.Box} but not on the manifest");
        refused.Problem.Message.ShouldContain($"{w.Tubes[0]} is on the manifest but no longer at its place in box {w.Box}");
        (await SnapshotAsync(db)).ShouldBe(before, "nothing shipped");
        (await db.Get<ShipmentQueries>().ByBarcodeAsync(w.Staff, w.Shipment, default))!.State.ShouldBe(ShipmentStates.Packed);
    }

    [Theory, Providers]
    public async Task Consent_withdrawn_after_packing_stops_the_dispatch(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var w = await BoxOnDraftAsync(db);
        (await db.Get<BuildShipment>().PackAsync(w.Staff, w.Shipment, new PackInput("World Courier", "WC9", 5m, "LOG-9", 1), default)).Ok.ShouldBeTrue();
        var patient = (await db.Get<Patients>().FindAsync(w.Tech, (await db.Get<TubeQueries>().ByBarcodeAsync(w.Tech, w.Tubes[0], default))!.PatientId, default))!;
        (await db.Get<Patients>().UpdateAsync(w.Tech, patient.Id, new PatientInput(patient.Pseudonym, patient.SiteId, patient.Sex, patient.AgeAtRtYears, "withdrawn", patient.ConsentDate), "letter", default)).Ok.ShouldBeTrue();
        var before = await SnapshotAsync(db);

        var refused = await db.Get<MoveShipment>().DispatchAsync(w.Staff, w.Shipment, default);

        refused.Problem!.Message.ShouldContain("Consent was withdrawn");
        refused.Problem.Message.ShouldContain(w.Tubes[0]);
        (await SnapshotAsync(db)).ShouldBe(before);
        (await db.Get<ShipmentQueries>().ByBarcodeAsync(w.Staff, w.Shipment, default))!.State.ShouldBe(ShipmentStates.Packed);
    }

    [Theory, Providers]
    public async Task Finishing_a_receipt_does_not_quarantine_a_tube_out_of_a_box_packed_on_another_shipment(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var w = await BoxOnDraftAsync(db);
        var sites = await db.Get<SiteDirectory>().ListAllAsync(default);
        // An AAR shipment arrives at BRU while BRU's box waits on its own draft; BRU's receiver scans one of that box's tubes.
        var aarStaff = await LabData.CallerAsync(db, "staff.aar");
        var aarTech = await LabData.CallerAsync(db, "tech.aar");
        var incoming = (await LabData.NewAliquotsAsync(db, aarTech, 1))[0];
        (await db.Get<StoreTube>().ExecuteAsync(aarTech, new StoreCommand(await LabData.NewBoxAsync(db, aarTech), incoming), default)).Ok.ShouldBeTrue();
        var build = db.Get<BuildShipment>();
        var toBru = (await build.CreateAsync(aarStaff, sites.Single(s => s.Code == "BRU").Id, default)).Value!;
        (await build.AddAsync(aarStaff, toBru, incoming, default)).Ok.ShouldBeTrue();
        (await build.PackAsync(aarStaff, toBru, new PackInput("World Courier", "WC2", 5m, "LOG-2", 1), default)).Ok.ShouldBeTrue();
        var move = db.Get<MoveShipment>();
        (await move.DispatchAsync(aarStaff, toBru, default)).Ok.ShouldBeTrue();
        (await move.ScanAsync(w.Tech, toBru, incoming, false, null, default)).Value!.Outcome.ShouldBe("ok");
        (await move.ScanAsync(w.Tech, toBru, w.Tubes[1], false, null, default)).Value!.Outcome.ShouldBe("unexpected");

        (await move.FinishReceivingAsync(w.Tech, toBru, true, true, null, default)).Ok.ShouldBeTrue();

        var kept = (await db.Get<TubeQueries>().ByBarcodeAsync(w.Tech, w.Tubes[1], default))!;
        kept.Status.ShouldBe("in_storage", "it stays in the box its own shipment lists");
        kept.BoxBarcode.ShouldBe(w.Box);
        (await build.PackAsync(w.Staff, w.Shipment, new PackInput("World Courier", "WC3", 5m, "LOG-3", 1), default)).Ok.ShouldBeTrue();
        (await move.DispatchAsync(w.Staff, w.Shipment, default)).Ok.ShouldBeTrue("the box still matches its manifest");
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }
}
