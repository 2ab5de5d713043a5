using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Sites;

public static class SiteKinds
{
    public const string Collection = "collection";
    public const string Biobank = "biobank";
    public const string AssayLab = "assay_lab";

    public static readonly IReadOnlyList<string> All = [Collection, Biobank, AssayLab];
}

public sealed record SiteRow
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string Country { get; init; } = "";
    public string Kind { get; init; } = "";
    public string BarcodePrefix { get; init; } = "";
    public bool Active { get; init; }
}

public sealed record SiteInput(string Code, string Name, string Country, string Kind, string BarcodePrefix, bool Active = true);

/// <summary>
/// Sites are reference data. A central user sees all of them; a site user sees their own site and the
/// biobank and assay labs they ship to — never another hospital.
/// </summary>
public sealed class SiteDirectory(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Columns = """
        SELECT id AS Id, code AS Code, name AS Name, country AS Country, kind AS Kind, barcode_prefix AS BarcodePrefix, active AS Active
        FROM site
        """;

    private const string Visible = Columns + """
         WHERE (@AllSites OR id = @ScopeSiteId OR kind <> 'collection')
        ORDER BY code
        """;

    private const string Insert = """
        INSERT INTO site (code, name, country, kind, barcode_prefix, active, created_utc)
        VALUES (@Code, @Name, @Country, @Kind, @BarcodePrefix, @Active, @Now)
        RETURNING id
        """;

    private const string Update = """
        UPDATE site SET name = @Name, country = @Country, kind = @Kind, active = @Active WHERE id = @Id
        """;

    public async Task<IReadOnlyList<SiteRow>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<SiteRow>(Visible, caller, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<SiteRow>> ListAllAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<SiteRow>(Columns + " ORDER BY code")).AsList();
    }

    public async Task<SiteRow?> FindAsync(Caller caller, long id, CancellationToken ct) =>
        (await ListAsync(caller, ct)).FirstOrDefault(s => s.Id == id);

    public static string? Validate(SiteInput s)
    {
        if (string.IsNullOrWhiteSpace(s.Code) || s.Code.Length > 10 || !s.Code.All(char.IsAsciiLetterOrDigit))
        {
            return "Code: 1 to 10 letters or digits.";
        }
        if (string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > 120)
        {
            return "Name: required, at most 120 characters.";
        }
        if (s.Country is null || s.Country.Length != 2 || !s.Country.All(char.IsAsciiLetterUpper))
        {
            return "Country: the two-letter ISO code in capitals, such as BE or SE.";
        }
        if (!SiteKinds.All.Contains(s.Kind))
        {
            return $"Kind: one of {string.Join(", ", SiteKinds.All)}.";
        }
        if (string.IsNullOrWhiteSpace(s.BarcodePrefix) || s.BarcodePrefix.Length is < 2 or > 3 || !s.BarcodePrefix.All(char.IsAsciiLetterUpper))
        {
            return "Barcode prefix: 2 or 3 capital letters, unique to the site.";
        }
        return null;
    }

    public async Task<Result<long>> CreateAsync(Caller caller, SiteInput s, CancellationToken ct)
    {
        if (!caller.IsAdmin || !caller.AllSites)
        {
            return Result<long>.Fail(new Problem("Only a central administrator can add sites.", null, ProblemKind.Forbidden));
        }
        if (Validate(s) is { } error)
        {
            return Result<long>.Invalid(error, error[..error.IndexOf(':', StringComparison.Ordinal)]);
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await InsertAsync(c, tx, s, clock.GetUtcNow().UtcDateTime, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict("Another site already has that code or barcode prefix.", "Code");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "site", id.ToString(), New: s, SiteId: id), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }

    internal static Task<long> InsertAsync(DbConnection c, DbTransaction tx, SiteInput s, DateTime now, CancellationToken ct) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new
        {
            Code = s.Code.Trim().ToUpperInvariant(),
            Name = s.Name.Trim(),
            s.Country,
            s.Kind,
            s.BarcodePrefix,
            s.Active,
            Now = now,
        }, tx, cancellationToken: ct));

    public async Task<Result<bool>> UpdateAsync(Caller caller, long id, SiteInput s, string? reason, CancellationToken ct)
    {
        if (!caller.IsAdmin || !caller.AllSites)
        {
            return Result<bool>.Fail(new Problem("Only a central administrator can change sites.", null, ProblemKind.Forbidden));
        }
        var before = await FindAsync(caller, id, ct);
        if (before is null)
        {
            return Result<bool>.NotFound("No such site.");
        }
        if (Validate(s with { Code = before.Code, BarcodePrefix = before.BarcodePrefix }) is { } error)
        {
            return Result<bool>.Invalid(error, error[..error.IndexOf(':', StringComparison.Ordinal)]);
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(Update, new { Id = id, Name = s.Name.Trim(), s.Country, s.Kind, s.Active }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "site", id.ToString(),
            Old: new { before.Name, before.Country, before.Kind, before.Active }, New: new { s.Name, s.Country, s.Kind, s.Active },
            Reason: reason, SiteId: id), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }
}
