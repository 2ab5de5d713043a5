using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Dapper;

namespace Biobank.Core.Storage;

public sealed record FreezerRow
{
    public long Id { get; init; }
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public string Name { get; init; } = "";
    public decimal TemperatureC { get; init; }
    public string? Description { get; init; }
}

public sealed record RackRow
{
    public long Id { get; init; }
    public long FreezerId { get; init; }
    public string Name { get; init; } = "";
}

public sealed record BoxRow
{
    public long Id { get; init; }
    public string Barcode { get; init; } = "";
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public long? RackId { get; init; }
    public string? Rack { get; init; }
    public string? Freezer { get; init; }
    public string Name { get; init; } = "";
    public int Rows { get; init; }
    public int Cols { get; init; }
    public string Status { get; init; } = "";
    public int Used { get; init; }

    public int Capacity => Rows * Cols;

    public string Location => Freezer is null ? "not in a freezer" : $"{Freezer} / {Rack}";
}

/// <summary>Freezers, racks and boxes of a site.</summary>
public sealed class StorageSetup(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Freezers = """
        SELECT f.id AS Id, f.site_id AS SiteId, s.code AS SiteCode, f.name AS Name, f.temperature_c AS TemperatureC, f.description AS Description
        FROM freezer f JOIN site s ON s.id = f.site_id
        WHERE (@AllSites OR f.site_id = @ScopeSiteId)
        ORDER BY s.code, f.name
        """;

    private const string Racks = """
        SELECT r.id AS Id, r.freezer_id AS FreezerId, r.name AS Name FROM rack r JOIN freezer f ON f.id = r.freezer_id
        WHERE (@AllSites OR f.site_id = @ScopeSiteId) ORDER BY r.name
        """;

    internal const string BoxSelect = """
        SELECT b.id AS Id, b.barcode AS Barcode, b.site_id AS SiteId, s.code AS SiteCode, b.rack_id AS RackId, r.name AS Rack, f.name AS Freezer,
               b.name AS Name, b.rows AS Rows, b.cols AS Cols, b.status AS Status,
               (SELECT COUNT(*) FROM tube t WHERE t.box_id = b.id) AS Used
        FROM box b JOIN site s ON s.id = b.site_id LEFT JOIN rack r ON r.id = b.rack_id LEFT JOIN freezer f ON f.id = r.freezer_id
        """;

    private const string Boxes = BoxSelect + """
         WHERE (@AllSites OR b.site_id = @ScopeSiteId) AND (@Site IS NULL OR s.code = @Site)
        ORDER BY s.code, b.name
        LIMIT @Limit
        """;

    private const string BoxByBarcode = BoxSelect + " WHERE (@AllSites OR b.site_id = @ScopeSiteId) AND b.barcode = @Barcode";

    private const string InsertFreezer = "INSERT INTO freezer (site_id, name, temperature_c, description) VALUES (@SiteId, @Name, @TemperatureC, @Description) RETURNING id";

    private const string InsertRack = "INSERT INTO rack (freezer_id, name) VALUES (@FreezerId, @Name) RETURNING id";

    private const string InsertBox = """
        INSERT INTO box (barcode, site_id, rack_id, name, rows, cols, status, created_utc) VALUES (@Barcode, @SiteId, @RackId, @Name, @Rows, @Cols, 'active', @Now)
        RETURNING id
        """;

    private const string MoveBoxSql = "UPDATE box SET rack_id = @RackId WHERE id = @Id";

    public async Task<IReadOnlyList<FreezerRow>> FreezersAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<FreezerRow>(Freezers, caller, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<RackRow>> RacksAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<RackRow>(Racks, caller, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<BoxRow>> BoxesAsync(Caller caller, string? siteCode, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<BoxRow>(Boxes, caller, new { Site = string.IsNullOrWhiteSpace(siteCode) ? null : siteCode.Trim().ToUpperInvariant(), Limit = Math.Clamp(limit, 1, 5000) }, ct: ct)).AsList();
    }

    public async Task<BoxRow?> BoxAsync(Caller caller, string barcode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<BoxRow>(BoxByBarcode, caller, new { Barcode = Barcodes.Canonical(barcode) }, ct: ct);
    }

    public async Task<Result<long>> AddFreezerAsync(Caller caller, long siteId, string name, decimal temperatureC, string? description, CancellationToken ct)
    {
        if (!caller.CanSee(siteId))
        {
            return Result<long>.Invalid("You can only add freezers at your own site.", "SiteId");
        }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 60)
        {
            return Result<long>.Invalid("Name: required, at most 60 characters.", "Name");
        }
        if (TextRules.RefuseLine(name) is { } why)
        {
            return Result<long>.Invalid($"Name {why}.", "Name");
        }
        if (temperatureC is < -200 or > 10)
        {
            return Result<long>.Invalid("Temperature: −200 to 10 °C.", "TemperatureC");
        }
        return await InsertAsync(caller, "freezer", InsertFreezer, new { SiteId = siteId, Name = name.Trim(), TemperatureC = temperatureC, Description = description }, siteId, ct);
    }

    public async Task<Result<long>> AddRackAsync(Caller caller, long freezerId, string name, CancellationToken ct)
    {
        var freezer = (await FreezersAsync(caller, ct)).FirstOrDefault(f => f.Id == freezerId);
        if (freezer is null)
        {
            return Result<long>.NotFound("No such freezer.", "FreezerId");
        }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 60)
        {
            return Result<long>.Invalid("Name: required, at most 60 characters.", "Name");
        }
        if (TextRules.RefuseLine(name) is { } why)
        {
            return Result<long>.Invalid($"Name {why}.", "Name");
        }
        return await InsertAsync(caller, "rack", InsertRack, new { FreezerId = freezerId, Name = name.Trim() }, freezer.SiteId, ct);
    }

    public async Task<Result<string>> AddBoxAsync(Caller caller, long siteId, long? rackId, string name, int rows, int cols, string? externalBarcode, CancellationToken ct)
    {
        if (!caller.CanSee(siteId))
        {
            return Result<string>.Invalid("You can only add boxes at your own site.", "SiteId");
        }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 60)
        {
            return Result<string>.Invalid("Name: required, at most 60 characters.", "Name");
        }
        if (TextRules.RefuseLine(name) is { } why)
        {
            return Result<string>.Invalid($"Name {why}.", "Name");
        }
        if (rows is < 1 or > 26 || cols is < 1 or > 26)
        {
            return Result<string>.Invalid("A box has 1 to 26 rows and 1 to 26 columns (9 × 9 and 10 × 10 are usual).", "Rows");
        }
        if (rackId is { } r && (await RacksAsync(caller, ct)).All(x => x.Id != r))
        {
            return Result<string>.NotFound("No such rack.", "RackId");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        string code;
        if (!string.IsNullOrWhiteSpace(externalBarcode))
        {
            code = Barcodes.Normalize(externalBarcode);
            if (Barcodes.Check(code) != BarcodeCheck.External)
            {
                return Result<string>.Invalid($"'{code}' is not a pre-printed box code; leave it empty to have one allocated.", "Barcode");
            }
            try
            {
                await BarcodeAllocator.RegisterExternalAsync(c, tx, code, BarcodeKind.Box, siteId, now, ct);
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                return Result<string>.Conflict($"Barcode {code} is already in use.", "Barcode");
            }
        }
        else
        {
            code = (await BarcodeAllocator.AllocateAsync(c, tx, siteId, BarcodeKind.Box, 1, now, ct))[0];
        }
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertBox, new { Barcode = code, SiteId = siteId, RackId = rackId, Name = name.Trim(), Rows = rows, Cols = cols, Now = now }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "box", id.ToString(), New: new { Barcode = code, Name = name, Rows = rows, Cols = cols, RackId = rackId }, SiteId: siteId), ct);
        await tx.CommitAsync(ct);
        return Result<string>.Success(code);
    }

    public async Task<Result<bool>> MoveBoxAsync(Caller caller, string boxBarcode, long? rackId, string? reason, CancellationToken ct)
    {
        var box = await BoxAsync(caller, boxBarcode, ct);
        if (box is null)
        {
            return Result<bool>.NotFound($"Box {boxBarcode} is unknown here.", "Box");
        }
        if (rackId is { } r && (await RacksAsync(caller, ct)).All(x => x.Id != r))
        {
            return Result<bool>.NotFound("No such rack.", "RackId");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(MoveBoxSql, new { box.Id, RackId = rackId }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "box", box.Id.ToString(), Old: new { box.RackId }, New: new { RackId = rackId }, Reason: reason, SiteId: box.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    private async Task<Result<long>> InsertAsync(Caller caller, string table, string sql, object args, long siteId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict("That name is already used here.", "Name");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, table, id.ToString(), New: args, SiteId: siteId), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }
}
