using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Shipments;
using Dapper;

namespace Biobank.Core.Demo;

/// <summary>
/// A few shipments in every state, made through the real workflow so a newcomer sees the whole flow:
/// reconciled, received with a missing tube, dispatched (one of them overdue), packed and draft.
/// </summary>
public sealed class ShipmentsDemo(IDb db, UserAccounts accounts, BuildShipment build, MoveShipment move) : IDemoFollowUp
{
    public int Order => 100;

    private const string FullBoxes = """
        SELECT b.barcode FROM box b WHERE b.site_id = @SiteId AND b.status = 'active'
          AND (SELECT COUNT(*) FROM tube t WHERE t.box_id = b.id) > 0
          AND NOT EXISTS (SELECT 1 FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.box_id = b.id AND (p.consent_status = 'withdrawn' OR t.status <> 'in_storage'))
        ORDER BY b.id LIMIT @Count
        """;

    private const string BoxTubes = "SELECT t.barcode FROM tube t JOIN box b ON b.id = t.box_id WHERE b.barcode = @Box ORDER BY t.pos_row, t.pos_col";

    // Demo only: ages a dispatch so the overdue warning has something to show.
    private const string Age = "UPDATE shipment SET created_utc = @Created, packed_utc = @Packed, dispatched_utc = @When WHERE barcode = @Barcode";

    public async Task RunAsync(DemoContextSummary seeded, CancellationToken ct)
    {
        var sto = seeded.SiteIds["STO"];
        var plan = new (string Site, string State)[]
        {
            ("BRU", ShipmentStates.Reconciled), ("AAR", ShipmentStates.Received), ("LYO", ShipmentStates.Dispatched),
            ("ESS", "overdue"), ("BRU", ShipmentStates.Packed), ("AAR", ShipmentStates.Draft),
        };
        var used = new Dictionary<string, int>();
        foreach (var (site, state) in plan)
        {
            var staff = (await accounts.FindByNameAsync($"staff.{site.ToLowerInvariant()}", ct))!.ToCaller();
            var receiver = (await accounts.FindByNameAsync("tech.sto", ct))!.ToCaller();
            var skip = used.GetValueOrDefault(site);
            used[site] = skip + 1;
            string? box;
            await using (var c = await db.OpenAsync(ct))
            {
                box = (await c.QueryAsync<string>(new CommandDefinition(FullBoxes, new { SiteId = seeded.SiteIds[site], Count = skip + 1 }, cancellationToken: ct))).Skip(skip).FirstOrDefault();
            }
            if (box is null)
            {
                continue;
            }
            var barcode = (await build.CreateAsync(staff, sto, ct)).Value!;
            Must(await build.AddAsync(staff, barcode, box, ct));
            if (state == ShipmentStates.Draft)
            {
                continue;
            }
            Must(await build.PackAsync(staff, barcode, new PackInput("World Courier", $"WC{Math.Abs(barcode.GetHashCode(StringComparison.Ordinal)) % 1_000_000:D6}", 8.5m, $"LOG-{site}-{skip + 1}", 1, staff.UserName, "+46 8 555 010 00"), ct));
            if (state == ShipmentStates.Packed)
            {
                continue;
            }
            Must(await move.DispatchAsync(staff, barcode, ct));
            if (state is ShipmentStates.Dispatched or "overdue")
            {
                if (state == "overdue")
                {
                    await using var c = await db.OpenAsync(ct);
                    await c.ExecuteAsync(new CommandDefinition(Age, new { Barcode = barcode, Created = DateTime.UtcNow.AddHours(-120), Packed = DateTime.UtcNow.AddHours(-98), When = DateTime.UtcNow.AddHours(-96) }, cancellationToken: ct));
                }
                continue;
            }
            List<string> tubes;
            await using (var c = await db.OpenAsync(ct))
            {
                tubes = (await c.QueryAsync<string>(new CommandDefinition(BoxTubes, new { Box = box }, cancellationToken: ct))).AsList();
            }
            if (state == ShipmentStates.Reconciled)
            {
                Must(await move.ScanAsync(receiver, barcode, box, false, null, ct));
            }
            else
            {
                // Received tube by tube, one tube not found: the discrepancy a newcomer should see.
                foreach (var t in tubes.Skip(1))
                {
                    Must(await move.ScanAsync(receiver, barcode, t, false, null, ct));
                }
            }
            Must(await move.FinishReceivingAsync(receiver, barcode, true, true, "demo receipt", ct));
            if (state == ShipmentStates.Reconciled)
            {
                Must(await move.ReconcileAsync(receiver, barcode, "all present", ct));
            }
        }
    }

    private static void Must<T>(Result<T> result)
    {
        if (!result.Ok)
        {
            throw new InvalidOperationException($"Demo shipment step refused: {result.Problem!.Message}");
        }
    }
}
