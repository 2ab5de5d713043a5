using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Dapper;

namespace Biobank.Core.Storage;

public sealed record StoreCommand(string BoxBarcode, string TubeBarcode, string? Position = null, bool Move = false);

public sealed record Stored(string Barcode, string BoxBarcode, string Position, string SampleType, string Pseudonym, string Timepoint,
    string Colour, int Used, int Capacity, bool Moved, string? MovedFrom);

public static class ScanCodes
{
    public const string UnknownTube = "unknown_tube";
    public const string UnknownBox = "unknown_box";
    public const string BadCheck = "bad_check_character";
    public const string Malformed = "malformed";
    public const string PositionTaken = "position_taken";
    public const string StoredElsewhere = "stored_elsewhere";
    public const string AlreadyHere = "already_here";
    public const string BoxFull = "box_full";
    public const string Withdrawn = "consent_withdrawn";
    public const string NotStorable = "not_storable";
    public const string BadPosition = "bad_position";
}

/// <summary>
/// The scanning station's one verb: put a tube into a box position (given, or the next free one).
/// Two scans into one position are settled by the unique index on (box_id, pos_row, pos_col); one tube
/// scanned into two boxes at once by the conditional update on its own row.
/// </summary>
public sealed class StoreTube(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Box = """
        SELECT id AS Id, site_id AS SiteId, rows AS Rows, cols AS Cols, status AS Status, barcode AS Barcode
        FROM box WHERE barcode = @Barcode AND (@AllSites OR site_id = @ScopeSiteId)
        """;

    // Not scoped on purpose: a tube of another site gets a helpful refusal that reveals nothing about it.
    private const string Tube = """
        SELECT t.id AS Id, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               b.barcode AS BoxBarcode, p.pseudonym AS Pseudonym, p.consent_status AS ConsentStatus, st.name AS SampleType,
               st.colour AS Colour, tp.code AS Timepoint
        FROM tube t
        JOIN patient p ON p.id = t.patient_id
        JOIN sample_type st ON st.id = t.sample_type_id
        JOIN collection c ON c.id = t.collection_id
        JOIN study_timepoint tp ON tp.id = c.timepoint_id
        LEFT JOIN box b ON b.id = t.box_id
        WHERE t.barcode = @Barcode
        """;

    // A no-op update takes the box row's lock: scans into one box queue up on PostgreSQL instead of racing
    // for the same free position (SQLite already holds the database write lock here).
    private const string LockBox = "UPDATE box SET status = status WHERE id = @Id";

    private const string Occupied = "SELECT pos_row AS PosRow, pos_col AS PosCol, barcode AS Barcode FROM tube WHERE box_id = @BoxId";

    private const string PutInPlace = """
        UPDATE tube SET box_id = @BoxId, pos_row = @Row, pos_col = @Col, status = 'in_storage', updated_utc = @Now
        WHERE id = @Id AND status IN ('registered', 'in_storage') AND (box_id IS NULL OR @Move)
        """;

    public async Task<Result<Stored>> ExecuteAsync(Caller caller, StoreCommand cmd, CancellationToken ct)
    {
        var tubeCode = Barcodes.Normalize(cmd.TubeBarcode);
        var boxCode = Barcodes.Normalize(cmd.BoxBarcode);
        if (CheckCode(boxCode, "box") is { } badBox)
        {
            return badBox;
        }
        if (CheckCode(tubeCode, "barcode") is { } badTube)
        {
            return badTube;
        }
        // Auto-chosen positions can collide on PostgreSQL (READ COMMITTED): the loser retries with a fresh view.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStoreAsync(caller, cmd, Barcodes.Canonical(boxCode), Barcodes.Canonical(tubeCode), ct);
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e) && string.IsNullOrWhiteSpace(cmd.Position) && attempt < 5)
            {
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                return new Problem($"Position {cmd.Position?.ToUpperInvariant()} was just taken by another scan. Choose another position.", "position", ProblemKind.Conflict, ScanCodes.PositionTaken);
            }
        }
    }

    private static Problem? CheckCode(string code, string field) => Barcodes.Check(code) switch
    {
        BarcodeCheck.WrongCheckCharacter => new Problem(Barcodes.Explain(BarcodeCheck.WrongCheckCharacter, code)!, field, ProblemKind.Invalid, ScanCodes.BadCheck),
        BarcodeCheck.Malformed => new Problem(Barcodes.Explain(BarcodeCheck.Malformed, code)!, field, ProblemKind.Invalid, ScanCodes.Malformed),
        _ => null,
    };

    private async Task<Result<Stored>> TryStoreAsync(Caller caller, StoreCommand cmd, string boxCode, string tubeCode, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var box = await c.QuerySingleScopedAsync<BoxHead>(Box, caller, new { Barcode = boxCode }, tx, ct);
        if (box is null)
        {
            return new Problem($"Box {boxCode} is unknown at your site. Scan the box label again, or create the box first.", "box", ProblemKind.NotFound, ScanCodes.UnknownBox);
        }
        if (box.Status != "active")
        {
            return new Problem($"Box {boxCode} is {box.Status.Replace('_', ' ')}; tubes cannot be stored in it.", "box", ProblemKind.Conflict, ScanCodes.NotStorable);
        }
        await c.ExecuteAsync(new CommandDefinition(LockBox, new { box.Id }, tx, cancellationToken: ct));
        // Asked after the lock: a dispatch that locked the box first has committed by now, and is seen.
        if (await OpenShipments.OfBoxAsync(c, tx, box.Id, ct) is { } shipment)
        {
            return new Problem(OpenShipments.Refusal(boxCode, shipment, "no tube can be stored into it"), "box", ProblemKind.Conflict, OpenShipments.BoxOnShipmentCode);
        }
        var tube = await c.QuerySingleOrDefaultAsync<TubeHead>(new CommandDefinition(Tube, new { Barcode = tubeCode }, tx, cancellationToken: ct));
        if (tube is null || !caller.CanSee(tube.SiteId) || tube.SiteId != box.SiteId)
        {
            return new Problem($"Tube {tubeCode} is not known at this site. If it came from another site, receive its shipment first; otherwise register it.",
                "barcode", ProblemKind.NotFound, ScanCodes.UnknownTube);
        }
        if (tube.ConsentStatus == "withdrawn")
        {
            return new Problem($"Consent withdrawn for patient {tube.Pseudonym}: do not store {tubeCode}. Put it aside; it is on the destruction list.",
                "barcode", ProblemKind.Conflict, ScanCodes.Withdrawn);
        }
        if (tube.Status is not ("registered" or "in_storage"))
        {
            var what = tube.Status switch
            {
                "checked_out" => "checked out: check it in instead",
                "quarantined" => "quarantined until its discrepancy is resolved",
                _ => tube.Status.Replace('_', ' '),
            };
            return new Problem($"Tube {tubeCode} is {what}; it cannot be stored.", "barcode", ProblemKind.Conflict, ScanCodes.NotStorable);
        }
        var occupied = (await c.QueryAsync<Slot>(new CommandDefinition(Occupied, new { BoxId = box.Id }, tx, cancellationToken: ct))).AsList();
        int row, col;
        if (!string.IsNullOrWhiteSpace(cmd.Position))
        {
            if (!Positions.TryParse(cmd.Position, box.Rows, box.Cols, out row, out col))
            {
                return new Problem($"Position '{cmd.Position}' is not in box {boxCode} (A1 to {Positions.Label(box.Rows, box.Cols)}).", "position", ProblemKind.Invalid, ScanCodes.BadPosition);
            }
            var r0 = row;
            var c0 = col;
            if (occupied.FirstOrDefault(o => o.PosRow == r0 && o.PosCol == c0) is { } holder && holder.Barcode != tubeCode)
            {
                return new Problem($"{Positions.Label(row, col)} in box {boxCode} already holds {holder.Barcode}. Choose another position, or leave it empty for the next free one.",
                    "position", ProblemKind.Conflict, ScanCodes.PositionTaken);
            }
        }
        else if (tube.BoxId == box.Id)
        {
            (row, col) = (tube.PosRow!.Value, tube.PosCol!.Value);
        }
        else
        {
            var taken = occupied.Select(o => (o.PosRow, o.PosCol)).ToHashSet();
            (row, col) = (0, 0);
            for (var r = 1; r <= box.Rows && row == 0; r++)
            {
                for (var k = 1; k <= box.Cols; k++)
                {
                    if (!taken.Contains((r, k)))
                    {
                        (row, col) = (r, k);
                        break;
                    }
                }
            }
            if (row == 0)
            {
                return new Problem($"Box {boxCode} is full ({box.Rows * box.Cols} tubes). Scan another box.", "box", ProblemKind.Conflict, ScanCodes.BoxFull);
            }
        }
        if (tube.BoxId == box.Id && tube.PosRow == row && tube.PosCol == col)
        {
            return new Problem($"{tubeCode} is already in this box at {Positions.Label(row, col)}.", "barcode", ProblemKind.Conflict, ScanCodes.AlreadyHere);
        }
        if (tube.BoxId is { } fromBox && fromBox != box.Id && await OpenShipments.OfBoxAsync(c, tx, fromBox, ct) is { } leaving)
        {
            return new Problem(OpenShipments.Refusal(tube.BoxBarcode!, leaving, $"{tubeCode} cannot be moved out of it"), "barcode", ProblemKind.Conflict, OpenShipments.BoxOnShipmentCode);
        }
        if (tube.BoxId is not null && !cmd.Move)
        {
            return new Problem($"{tubeCode} is already stored in box {tube.BoxBarcode} at {Positions.Label(tube.PosRow!.Value, tube.PosCol!.Value)}. Scan it again with 'move' to move it here.",
                "barcode", ProblemKind.Conflict, ScanCodes.StoredElsewhere);
        }
        var changed = await c.ExecuteAsync(new CommandDefinition(PutInPlace, new { Id = tube.Id, BoxId = box.Id, Row = row, Col = col, Now = now, cmd.Move }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return new Problem($"{tubeCode} was just stored by another scan. Look it up before scanning again.", "barcode", ProblemKind.Conflict, ScanCodes.StoredElsewhere);
        }
        var moved = tube.BoxId is not null;
        var from = new Place(tube.BoxId, tube.PosRow, tube.PosCol);
        var to = new Place(box.Id, row, col);
        await Custody.AppendAsync(c, tx, tube.Id, moved ? CustodyEvents.Moved : CustodyEvents.Stored, box.SiteId, from, to, "in_storage", null, caller.UserName, now, ct);
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", tube.Id.ToString(),
            Old: new { Box = tube.BoxBarcode, Position = tube.PosRow is { } pr ? Positions.Label(pr, tube.PosCol!.Value) : null, tube.Status },
            New: new { Box = boxCode, Position = Positions.Label(row, col), Status = "in_storage" }, SiteId: box.SiteId), ct);
        await tx.CommitAsync(ct);
        var used = occupied.Count + (tube.BoxId == box.Id ? 0 : 1);
        return Result<Stored>.Success(new Stored(tubeCode, boxCode, Positions.Label(row, col), tube.SampleType, tube.Pseudonym, tube.Timepoint, tube.Colour,
            used, box.Rows * box.Cols, moved, moved ? $"{tube.BoxBarcode} {Positions.Label(tube.PosRow!.Value, tube.PosCol!.Value)}" : null));
    }

    private sealed record BoxHead
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public int Rows { get; init; }
        public int Cols { get; init; }
        public string Status { get; init; } = "";
        public string Barcode { get; init; } = "";
    }

    private sealed record TubeHead
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public string? BoxBarcode { get; init; }
        public string Pseudonym { get; init; } = "";
        public string ConsentStatus { get; init; } = "";
        public string SampleType { get; init; } = "";
        public string Colour { get; init; } = "";
        public string Timepoint { get; init; } = "";
    }

    private sealed record Slot
    {
        public int PosRow { get; init; }
        public int PosCol { get; init; }
        public string Barcode { get; init; } = "";
    }
}
