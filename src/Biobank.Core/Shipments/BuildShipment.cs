using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Dapper;

namespace Biobank.Core.Shipments;

public sealed record PackInput(string? Courier, string? TrackingNumber, decimal? DryIceKg, string? LoggerId, int Packages, string? ResponsibleName = null, string? ResponsiblePhone = null);

public sealed record Added(string Barcode, int Tubes, bool WholeBox, string Message);

/// <summary>Site staff create a shipment, add whole boxes or single tubes by scanning, and pack it.</summary>
public sealed class BuildShipment(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO shipment (barcode, from_site_id, to_site_id, state, external, packages, created_utc, created_by)
        VALUES (@Barcode, @From, @To, 'draft', FALSE, 1, @Now, @User)
        RETURNING id
        """;

    private const string SelectHead = """
        SELECT s.id AS Id, s.barcode AS Barcode, s.from_site_id AS FromSiteId, s.to_site_id AS ToSiteId, s.state AS State
        FROM shipment s WHERE s.barcode = @Barcode AND (@AllSites OR s.from_site_id = @ScopeSiteId)
        """;

    private const string BoxByCode = "SELECT id AS Id, site_id AS SiteId, status AS Status, name AS Name FROM box WHERE barcode = @Code";

    private const string TubeByCode = """
        SELECT t.id AS Id, t.barcode AS Barcode, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               p.consent_status AS ConsentStatus, p.pseudonym AS Pseudonym
        FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.barcode = @Code
        """;

    private const string TubesInBox = """
        SELECT t.id AS Id, t.barcode AS Barcode, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               p.consent_status AS ConsentStatus, p.pseudonym AS Pseudonym
        FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.box_id = @BoxId ORDER BY t.pos_row, t.pos_col
        """;

    private const string AddItem = """
        INSERT INTO shipment_item (shipment_id, tube_id, box_id, pos_row, pos_col, open) VALUES (@ShipmentId, @TubeId, @BoxId, @Row, @Col, TRUE)
        """;

    private const string AddBox = "INSERT INTO shipment_box (shipment_id, box_id, received) VALUES (@ShipmentId, @BoxId, FALSE)";

    private const string OpenShipmentOf = """
        SELECT s.barcode FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE i.tube_id = @TubeId AND i.open = TRUE
        """;

    private const string RemoveItems = "DELETE FROM shipment_item WHERE shipment_id = @ShipmentId AND (tube_id = @TubeId OR box_id = @BoxId)";

    private const string RemoveBox = "DELETE FROM shipment_box WHERE shipment_id = @ShipmentId AND box_id = @BoxId";

    private const string PackSql = """
        UPDATE shipment SET state = 'packed', courier = @Courier, tracking_number = @TrackingNumber, dry_ice_kg = @DryIceKg, logger_id = @LoggerId,
               packages = @Packages, responsible_name = @ResponsibleName, responsible_phone = @ResponsiblePhone, packed_utc = @Now, packed_by = @User
        WHERE id = @Id AND state IN ('draft', 'packed')
        """;

    private const string CountItems = "SELECT COUNT(*) FROM shipment_item WHERE shipment_id = @Id";

    public async Task<Result<string>> CreateAsync(Caller caller, long toSiteId, CancellationToken ct)
    {
        if (caller.SiteId is not { } from)
        {
            return Result<string>.Invalid("Shipments are sent from a site: sign in with an account of the sending site.", "FromSite");
        }
        if (toSiteId == from)
        {
            return Result<string>.Invalid("A shipment goes to another site.", "ToSiteId");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var exists = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM site WHERE id = @Id AND active = TRUE", new { Id = toSiteId }, tx, cancellationToken: ct));
        if (exists == 0)
        {
            return Result<string>.Invalid("Choose the receiving site.", "ToSiteId");
        }
        var code = (await BarcodeAllocator.AllocateAsync(c, tx, from, BarcodeKind.Shipment, 1, now, ct))[0];
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new { Barcode = code, From = from, To = toSiteId, Now = now, User = caller.UserName }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "shipment", id.ToString(), New: new { Barcode = code, From = from, To = toSiteId, State = "draft" }, SiteId: from), ct);
        await tx.CommitAsync(ct);
        return Result<string>.Success(code);
    }

    /// <summary>Adds the scanned code: a box (with every tube in it) or a single tube. Refusals say what to do.</summary>
    public async Task<Result<Added>> AddAsync(Caller caller, string shipmentBarcode, string scanned, CancellationToken ct)
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
        var shipment = await c.QuerySingleScopedAsync<ShipmentHead>(SelectHead, caller, new { Barcode = Barcodes.Canonical(Barcodes.Normalize(shipmentBarcode)) }, tx, ct);
        if (shipment is null)
        {
            return Result<Added>.NotFound($"Shipment {shipmentBarcode} is not one your site sends.", "shipment");
        }
        if (shipment.State != ShipmentStates.Draft)
        {
            return Result<Added>.Conflict($"Shipment {shipment.Barcode} is {shipment.State}; only a draft can change. ", "shipment");
        }
        var box = await c.QuerySingleOrDefaultAsync<BoxHead>(new CommandDefinition(BoxByCode, new { Code = code }, tx, cancellationToken: ct));
        if (box is not null)
        {
            if (box.SiteId != shipment.FromSiteId)
            {
                return Result<Added>.NotFound($"Box {code} is not at your site.", "barcode");
            }
            if (box.Status != "active")
            {
                return Result<Added>.Conflict($"Box {code} is {box.Status.Replace('_', ' ')}.", "barcode");
            }
            var tubes = (await c.QueryAsync<TubeHead>(new CommandDefinition(TubesInBox, new { BoxId = box.Id }, tx, cancellationToken: ct))).AsList();
            if (tubes.Count == 0)
            {
                return Result<Added>.Invalid($"Box {code} is empty.", "barcode");
            }
            var problems = new List<string>();
            foreach (var t in tubes)
            {
                if (await Refusal(c, tx, t, shipment, ct) is { } why)
                {
                    problems.Add($"{Positions.Label(t.PosRow!.Value, t.PosCol!.Value)} {why}");
                }
            }
            if (problems.Count > 0)
            {
                return Result<Added>.Conflict($"Box {code} cannot go: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? $"; and {problems.Count - 10} more" : "")}. Take those tubes out first.", "barcode");
            }
            try
            {
                await c.ExecuteAsync(new CommandDefinition(AddBox, new { ShipmentId = shipment.Id, BoxId = box.Id }, tx, cancellationToken: ct));
                foreach (var t in tubes)
                {
                    await c.ExecuteAsync(new CommandDefinition(AddItem, new { ShipmentId = shipment.Id, TubeId = t.Id, t.BoxId, Row = t.PosRow, Col = t.PosCol }, tx, cancellationToken: ct));
                }
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                return Result<Added>.Conflict($"Box {code} or one of its tubes is already on a shipment.", "barcode");
            }
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", shipment.Id.ToString(), New: new { AddedBox = code, Tubes = tubes.Count }, SiteId: shipment.FromSiteId), ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "shipment_box", $"{shipment.Id}/{box.Id}",
                New: new { Shipment = shipment.Barcode, Box = code, Tubes = tubes.Count }, SiteId: shipment.FromSiteId), ct);
            foreach (var t in tubes)
            {
                await AuditItemAsync(c, tx, caller, shipment, t, code, ct);
            }
            await tx.CommitAsync(ct);
            return Result<Added>.Success(new Added(code, tubes.Count, true, $"Box {box.Name} ({code}) added with {tubes.Count} tubes."));
        }
        var tube = await c.QuerySingleOrDefaultAsync<TubeHead>(new CommandDefinition(TubeByCode, new { Code = code }, tx, cancellationToken: ct));
        if (tube is null || tube.SiteId != shipment.FromSiteId)
        {
            return new Problem($"{code} is not a tube or box at your site.", "barcode", ProblemKind.NotFound, Storage.ScanCodes.UnknownTube);
        }
        if (await Refusal(c, tx, tube, shipment, ct) is { } reason)
        {
            return Result<Added>.Conflict($"{code} {reason}.", "barcode");
        }
        try
        {
            await c.ExecuteAsync(new CommandDefinition(AddItem, new { ShipmentId = shipment.Id, TubeId = tube.Id, tube.BoxId, Row = tube.PosRow, Col = tube.PosCol }, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<Added>.Conflict($"{code} was just added to a shipment.", "barcode");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", shipment.Id.ToString(), New: new { AddedTube = code }, SiteId: shipment.FromSiteId), ct);
        await AuditItemAsync(c, tx, caller, shipment, tube, null, ct);
        await tx.CommitAsync(ct);
        return Result<Added>.Success(new Added(code, 1, false, $"{code} added."));
    }

    private Task AuditItemAsync(DbConnection c, DbTransaction tx, Caller caller, ShipmentHead shipment, TubeHead t, string? boxCode, CancellationToken ct) =>
        audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "shipment_item", $"{shipment.Id}/{t.Id}",
            New: new { Shipment = shipment.Barcode, Tube = t.Barcode, Box = boxCode, Row = t.PosRow, Col = t.PosCol }, SiteId: shipment.FromSiteId), ct);

    private static async Task<string?> Refusal(DbConnection c, DbTransaction tx, TubeHead t, ShipmentHead shipment, CancellationToken ct)
    {
        if (t.ConsentStatus == "withdrawn")
        {
            return $"belongs to patient {t.Pseudonym}, whose consent is withdrawn: it must not be shipped";
        }
        if (t.Status != "in_storage")
        {
            return $"is {t.Status.Replace('_', ' ')}, not in storage";
        }
        var open = await c.ExecuteScalarAsync<string?>(new CommandDefinition(OpenShipmentOf, new { TubeId = t.Id }, tx, cancellationToken: ct));
        return open is null ? null : open == shipment.Barcode ? "is already on this shipment" : $"is already on open shipment {open}";
    }

    public async Task<Result<bool>> RemoveAsync(Caller caller, string shipmentBarcode, string scanned, CancellationToken ct)
    {
        var code = Barcodes.Canonical(Barcodes.Normalize(scanned));
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var shipment = await c.QuerySingleScopedAsync<ShipmentHead>(SelectHead, caller, new { Barcode = Barcodes.Canonical(Barcodes.Normalize(shipmentBarcode)) }, tx, ct);
        if (shipment is null)
        {
            return Result<bool>.NotFound("No such shipment.");
        }
        if (shipment.State != ShipmentStates.Draft)
        {
            return Result<bool>.Conflict("Only a draft shipment can change.");
        }
        var box = await c.QuerySingleOrDefaultAsync<BoxHead>(new CommandDefinition(BoxByCode, new { Code = code }, tx, cancellationToken: ct));
        var tube = box is null ? await c.QuerySingleOrDefaultAsync<TubeHead>(new CommandDefinition(TubeByCode, new { Code = code }, tx, cancellationToken: ct)) : null;
        var removed = await c.ExecuteAsync(new CommandDefinition(RemoveItems, new { ShipmentId = shipment.Id, TubeId = tube?.Id ?? -1, BoxId = box?.Id ?? -1 }, tx, cancellationToken: ct));
        if (box is not null)
        {
            await c.ExecuteAsync(new CommandDefinition(RemoveBox, new { ShipmentId = shipment.Id, BoxId = box.Id }, tx, cancellationToken: ct));
        }
        if (removed == 0)
        {
            return Result<bool>.NotFound($"{code} is not on this shipment.", "barcode");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", shipment.Id.ToString(), Old: new { Removed = code, Tubes = removed }, SiteId: shipment.FromSiteId), ct);
        if (box is not null)
        {
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Delete, "shipment_box", $"{shipment.Id}/{box.Id}",
                Old: new { Shipment = shipment.Barcode, Box = code, Tubes = removed }, SiteId: shipment.FromSiteId), ct);
        }
        // One entry for the items taken off: a box's tubes leave together.
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Delete, "shipment_item", $"{shipment.Id}/{code}",
            Old: new { Shipment = shipment.Barcode, Removed = code, Tubes = removed }, SiteId: shipment.FromSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    public async Task<Result<bool>> PackAsync(Caller caller, string shipmentBarcode, PackInput p, CancellationToken ct)
    {
        if (p.Packages is < 1 or > 100)
        {
            return Result<bool>.Invalid("Number of packages: 1 to 100.", "Packages");
        }
        if (p.DryIceKg is < 0 or > 200)
        {
            return Result<bool>.Invalid("Dry ice: 0 to 200 kg.", "DryIceKg");
        }
        if (string.IsNullOrWhiteSpace(p.Courier) || p.Courier.Length > 100)
        {
            return Result<bool>.Invalid("Courier: required, at most 100 characters.", "Courier");
        }
        if (p.ResponsiblePhone is { Length: > 0 } phone && !phone.All(ch => char.IsAsciiDigit(ch) || ch is '+' or ' ' or '-' or '(' or ')' or '/'))
        {
            return Result<bool>.Invalid("Phone: digits, spaces and + - ( ) / only.", "ResponsiblePhone");
        }
        foreach (var (field, words, value, max) in new[]
        {
            ("Courier", "Courier", p.Courier, 100), ("TrackingNumber", "Tracking number", p.TrackingNumber, 100), ("LoggerId", "Logger ID", p.LoggerId, 100),
            ("ResponsibleName", "Responsible person", p.ResponsibleName, 100), ("ResponsiblePhone", "Phone", p.ResponsiblePhone, 40),
        })
        {
            if (value is { } v && v.Length > max)
            {
                return Result<bool>.Invalid($"{words}: at most {max} characters.", field);
            }
            if (TextRules.RefuseLine(value) is { } why)
            {
                return Result<bool>.Invalid($"{words} {why}.", field);
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var shipment = await c.QuerySingleScopedAsync<ShipmentHead>(SelectHead, caller, new { Barcode = Barcodes.Canonical(Barcodes.Normalize(shipmentBarcode)) }, tx, ct);
        if (shipment is null)
        {
            return Result<bool>.NotFound("No such shipment.");
        }
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(CountItems, new { shipment.Id }, tx, cancellationToken: ct)) == 0)
        {
            return Result<bool>.Invalid("Add boxes or tubes before packing.", "shipment");
        }
        var changed = await c.ExecuteAsync(new CommandDefinition(PackSql, new
        {
            shipment.Id, Courier = p.Courier.Trim(), TrackingNumber = Blank(p.TrackingNumber), p.DryIceKg, LoggerId = Blank(p.LoggerId), p.Packages,
            ResponsibleName = Blank(p.ResponsibleName), ResponsiblePhone = Blank(p.ResponsiblePhone), Now = now, User = caller.UserName,
        }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return Result<bool>.Conflict($"Shipment {shipment.Barcode} is {shipment.State}; it can no longer be packed.");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "shipment", shipment.Id.ToString(), Old: new { shipment.State }, New: new { State = "packed", p.Courier, p.TrackingNumber, p.DryIceKg, p.LoggerId, p.Packages }, SiteId: shipment.FromSiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private sealed record BoxHead
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public string Name { get; init; } = "";
    }

    private sealed record TubeHead
    {
        public long Id { get; init; }
        public string Barcode { get; init; } = "";
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public string ConsentStatus { get; init; } = "";
        public string Pseudonym { get; init; } = "";
    }
}
