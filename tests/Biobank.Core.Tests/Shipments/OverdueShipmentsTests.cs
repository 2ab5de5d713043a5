using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Shipments;

public sealed class OverdueShipmentsTests
{
    [Theory, Providers]
    public async Task A_dispatched_shipment_is_recorded_overdue_once_after_72_hours_and_never_again(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var box = await LabData.NewBoxAsync(db, tech);
        var tube = (await LabData.NewAliquotsAsync(db, tech, 1)).Single();
        (await db.Get<Biobank.Core.Storage.StoreTube>().ExecuteAsync(tech, new Biobank.Core.Storage.StoreCommand(box, tube), default)).Ok.ShouldBeTrue();
        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, tube, default)).Ok.ShouldBeTrue();
        (await build.PackAsync(staff, shipment, new PackInput("World Courier", "WC9", 5m, "LOG-9", 1), default)).Ok.ShouldBeTrue();
        (await db.Get<MoveShipment>().DispatchAsync(staff, shipment, default)).Ok.ShouldBeTrue();
        var scan = db.Get<OverdueShipments>();
        var view = await db.Get<ShipmentQueries>().ByBarcodeAsync(staff, shipment, default);

        db.Clock.Advance(ShipmentStates.OverdueAfter - TimeSpan.FromMinutes(1));
        view!.IsOverdue(db.Clock.GetUtcNow().UtcDateTime).ShouldBeFalse();
        (await scan.ScanAsync(default)).ShouldNotContain(n => n.Barcode == shipment, "71 h 59 min: not yet overdue");

        db.Clock.Advance(TimeSpan.FromMinutes(2));
        view.IsOverdue(db.Clock.GetUtcNow().UtcDateTime).ShouldBeTrue();
        (await scan.ScanAsync(default)).Select(n => n.Barcode).ShouldContain(shipment, "the same rule as the home page's IsOverdue");
        db.Clock.Advance(TimeSpan.FromHours(1));
        (await scan.ScanAsync(default)).ShouldBeEmpty("once per shipment, however often the scan runs");

        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE table_name = 'shipment' AND row_key = @Key AND reason LIKE 'overdue:%'", new { Key = view.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
            .ShouldBe(1);
        (await c.ExecuteScalarAsync<DateTime?>("SELECT overdue_noticed_utc FROM shipment WHERE id = @Id", new { view.Id })).ShouldNotBeNull();
    }
}
