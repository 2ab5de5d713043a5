using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Labels;

public sealed record PrinterRow
{
    public long Id { get; init; }
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public string Name { get; init; } = "";
    public string Host { get; init; } = "";
    public int Port { get; init; }
    public int Dpi { get; init; }
    public string Kind { get; init; } = "";
    public bool Active { get; init; }
    public DateTime CreatedUtc { get; init; }

    public string Address => $"{Host}:{Port}";
}

public sealed record PrinterInput(long SiteId, string Name, string Host, int Port = Printers.DefaultPort, int Dpi = 203);

/// <summary>
/// Setting Biobank:AllowLocalPrinters (false by default): whether a printer may be a loopback or link-local address.
/// Such an address reaches the server itself or its cloud metadata service (169.254.169.254), not a printer on the
/// bench, so an administrator's printer form must not be a way to make the server talk to them.
/// </summary>
public sealed record PrinterOptions(bool AllowLocalHosts)
{
    public const string Setting = "Biobank:AllowLocalPrinters";

    public static PrinterOptions FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var raw = config[Setting];
        return string.IsNullOrWhiteSpace(raw)
            ? new PrinterOptions(false)
            : bool.TryParse(raw, out var allow) ? new PrinterOptions(allow) : throw new Data.ConfigurationException($"Setting {Setting} must be true or false, not '{raw}'.");
    }
}

/// <summary>
/// The label printers of each site: Zebra thermal printers that take ZPL raw on a TCP port. A site's
/// staff print only to their own site's printers; a printer is deactivated, never deleted, so the audit
/// trail's "printed on X" keeps meaning something.
/// </summary>
public sealed class Printers(IDb db, IAudit audit, TimeProvider clock, PrinterOptions options)
{
    public const int DefaultPort = 9100;

    public static readonly IReadOnlyList<int> Resolutions = [203, 300];

    private const string Select = """
        SELECT p.id AS Id, p.site_id AS SiteId, s.code AS SiteCode, p.name AS Name, p.host AS Host, p.port AS Port, p.dpi AS Dpi,
               p.kind AS Kind, p.active AS Active, p.created_utc AS CreatedUtc
        FROM printer p JOIN site s ON s.id = p.site_id
        """;

    private const string List = Select + """
         WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND (@ActiveOnly = 0 OR p.active = @True)
        ORDER BY s.code, p.name
        """;

    private const string ById = Select + " WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.id = @Id";

    private const string Insert = """
        INSERT INTO printer (site_id, name, host, port, dpi, kind, active, created_utc)
        VALUES (@SiteId, @Name, @Host, @Port, @Dpi, 'zpl', @Active, @Now)
        RETURNING id
        """;

    // Conditional on still being active: two admins deactivating at once write one audit row, not two.
    private const string Deactivate = "UPDATE printer SET active = @Inactive WHERE id = @Id AND active = @Active";

    public async Task<IReadOnlyList<PrinterRow>> ListAsync(Caller caller, bool activeOnly, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<PrinterRow>(List, caller, new { ActiveOnly = activeOnly ? 1 : 0, True = true }, ct: ct)).AsList();
    }

    public async Task<PrinterRow?> FindAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<PrinterRow>(ById, caller, new { Id = id }, ct: ct);
    }

    public static Problem? Validate(PrinterInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 60)
        {
            return new Problem("Name: required, at most 60 characters.", "Name");
        }
        if (!IsHost(input.Host))
        {
            return new Problem("Host: the printer's host name or IP address (letters, digits, dots and hyphens, or an IPv4/IPv6 address).", "Host");
        }
        if (input.Port is < 1 or > 65535)
        {
            return new Problem("Port: 1 to 65535 (Zebra printers listen on 9100).", "Port");
        }
        if (!Resolutions.Contains(input.Dpi))
        {
            return new Problem("Resolution: 203 or 300 dpi, as written on the printer's rating plate.", "Dpi");
        }
        return null;
    }

    public async Task<Result<long>> AddAsync(Caller caller, PrinterInput input, CancellationToken ct)
    {
        if (!caller.IsAdmin)
        {
            return Result<long>.Fail(new Problem("Only an administrator configures printers.", Kind: ProblemKind.Forbidden));
        }
        if (!caller.CanSee(input.SiteId))
        {
            return Result<long>.Invalid("You can only add printers at your own site.", "SiteId");
        }
        if (Validate(input) is { } problem)
        {
            return problem;
        }
        if (!options.AllowLocalHosts && IsLocalName(input.Host.Trim()))
        {
            return Result<long>.Invalid(LocalRefused, "Host");
        }
        var row = new { input.SiteId, Name = input.Name.Trim(), Host = input.Host.Trim(), input.Port, input.Dpi, Active = true, Now = clock.GetUtcNow().UtcDateTime };
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, row, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict($"There is already a printer named '{row.Name}' at this site.", "Name");
        }
        catch (DbException e) when (db.Dialect.IsForeignKeyViolation(e))
        {
            return Result<long>.NotFound("No such site.", "SiteId");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "printer", id.ToString(),
            New: new { row.Name, row.Host, row.Port, row.Dpi, Kind = "zpl" }, SiteId: input.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }

    public async Task<Result<bool>> DeactivateAsync(Caller caller, long id, string? reason, CancellationToken ct)
    {
        if (!caller.IsAdmin)
        {
            return Result<bool>.Fail(new Problem("Only an administrator configures printers.", Kind: ProblemKind.Forbidden));
        }
        var printer = await FindAsync(caller, id, ct);
        if (printer is null)
        {
            return Result<bool>.NotFound("No such printer at your site.", "Id");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var changed = await c.ExecuteAsync(new CommandDefinition(Deactivate, new { Id = id, Active = true, Inactive = false }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return Result<bool>.Conflict($"Printer {printer.Name} is already inactive.", "Id");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "printer", id.ToString(),
            Old: new { Active = true }, New: new { Active = false }, Reason: string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), SiteId: printer.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    public const string LocalRefused = "Host: a loopback or link-local address reaches this server itself (or its cloud's metadata service), " +
        "not a printer. Give the printer's own address; an operator can allow local printers with the setting " + PrinterOptions.Setting + ".";

    public bool AllowsLocalHosts => options.AllowLocalHosts;

    /// <summary>A host written as a loopback or link-local address, or as localhost.</summary>
    public static bool IsLocalName(string host) =>
        System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? IsLocalAddress(ip)
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loopback (127/8, ::1), link-local (169.254/16, fe80::/10) or unspecified (0.0.0.0, ::), IPv4-mapped included.</summary>
    public static bool IsLocalAddress(System.Net.IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        if (System.Net.IPAddress.IsLoopback(ip) || ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any) || ip.IsIPv6LinkLocal)
        {
            return true;
        }
        var b = ip.GetAddressBytes();
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && b[0] == 169 && b[1] == 254;
    }

    private static bool IsHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }
        host = host.Trim();
        if (System.Net.IPAddress.TryParse(host, out _))
        {
            return true;
        }
        return host.Length <= 253
            && Uri.CheckHostName(host) == UriHostNameType.Dns
            && host.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-');
    }
}
