using System.Data.Common;
using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Sites;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;

namespace Biobank.Core.Demo;

/// <param name="Mirnas">How many miRNAs the demo's qPCR runs measure; null: all 750, or 150 above 500 patients.</param>
public sealed record DemoOptions(int Patients = 40, string Password = DemoSeeder.DefaultPassword, int Seed = 20261122, int? Mirnas = null);

public sealed record DemoLogin(string UserName, string Role, string Site);

public sealed record DemoReport(bool Seeded, IReadOnlyList<DemoLogin> Logins, string Password, IReadOnlyDictionary<string, long> Counts);

/// <summary>A later feature adds its demo rows by implementing this; parts run in <see cref="Order"/>.</summary>
public interface IDemoSeedPart
{
    int Order { get; }

    Task SeedAsync(DemoContext context, CancellationToken ct);
}

/// <summary>
/// Runs after the seed transaction committed, through the real use cases (which open their own connections):
/// demo data that is best made the way users make it, such as shipments walked through their states.
/// </summary>
public interface IDemoFollowUp
{
    int Order { get; }

    Task RunAsync(DemoContextSummary seeded, CancellationToken ct);
}

public sealed record DemoContextSummary(IReadOnlyDictionary<string, long> SiteIds, IReadOnlyDictionary<string, long> UserIds, DemoOptions Options);

/// <summary>What the parts share: the connection and transaction, a fixed-seed random, the sites and users.</summary>
public sealed class DemoContext(DbConnection connection, DbTransaction transaction, DemoOptions options, DateTime now, ISqlDialect dialect)
{
    public DbConnection Connection => connection;
    public DbTransaction Transaction => transaction;
    public DemoOptions Options => options;
    public DateTime Now => now;
    public ISqlDialect Dialect => dialect;
    public Random Random { get; } = new(options.Seed);
    public Dictionary<string, long> SiteIds { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, long> UserIds { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Deterministic demo data: the consortium's sites, one user per role and site, and whatever the
/// feature parts add. Runs only on an empty database.
/// </summary>
public sealed class DemoSeeder(IDb db, IAudit audit, IEnumerable<IDemoSeedPart> parts, IEnumerable<IDemoFollowUp> followUps, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    public const string DefaultPassword = "biobank-demo-2026";

    public static readonly IReadOnlyList<SiteInput> Sites =
    [
        new("BRU", "Brussels Children's Radiotherapy Centre", "BE", SiteKinds.Collection, "BRU"),
        new("AAR", "Aarhus Paediatric Proton Centre", "DK", SiteKinds.Collection, "AAR"),
        new("LYO", "Lyon Paediatric Oncology Unit", "FR", SiteKinds.Collection, "LYO"),
        new("ESS", "Essen Proton Therapy Centre", "DE", SiteKinds.Collection, "ESS"),
        new("STO", "Stockholm Central Biobank", "SE", SiteKinds.Biobank, "STO"),
        new("UPP", "Uppsala Biomarker Assay Lab", "SE", SiteKinds.AssayLab, "UPP"),
    ];

    private const string CountSites = "SELECT COUNT(*) FROM site";

    private const string InsertUser = """
        INSERT INTO app_user (user_name, display_name, password_hash, site_id, roles, disabled, failed_count, security_stamp, created_utc)
        VALUES (@UserName, @DisplayName, @Hash, @SiteId, @Roles, FALSE, 0, @Stamp, @Now)
        RETURNING id
        """;

    public static IReadOnlyList<DemoLogin> Logins()
    {
        var logins = new List<DemoLogin>
        {
            new("admin", Roles.Admin, "central"),
            new("biologist", Roles.Biologist, "central"),
        };
        foreach (var site in Sites)
        {
            var code = site.Code.ToLowerInvariant();
            logins.Add(new($"tech.{code}", Roles.Technician, site.Code));
            logins.Add(new($"staff.{code}", Roles.SiteStaff, site.Code));
            logins.Add(new($"bio.{code}", Roles.Biologist, site.Code));
            logins.Add(new($"admin.{code}", Roles.Admin, site.Code));
        }
        return logins;
    }

    public async Task<DemoReport> SeedAsync(DemoOptions options, CancellationToken ct)
    {
        if (PasswordPolicy.Check(options.Password) is { } bad)
        {
            throw new ArgumentException(bad, nameof(options));
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(CountSites, transaction: tx, cancellationToken: ct)) > 0)
        {
            await tx.RollbackAsync(ct);
            return new DemoReport(false, Logins(), options.Password, new Dictionary<string, long>());
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var context = new DemoContext(c, tx, options, now, db.Dialect);
        foreach (var site in Sites)
        {
            context.SiteIds[site.Code] = await SiteDirectory.InsertAsync(c, tx, site, now, ct);
        }
        var hasher = new PasswordHasher<string>();
        // One hash per distinct password: PBKDF2 is slow by design and the demo users share one.
        var hash = hasher.HashPassword("", options.Password);
        foreach (var login in Logins())
        {
            long? siteId = login.Site == "central" ? null : context.SiteIds[login.Site];
            context.UserIds[login.UserName] = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertUser, new
            {
                login.UserName,
                DisplayName = DisplayName(login),
                Hash = hash,
                SiteId = siteId,
                Roles = login.Role,
                Stamp = Guid.NewGuid().ToString("N"),
                Now = now,
            }, tx, cancellationToken: ct));
        }
        context.Counts["site"] = Sites.Count;
        context.Counts["app_user"] = context.UserIds.Count;
        foreach (var part in parts.OrderBy(p => p.Order))
        {
            await part.SeedAsync(context, ct);
        }
        foreach (var (table, count) in context.Counts)
        {
            await audit.WriteAsync(c, tx, "seed-demo", new AuditEntry(AuditActions.Insert, table, "*",
                New: new { Rows = count, options.Seed, options.Patients }, Reason: "demo data"), ct);
        }
        await tx.CommitAsync(ct);
        await c.CloseAsync();
        var summary = new DemoContextSummary(context.SiteIds, context.UserIds, options);
        foreach (var followUp in followUps.OrderBy(f => f.Order))
        {
            await followUp.RunAsync(summary, ct);
        }
        logger.LogInformation("Demo data seeded: {Counts}", string.Join(", ", context.Counts.Select(kv => $"{kv.Key}={kv.Value}")));
        return new DemoReport(true, Logins(), options.Password, context.Counts);
    }

    private static string DisplayName(DemoLogin l) => l.Role switch
    {
        Roles.Technician => $"Lab technician ({l.Site})",
        Roles.SiteStaff => $"Site staff ({l.Site})",
        Roles.Biologist => l.Site == "central" ? "Consortium biologist" : $"Biologist ({l.Site})",
        _ => l.Site == "central" ? "Central administrator" : $"Administrator ({l.Site})",
    };
}
