using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Accounts;

public sealed record TokenRow
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public string UserName { get; init; } = "";
    public string Name { get; init; } = "";
    public string Prefix { get; init; } = "";
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime? RevokedUtc { get; init; }
    public DateTime? LastUsedUtc { get; init; }
    public DateTime? ExpiresUtc { get; init; }
}

public sealed record IssuedToken(long Id, string Token);

/// <summary>How long a new API token works (setting Biobank:ApiTokenDays, 90 by default).</summary>
public sealed record ApiTokenOptions(TimeSpan Lifetime)
{
    public const int DefaultDays = 90;

    public static ApiTokenOptions FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var raw = config["Biobank:ApiTokenDays"];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new ApiTokenOptions(TimeSpan.FromDays(DefaultDays));
        }
        return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 3650
            ? new ApiTokenOptions(TimeSpan.FromDays(days))
            : throw new Data.ConfigurationException($"Setting Biobank:ApiTokenDays must be a whole number of days from 1 to 3650, not '{raw}'.");
    }
}

/// <summary>
/// Bearer tokens for scanners and integrations: 256 random bits shown once, stored as SHA-256
/// (a token is not a password; its entropy makes a slow hash pointless). A token acts as its user.
/// </summary>
public sealed class ApiTokens(IDb db, IAudit audit, TimeProvider clock, ApiTokenOptions options)
{
    public const string Prefix = "bbk_";

    private const string Insert = """
        INSERT INTO api_token (user_id, name, token_hash, prefix, created_utc, created_by, expires_utc)
        VALUES (@UserId, @Name, @Hash, @Prefix, @Now, @CreatedBy, @Expires)
        RETURNING id
        """;

    private const string Select = """
        SELECT t.id AS Id, t.user_id AS UserId, u.user_name AS UserName, t.name AS Name, t.prefix AS Prefix,
               t.created_utc AS CreatedUtc, t.created_by AS CreatedBy, t.revoked_utc AS RevokedUtc, t.last_used_utc AS LastUsedUtc,
               t.expires_utc AS ExpiresUtc
        FROM api_token t JOIN app_user u ON u.id = t.user_id
        WHERE (@AllSites OR u.site_id = @ScopeSiteId)
        ORDER BY t.id DESC
        """;

    private const string Revoke = "UPDATE api_token SET revoked_utc = @Now WHERE id = @Id AND revoked_utc IS NULL";

    private const string Lookup = UserAccounts.SelectUser + """
         JOIN api_token t ON t.user_id = u.id
        WHERE t.token_hash = @Hash AND t.revoked_utc IS NULL AND u.disabled = FALSE AND t.expires_utc > @Now
        """;

    private const string Touch = "UPDATE api_token SET last_used_utc = @Now WHERE token_hash = @Hash";

    public async Task<Result<IssuedToken>> CreateAsync(Caller caller, long userId, string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var user = await c.QuerySingleOrDefaultAsync<UserRow>(UserAccounts.SelectUser + " WHERE u.id = @Id", new { Id = userId });
        if (user is null || !caller.CanSee(user.SiteId))
        {
            return Result<IssuedToken>.NotFound("No such user.", "UserId");
        }
        if (user.Disabled)
        {
            return Result<IssuedToken>.Invalid($"User '{user.UserName}' is disabled; a token for them would not work.", "UserId");
        }
        name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim();
        if (name.Length > 100)
        {
            return Result<IssuedToken>.Invalid("A token name has at most 100 characters.", "Name");
        }
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(c, ct);
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new
        {
            UserId = userId,
            Name = name,
            Hash = Hash(token),
            Prefix = token[..10],
            Now = now,
            CreatedBy = caller.UserName,
            Expires = now + options.Lifetime,
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "api_token", id.ToString(),
            New: new { UserId = userId, user.UserName, Name = name, Prefix = token[..10], ExpiresUtc = now + options.Lifetime }, SiteId: user.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<IssuedToken>.Success(new IssuedToken(id, token));
    }

    public async Task<IReadOnlyList<TokenRow>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TokenRow>(Select, caller, ct: ct)).AsList();
    }

    public async Task<Result<bool>> RevokeAsync(Caller caller, long tokenId, CancellationToken ct)
    {
        var visible = (await ListAsync(caller, ct)).FirstOrDefault(t => t.Id == tokenId);
        if (visible is null)
        {
            return Result<bool>.NotFound("No such token.");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var changed = await c.ExecuteAsync(new CommandDefinition(Revoke, new { Id = tokenId, Now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return Result<bool>.Conflict("That token is already revoked.");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "api_token", tokenId.ToString(),
            Old: new { Revoked = false }, New: new { Revoked = true }, Reason: "revoked"), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    /// <summary>The user a token acts as, or null when the token is unknown, revoked, expired or its user disabled.</summary>
    public async Task<UserRow?> AuthenticateAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }
        var hash = Hash(token);
        await using var c = await db.OpenAsync(ct);
        var user = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(Lookup, new { Hash = hash, Now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct));
        return user;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
