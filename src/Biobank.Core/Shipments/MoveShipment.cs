using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Dapper;

namespace Biobank.Core.Shipments;

public sealed record ReceiveScanResult(string Barcode, string Outcome, int Tubes, string Message);

public static class ReceiveCodes
{
    public const string AlreadyScanned = "already_scanned";
}

public sealed record ReceiptSummary(int Ok, int Damaged, int Missing, int Unexpected);

/// <summary>
/// Dispatch at the sender, then receipt by scanning at the receiver, then reconciliation. Each step is one
/// transaction; tube statuses and custody events change with the shipment's state, never apart from it.
/// </summary>
public sealed class MoveShipment(IDb db, IAudit audit, TimeProvider clock)
{
    private const string SelectHead = """
        SELECT s.id AS Id, s.barcode AS Barcode, s.from_site_id AS FromSiteId, s.to_site_id AS ToSiteId, s.state AS State
        FROM shipment s WHERE s.barcode = @Barcode AND (@AllSites OR s.from_site_id = @ScopeSiteId OR s.to_site_id = @ScopeSiteId)
        """;

    private const string Items = """
        SELECT i.id AS Id, i.tube_id AS TubeId, t.barcode AS Barcode, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               i.receipt AS Receipt, CASE WHEN sb.box_id IS NULL THEN 0 ELSE 1 END AS WholeBox, sb.received AS BoxReceived, i.box_id AS ItemBoxId
        FROM shipment_item i JOIN tube t ON t.id = i.tube_id
        LEFT JOIN shipment_box sb ON sb.shipment_id = i.shipment_id AND sb.box_id = i.box_id
        WHERE i.shipment_id = @Id
        """;

    // Boxes travel whole: every tube in a shipped box must be on the manifest at that box and position, and every
    // manifest line of a shipped box must still be there. Anything else would leave a ghost tube at the sender.
    private const string BoxMismatches = """
        SELECT b.barcode AS Box, t.barcode AS Tube, 'extra' AS Why
        FROM shipment_box sb JOIN box b ON b.id = sb.box_id JOIN tube t ON t.box_id = sb.box_id
        WHERE sb.shipment_id = @Id
          AND NOT EXISTS (SELECT 1 FROM shipment_item i WHERE i.shipment_id = sb.shipment_id AND i.tube_id = t.id AND i.box_id = sb.box_id)
        UNION ALL
        SELECT b.barcode, t.barcode, 'gone'
        FROM shipment_item i JOIN shipment_box sb ON sb.shipment_id = i.shipment_id AND sb.box_id = i.box_id
        JOIN box b ON b.id = i.box_id JOIN tube t ON t.id = i.tube_id
        WHERE i.shipment_id = @Id AND (t.box_id IS NULL OR t.box_id <> i.box_id OR t.pos_row <> i.pos_row OR t.pos_col <> i.pos_col)
        """;

    // Takes the shipped boxes' row locks first: a scan into one of them (which locks its box the same way) either
    // committed before and is seen by the comparison, or waits and then finds the box on a dispatched shipment.
    private const string LockBoxes = "UPDATE box SET status = status WHERE id IN (SELECT box_id FROM shipment_box WHERE shipment_id = @Id)";

    private const string WithdrawnOnShipment = """
        SELECT t.barcode FROM shipment_item i JOIN tube t ON t.id = i.tube_id JOIN patient p ON p.id = t.patient_id
        WHERE i.shipment_id = @Id AND p.consent_status = 'withdrawn' ORDER BY t.barcode
        """;

    private const string ShipTube = """
        UPDATE tube SET status = 'in_transit', box_id = CASE WHEN @KeepPlace THEN box_id ELSE NULL END,
               pos_row = CASE WHEN @KeepPlace THEN pos_row ELSE NULL END, pos_col = CASE WHEN @KeepPlace THEN pos_col ELSE NULL END, updated_utc = @Now
        WHERE id = @Id AND status = 'in_storage'
        """;

    private const string ShipBoxes = """
        UPDATE box SET status = 'in_transit', rack_id = NULL WHERE id IN (SELECT box_id FROM shipment_box WHERE shipment_id = @Id)
        """;

    private const string SetState = """
        UPDATE shipment SET state = @To, dispatched_utc = CASE WHEN @To = 'dispatched' THEN @Now ELSE dispatched_utc END,
               dispatched_by = CASE WHEN @To = 'dispatched' THEN @User ELSE dispatched_by END
        WHERE id = @Id AND state = @From
        """;

    private const string BoxOfShipment = "SELECT b.id AS Id FROM shipment_box sb JOIN box b ON b.id = sb.box_id WHERE sb.shipment_id = @Id AND b.barcode = @Code";

    private const string ReceiveBox = "UPDATE shipment_box SET received = TRUE WHERE shipment_id = @Id AND box_id = @BoxId";

    private const string ReceiveBoxItems = "UPDATE shipment_item SET receipt = 'ok', received_utc = @Now WHERE shipment_id = @Id AND box_id = @BoxId AND receipt IS NULL";

    private const string ItemByCode = """
        SELECT i.id AS Id, i.tube_id AS TubeId, t.barcode AS Barcode, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               i.receipt AS Receipt, 0 AS WholeBox, FALSE AS BoxReceived, i.box_id AS ItemBoxId
        FROM shipment_item i JOIN tube t ON t.id = i.tube_id WHERE i.shipment_id = @Id AND t.barcode = @Code
        """;

    private const string MarkItem = "UPDATE shipment_item SET receipt = @Receipt, receipt_note = @Note, received_utc = @Now WHERE id = @ItemId";

    private const string TubeByCode = "SELECT id AS Id, site_id AS SiteId FROM tube WHERE barcode = @Code";

    private const string Unexpected = """
        INSERT INTO discrepancy (shipment_id, tube_id, barcode, kind, detail, created_utc, created_by)
        VALUES (@Id, @TubeId, @Code, 'unexpected', @Detail, @Now, @User)
        ON CONFLICT (shipment_id, barcode, kind) DO NOTHING
        """;

    private const string Discrepancy = """
        INSERT INTO discrepancy (shipment_id, tube_id, barcode, kind, detail, created_utc, created_by)
        VALUES (@Id, @TubeId, @Code, @Kind, @Detail, @Now, @User)
        ON CONFLICT (shipment_id, barcode, kind) DO NOTHING
        """;

    private const string ArriveTube = """
        UPDATE tube SET site_id = @Site, status = @Status,
               box_id = CASE WHEN @KeepPlace THEN box_id ELSE NULL END, pos_row = CASE WHEN @KeepPlace THEN pos_row ELSE NULL END,
               pos_col = CASE WHEN @KeepPlace THEN pos_col ELSE NULL END, updated_utc = @Now
        WHERE id = @Id
        """;

    private const string LoseTube = "UPDATE tube SET status = 'missing', box_id = NULL, pos_row = NULL, pos_col = NULL, updated_utc = @Now WHERE id = @Id";

    private const string CloseItems = "UPDATE shipment_item SET open = FALSE, receipt = COALESCE(receipt, 'missing') WHERE shipment_id = @Id";

    private const string ArriveBoxes = """
        UPDATE box SET site_id = @Site, status = 'active', rack_id = NULL
        WHERE id IN (SELECT sb.box_id FROM shipment_box sb WHERE sb.shipment_id = @Id
                     AND (sb.received = TRUE OR EXISTS (SELECT 1 FROM shipment_item i WHERE i.shipment_id = sb.shipment_id AND i.box_id = sb.box_id AND i.receipt = 'ok')))
        """;

    private const string UnexpectedTubes = "SELECT id AS Id, tube_id AS TubeId, barcode AS Barcode FROM discrepancy WHERE shipment_id = @Id AND kind = 'unexpected' AND tube_id IS NOT NULL";

    // Only the receiver's own tubes are quarantined: a barcode of another site is a scan, not proof the tube travelled,
    // so that site's tube keeps its site, status and position until its owner or a central user resolves the discrepancy.
    // Nor is a tube taken out of a box that is packed on a shipment of its own (it would leave that box's manifest).
    private const string Quarantine = """
        UPDATE tube SET status = 'quarantined', box_id = NULL, pos_row = NULL, pos_col = NULL, updated_utc = @Now
        WHERE id = @Id AND site_id = @Site AND status NOT IN ('destroyed', 'consumed', 'in_transit')
          AND (box_id IS NULL OR box_id NOT IN (SELECT sb.box_id FROM shipment_box sb JOIN shipment o ON o.id = sb.shipment_id
                                                WHERE o.state IN ('draft', 'packed', 'dispatched')))
        """;

    private const string Received = """
        UPDATE shipment SET state = 'received', received_utc = @Now, received_by = @User, dry_ice_left = @DryIceLeft, logger_ok = @LoggerOk, condition_notes = @Notes
        WHERE id = @Id AND state = 'dispatched'
        """;

    private const string Reconciled = """
        UPDATE shipment SET state = 'reconciled', reconciled_utc = @Now, reconciled_by = @User, reconcile_note = @Note WHERE id = @Id AND state = 'received'
        """;

    private const string DiscrepancyById = """
        SELECT d.id AS Id, d.tube_id AS TubeId, d.barcode AS Barcode, d.kind AS Kind, d.resolved_utc AS ResolvedUtc, s.to_site_id AS ToSiteId, s.from_site_id AS FromSiteId
        FROM discrepancy d JOIN shipment s ON s.id = d.shipment_id
        WHERE d.id = @Id AND (@AllSites OR s.to_site_id = @ScopeSiteId)
        """;

    private const string Resolve = "UPDATE discrepancy SET resolved_utc = @Now, resolved_by = @User, resolution = @Resolution WHERE id = @Id AND resolved_utc IS NULL";

    private const string ReleaseTube = "UPDATE tube SET status = @Status, updated_utc = @Now WHERE id = @Id AND status IN ('quarantined', 'missing')";

    private const string TubePlace = "SELECT site_id AS SiteId, box_id AS BoxId, pos_row AS PosRow, pos_col AS PosCol FROM tube WHERE id = @Id";

    // A central user's decision on another site's tube that turned up unexpectedly: it leaves its owner's box either way,
    // and joins the receiving site when accepted.
    private const string Rehome = """
        UPDATE tube SET status = @Status, site_id = CASE WHEN @Status = 'registered' THEN @Site ELSE site_id END,
               box_id = NULL, pos_row = NULL, pos_col = NULL, updated_utc = @Now
        WHERE id = @Id AND status NOT IN ('destroyed', 'consumed', 'in_transit')
        """;

    public async Task<Result<int>> DispatchAsync(Caller caller, string shipmentBarcode, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var s = await HeadAsync(c, tx, caller, shipmentBarcode, ct);
        if (s is null || !caller.CanSee(s.FromSiteId))
        {
            return Result<int>.NotFound("No such shipment from your site.", "shipment");
        }
        if (s.State != ShipmentStates.Packed)
        {
            return Result<int>.Conflict($"Shipment {s.Barcode} is {s.State}: pack it (courier, dry ice, packages) before dispatch.", "shipment");
        }
        await c.ExecuteAsync(new CommandDefinition(LockBoxes, new { s.Id }, tx, cancellationToken: ct));
        var mismatches = (await c.QueryAsync<Mismatch>(new CommandDefinition(BoxMismatches, new { s.Id }, tx, cancellationToken: ct))).AsList();
        if (mismatches.Count > 0)
        {
            var listed = string.Join("; ", mismatches.Take(10).Select(m => m.Why == "extra" ? $"{m.Tube} is in box {m.Box} but not on the manifest" : $"{m.Tube} is on the manifest but no longer at its place in box {m.Box}"));
            return Result<int>.Conflict($"The boxes of shipment {s.Barcode} do not match its manifest: {listed}{(mismatches.Count > 10 ? $"; and {mismatches.Count - 10} more" : "")}. Put the tubes back as the manifest lists them, or take the box off the draft and add it again.", "shipment");
        }
        // Consent can be withdrawn between packing and dispatch: asked again in the dispatching transaction.
        var withdrawn = (await c.QueryAsync<string>(new CommandDefinition(WithdrawnOnShipment, new { s.Id }, tx, cancellationToken: ct))).AsList();
        if (withdrawn.Count > 0)
        {
            return Result<int>.Conflict($"Consent was withdrawn for the patient of {string.Join(", ", withdrawn.Take(10))}{(withdrawn.Count > 10 ? $" and {withdrawn.Count - 10} more" : "")}: take those tubes off the shipment; they must not be shipped.", "shipment");
        }
        var items = (await c.QueryAsync<Item>(new CommandDefinition(Items, new { s.Id }, tx, cancellationToken: ct))).AsList();
        foreach (var i in items)
        {
            var changed = await c.ExecuteAsync(new CommandDefinition(ShipTube, new { Id = i.TubeId, KeepPlace = i.WholeBox, Now = now }, tx, cancellationToken: ct));
            if (changed == 0)
            {
                return Result<int>.Conflict($"{i.Barcode} is no longer in storage ({i.Status.Replace('_', ' ')}); remove it from the shipment first.", "shipment");
            }
            var from = new Place(i.BoxId, i.PosRow, i.PosCol);
            await Custody.AppendAsync(c, tx, i.TubeId, CustodyEvents.Shipped, s.FromSiteId, from, i.WholeBox ? from : Place.Nowhere, "in_transit", $"shipment {s.Barcode}", caller.UserName, now, ct);
        }
        await c.ExecuteAsync(new CommandDefinition(ShipBoxes, new { s.Id }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(SetState, new { s.Id, From = ShipmentStates.Packed, To = ShipmentStates.Dispatched, Now = now, User = caller.UserName }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", s.Id.ToString(), Old: new { State = "packed" }, New: new { State = "dispatched", Tubes = items.Count }, SiteId: s.FromSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<int>.Success(items.Count);
    }

    /// <summary>One receiving scan: a box of the shipment, a tube on the manifest (OK or damaged), or an unexpected tube.</summary>
    public async Task<Result<ReceiveScanResult>> ScanAsync(Caller caller, string shipmentBarcode, string scanned, bool damaged, string? note, CancellationToken ct)
    {
        var code = Barcodes.Normalize(scanned);
        var check = Barcodes.Check(code);
        if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
        {
            return new Problem(Barcodes.Explain(check, code)!, "barcode", ProblemKind.Invalid, Storage.ScanCodes.BadCheck);
        }
        code = Barcodes.Canonical(code);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var s = await HeadAsync(c, tx, caller, shipmentBarcode, ct);
        if (s is null || !caller.CanSee(s.ToSiteId))
        {
            return Result<ReceiveScanResult>.NotFound("No such shipment to your site.", "shipment");
        }
        if (s.State != ShipmentStates.Dispatched)
        {
            return Result<ReceiveScanResult>.Conflict($"Shipment {s.Barcode} is {s.State}; only a dispatched shipment is received.", "shipment");
        }
        var boxId = await c.ExecuteScalarAsync<long?>(new CommandDefinition(BoxOfShipment, new { s.Id, Code = code }, tx, cancellationToken: ct));
        ReceiveScanResult result;
        if (boxId is { } b)
        {
            await c.ExecuteAsync(new CommandDefinition(ReceiveBox, new { s.Id, BoxId = b }, tx, cancellationToken: ct));
            var n = await c.ExecuteAsync(new CommandDefinition(ReceiveBoxItems, new { s.Id, BoxId = b, Now = now }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment_box", $"{s.Id}/{b}",
                Old: new { Received = false }, New: new { Received = true, Box = code, TubesOk = n }, SiteId: s.ToSiteId), ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment_item", $"{s.Id}/box {code}",
                Old: new { Receipt = (string?)null }, New: new { Receipt = "ok", Box = code, Tubes = n }, SiteId: s.ToSiteId), ct);
            result = new ReceiveScanResult(code, "box", n, $"Box {code} received: {n} tube(s) marked OK. Scan any damaged tube of it with 'damaged'.");
        }
        else if (await c.QuerySingleOrDefaultAsync<Item>(new CommandDefinition(ItemByCode, new { s.Id, Code = code }, tx, cancellationToken: ct)) is { } item)
        {
            var receipt = damaged ? "damaged" : "ok";
            if (item.Receipt == receipt)
            {
                // A second scan of the same tube changes nothing and is said loudly; scanning it again with the other
                // mark (damaged after OK, or back) is a correction and goes through.
                return new Problem($"{code} was already scanned as {receipt} on this shipment: nothing changed.", "barcode", ProblemKind.Conflict, ReceiveCodes.AlreadyScanned);
            }
            await c.ExecuteAsync(new CommandDefinition(MarkItem, new { ItemId = item.Id, Receipt = receipt, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(), Now = now }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment_item", item.Id.ToString(),
                Old: new { Receipt = item.Receipt }, New: new { Receipt = receipt, Tube = code, Note = note }, SiteId: s.ToSiteId), ct);
            result = new ReceiveScanResult(code, receipt, 1, damaged ? $"{code} recorded as damaged{(string.IsNullOrWhiteSpace(note) ? "" : ": " + note)}." : $"{code} OK.");
        }
        else
        {
            var tube = await c.QuerySingleOrDefaultAsync<TubeSite>(new CommandDefinition(TubeByCode, new { Code = code }, tx, cancellationToken: ct));
            // One wording whoever owns the barcode: "unknown barcode" against "not on the manifest" would tell the receiver
            // which of another site's barcodes exist.
            const string detail = "not on the manifest";
            if (await c.ExecuteAsync(new CommandDefinition(Unexpected, new { s.Id, TubeId = tube?.Id, Code = code, Detail = detail, Now = now, User = caller.UserName }, tx, cancellationToken: ct)) > 0)
            {
                await AuditDiscrepancyAsync(c, tx, caller, s, code, "unexpected", detail, ct);
            }
            result = new ReceiveScanResult(code, "unexpected", 0, $"{code} is NOT on this shipment's manifest: recorded as unexpected. Put it aside until the discrepancy is resolved.");
        }
        await tx.CommitAsync(ct);
        return Result<ReceiveScanResult>.Success(result);
    }

    public async Task<Result<ReceiptSummary>> FinishReceivingAsync(Caller caller, string shipmentBarcode, bool? dryIceLeft, bool? loggerOk, string? notes, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var s = await HeadAsync(c, tx, caller, shipmentBarcode, ct);
        if (s is null || !caller.CanSee(s.ToSiteId))
        {
            return Result<ReceiptSummary>.NotFound("No such shipment to your site.", "shipment");
        }
        if (s.State != ShipmentStates.Dispatched)
        {
            return Result<ReceiptSummary>.Conflict($"Shipment {s.Barcode} is {s.State}.", "shipment");
        }
        var items = (await c.QueryAsync<Item>(new CommandDefinition(Items, new { s.Id }, tx, cancellationToken: ct))).AsList();
        int ok = 0, broken = 0, missing = 0;
        foreach (var i in items)
        {
            var place = new Place(i.BoxId, i.PosRow, i.PosCol);
            switch (i.Receipt)
            {
                case "ok":
                    var status = i.WholeBox ? "in_storage" : "registered";
                    await c.ExecuteAsync(new CommandDefinition(ArriveTube, new { Id = i.TubeId, Site = s.ToSiteId, Status = status, KeepPlace = i.WholeBox, Now = now }, tx, cancellationToken: ct));
                    await Custody.AppendAsync(c, tx, i.TubeId, CustodyEvents.Received, s.ToSiteId, place, i.WholeBox ? place : Place.Nowhere, status, $"shipment {s.Barcode}", caller.UserName, now, ct);
                    ok++;
                    break;
                case "damaged":
                    await c.ExecuteAsync(new CommandDefinition(ArriveTube, new { Id = i.TubeId, Site = s.ToSiteId, Status = "quarantined", KeepPlace = false, Now = now }, tx, cancellationToken: ct));
                    await Custody.AppendAsync(c, tx, i.TubeId, CustodyEvents.Discrepancy, s.ToSiteId, place, Place.Nowhere, "quarantined", $"damaged on receipt of {s.Barcode}", caller.UserName, now, ct);
                    if (await c.ExecuteAsync(new CommandDefinition(Discrepancy, new { s.Id, i.TubeId, Code = i.Barcode, Kind = "damaged", Detail = "damaged on receipt", Now = now, User = caller.UserName }, tx, cancellationToken: ct)) > 0)
                    {
                        await AuditDiscrepancyAsync(c, tx, caller, s, i.Barcode, "damaged", "damaged on receipt", ct);
                    }
                    broken++;
                    break;
                default:
                    await c.ExecuteAsync(new CommandDefinition(LoseTube, new { Id = i.TubeId, Now = now }, tx, cancellationToken: ct));
                    await Custody.AppendAsync(c, tx, i.TubeId, CustodyEvents.Missing, s.ToSiteId, place, Place.Nowhere, "missing", $"not found on receipt of {s.Barcode}", caller.UserName, now, ct);
                    if (await c.ExecuteAsync(new CommandDefinition(Discrepancy, new { s.Id, i.TubeId, Code = i.Barcode, Kind = "missing", Detail = "not scanned on receipt", Now = now, User = caller.UserName }, tx, cancellationToken: ct)) > 0)
                    {
                        await AuditDiscrepancyAsync(c, tx, caller, s, i.Barcode, "missing", "not scanned on receipt", ct);
                    }
                    missing++;
                    break;
            }
        }
        await c.ExecuteAsync(new CommandDefinition(CloseItems, new { s.Id }, tx, cancellationToken: ct));
        // One entry closes every item of the shipment; the missing ones are named.
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment_item", $"{s.Id}/all",
            Old: new { Open = true, Items = items.Count }, New: new { Open = false, Missing = items.Where(i => i.Receipt is not ("ok" or "damaged")).Select(i => i.Barcode).ToList() },
            SiteId: s.ToSiteId), ct);
        await c.ExecuteAsync(new CommandDefinition(ArriveBoxes, new { s.Id, Site = s.ToSiteId }, tx, cancellationToken: ct));
        var unexpected = (await c.QueryAsync<UnexpectedRow>(new CommandDefinition(UnexpectedTubes, new { s.Id }, tx, cancellationToken: ct))).AsList();
        foreach (var u in unexpected)
        {
            if (await c.ExecuteAsync(new CommandDefinition(Quarantine, new { Id = u.TubeId, Site = s.ToSiteId, Now = now }, tx, cancellationToken: ct)) > 0)
            {
                await Custody.AppendAsync(c, tx, u.TubeId!.Value, CustodyEvents.Quarantined, s.ToSiteId, Place.Nowhere, Place.Nowhere, "quarantined", $"arrived unexpectedly with {s.Barcode}", caller.UserName, now, ct);
            }
        }
        var unexpectedCount = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM discrepancy WHERE shipment_id = @Id AND kind = 'unexpected'", new { s.Id }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(Received, new { s.Id, Now = now, User = caller.UserName, DryIceLeft = dryIceLeft, LoggerOk = loggerOk, Notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim() }, tx, cancellationToken: ct));
        var summary = new ReceiptSummary(ok, broken, missing, (int)unexpectedCount);
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", s.Id.ToString(), Old: new { State = "dispatched" },
            New: new { State = "received", summary.Ok, summary.Damaged, summary.Missing, summary.Unexpected, DryIceLeft = dryIceLeft, LoggerOk = loggerOk, Notes = notes }, SiteId: s.ToSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<ReceiptSummary>.Success(summary);
    }

    public async Task<Result<bool>> ReconcileAsync(Caller caller, string shipmentBarcode, string? note, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var s = await HeadAsync(c, tx, caller, shipmentBarcode, ct);
        if (s is null || !caller.CanSee(s.ToSiteId))
        {
            return Result<bool>.NotFound("No such shipment to your site.", "shipment");
        }
        if (await c.ExecuteAsync(new CommandDefinition(Reconciled, new { s.Id, Now = now, User = caller.UserName, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim() }, tx, cancellationToken: ct)) == 0)
        {
            return Result<bool>.Conflict($"Shipment {s.Barcode} is {s.State}; finish receiving it first.", "shipment");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", s.Id.ToString(), Old: new { State = "received" }, New: new { State = "reconciled" }, Reason: note, SiteId: s.ToSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    /// <summary>Closes a discrepancy: a quarantined tube is accepted (to be stored) or destroyed; a missing one found or written off.</summary>
    public async Task<Result<bool>> ResolveAsync(Caller caller, long discrepancyId, string action, string? note, CancellationToken ct)
    {
        if (action is not ("accept" or "destroy" or "found" or "lost"))
        {
            return Result<bool>.Invalid("Resolution: accept, destroy, found or lost.", "action");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var d = await c.QuerySingleScopedAsync<DiscrepancyHead>(DiscrepancyById, caller, new { Id = discrepancyId }, tx, ct);
        if (d is null)
        {
            return Result<bool>.NotFound("No such discrepancy at your site.");
        }
        if (d.ResolvedUtc is not null)
        {
            return Result<bool>.Conflict("This discrepancy is already resolved.");
        }
        var resolution = $"{action}{(string.IsNullOrWhiteSpace(note) ? "" : ": " + note.Trim())}";
        var place = d.TubeId is { } scanned ? await c.QuerySingleOrDefaultAsync<TubeWhere>(new CommandDefinition(TubePlace, new { Id = scanned }, tx, cancellationToken: ct)) : null;
        var foreign = d.Kind == "unexpected" && place is not null && place.SiteId != d.ToSiteId;
        if (foreign && !caller.AllSites)
        {
            return Result<bool>.Conflict($"{d.Barcode} is not a tube of your site: a central user resolves this discrepancy with its owning site. Keep it aside until then.");
        }
        await c.ExecuteAsync(new CommandDefinition(Resolve, new { Id = discrepancyId, Now = now, User = caller.UserName, Resolution = resolution }, tx, cancellationToken: ct));
        if (foreign && action is "accept" or "found" or "destroy")
        {
            var status = action == "destroy" ? "destroyed" : "registered";
            if (await c.ExecuteAsync(new CommandDefinition(Rehome, new { Id = d.TubeId, Status = status, Site = d.ToSiteId, Now = now }, tx, cancellationToken: ct)) > 0)
            {
                var site = action == "destroy" ? place!.SiteId : d.ToSiteId;
                await Custody.AppendAsync(c, tx, d.TubeId!.Value, action == "destroy" ? CustodyEvents.Destroyed : CustodyEvents.Received, site,
                    new Place(place!.BoxId, place.PosRow, place.PosCol), Place.Nowhere, status,
                    $"unexpected on receipt, resolved centrally: {resolution}", caller.UserName, now, ct);
            }
        }
        else if (d.TubeId is { } tubeId && action is "accept" or "found" or "destroy")
        {
            var status = action == "destroy" ? "destroyed" : "registered";
            if (await c.ExecuteAsync(new CommandDefinition(ReleaseTube, new { Id = tubeId, Status = status, Now = now }, tx, cancellationToken: ct)) > 0)
            {
                if (action == "found")
                {
                    await c.ExecuteAsync(new CommandDefinition("UPDATE tube SET site_id = @Site WHERE id = @Id", new { Id = tubeId, Site = d.ToSiteId }, tx, cancellationToken: ct));
                }
                await Custody.AppendAsync(c, tx, tubeId, action == "destroy" ? CustodyEvents.Destroyed : CustodyEvents.Received, d.ToSiteId, Place.Nowhere, Place.Nowhere, status,
                    $"{d.Kind} discrepancy resolved: {resolution}", caller.UserName, now, ct);
            }
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "discrepancy", discrepancyId.ToString(), Old: new { Resolved = false }, New: new { Resolution = resolution }, Reason: note, SiteId: d.ToSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    private static Task<ShipmentHead?> HeadAsync(DbConnection c, DbTransaction tx, Caller caller, string barcode, CancellationToken ct) =>
        c.QuerySingleScopedAsync<ShipmentHead>(SelectHead, caller, new { Barcode = Barcodes.Canonical(Barcodes.Normalize(barcode)) }, tx, ct);

    private Task AuditDiscrepancyAsync(DbConnection c, DbTransaction tx, Caller caller, ShipmentHead s, string barcode, string kind, string detail, CancellationToken ct) =>
        audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "discrepancy", $"{s.Id}/{barcode}/{kind}",
            New: new { Shipment = s.Barcode, Barcode = barcode, Kind = kind, Detail = detail }, SiteId: s.ToSiteId), ct);

    private sealed record Item
    {
        public long Id { get; init; }
        public long TubeId { get; init; }
        public string Barcode { get; init; } = "";
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public string? Receipt { get; init; }
        public bool WholeBox { get; init; }
        public bool? BoxReceived { get; init; }
        public long? ItemBoxId { get; init; }
    }

    private sealed record Mismatch
    {
        public string Box { get; init; } = "";
        public string Tube { get; init; } = "";
        public string Why { get; init; } = "";
    }

    private sealed record TubeWhere
    {
        public long SiteId { get; init; }
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
    }

    private sealed record TubeSite
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
    }

    private sealed record UnexpectedRow
    {
        public long Id { get; init; }
        public long? TubeId { get; init; }
        public string Barcode { get; init; } = "";
    }

    private sealed record DiscrepancyHead
    {
        public long Id { get; init; }
        public long? TubeId { get; init; }
        public string Barcode { get; init; } = "";
        public string Kind { get; init; } = "";
        public DateTime? ResolvedUtc { get; init; }
        public long ToSiteId { get; init; }
        public long FromSiteId { get; init; }
    }
}
