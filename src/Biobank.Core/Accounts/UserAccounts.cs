using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;
using Microsoft.AspNetCore.Identity;

namespace Biobank.Core.Accounts;

public sealed record UserRow
{
    public long Id { get; init; }
    public string UserName { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public long? SiteId { get; init; }
    public string? SiteCode { get; init; }
    public string Roles { get; init; } = "";
    public bool Disabled { get; init; }
    public int FailedCount { get; init; }
    public DateTime? LockoutUntilUtc { get; init; }
    public string SecurityStamp { get; init; } = "";
    public DateTime CreatedUtc { get; init; }
    public DateTime? LastSignInUtc { get; init; }

    public IReadOnlyList<string> RoleList => Common.Roles.Parse(Roles);

    public Caller ToCaller() => new(Id, UserName, SiteId, SiteCode, RoleList);
}

public sealed record NewUser(string UserName, string DisplayName, string Password, long? SiteId, IReadOnlyList<string> Roles);

public sealed record UserChange(long Id, string DisplayName, long? SiteId, IReadOnlyList<string> Roles, bool Disabled, string? Reason);

public enum SignInOutcome
{
    Success,
    Failed,
    LockedOut,
    Disabled,
}

public sealed record SignInResult(SignInOutcome Outcome, UserRow? User, string Message);

/// <summary>Local accounts: create, change, reset password, sign in with lockout. Every change is audited.</summary>
public sealed class UserAccounts(IDb db, IAudit audit, TimeProvider clock)
{
    private static readonly PasswordHasher<string> Hasher = new();

    internal const string SelectUser = """
        SELECT u.id AS Id, u.user_name AS UserName, u.display_name AS DisplayName, u.site_id AS SiteId, s.code AS SiteCode,
               u.roles AS Roles, u.disabled AS Disabled, u.failed_count AS FailedCount, u.lockout_until_utc AS LockoutUntilUtc,
               u.security_stamp AS SecurityStamp, u.created_utc AS CreatedUtc, u.last_sign_in_utc AS LastSignInUtc
        FROM app_user u LEFT JOIN site s ON s.id = u.site_id
        """;

    private const string ByName = SelectUser + " WHERE lower(u.user_name) = lower(@UserName)";
    private const string ById = SelectUser + " WHERE u.id = @Id";
    private const string HashById = "SELECT password_hash FROM app_user WHERE id = @Id";
    private const string LockoutById = "SELECT failed_count AS FailedCount, lockout_until_utc AS LockoutUntilUtc FROM app_user WHERE id = @Id";
    private const string List = SelectUser + " WHERE (@AllSites OR u.site_id = @ScopeSiteId) ORDER BY lower(u.user_name)";

    private const string Insert = """
        INSERT INTO app_user (user_name, display_name, password_hash, site_id, roles, disabled, failed_count, security_stamp, created_utc)
        VALUES (@UserName, @DisplayName, @Hash, @SiteId, @Roles, FALSE, 0, @Stamp, @Now)
        RETURNING id
        """;

    private const string Update = """
        UPDATE app_user SET display_name = @DisplayName, site_id = @SiteId, roles = @Roles, disabled = @Disabled,
               security_stamp = @Stamp
        WHERE id = @Id
        """;

    private const string SetPassword = """
        UPDATE app_user SET password_hash = @Hash, security_stamp = @Stamp, failed_count = 0, lockout_until_utc = NULL WHERE id = @Id
        """;

    private const string RevokeTokens = "UPDATE api_token SET revoked_utc = @Now WHERE user_id = @Id AND revoked_utc IS NULL";

    private const string RecordFailure = """
        UPDATE app_user SET failed_count = failed_count + 1,
               lockout_until_utc = CASE WHEN failed_count + 1 >= @Max THEN @LockUntil ELSE lockout_until_utc END
        WHERE id = @Id
        """;

    private const string RecordSuccess = """
        UPDATE app_user SET failed_count = 0, lockout_until_utc = NULL, last_sign_in_utc = @Now WHERE id = @Id
        """;

    public async Task<UserRow?> FindAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(ById, new { Id = id }, cancellationToken: ct));
    }

    public async Task<UserRow?> FindByNameAsync(string userName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(ByName, new { UserName = userName }, cancellationToken: ct));
    }

    /// <summary>Users the caller may administer: a site admin sees the users of their site only.</summary>
    public async Task<IReadOnlyList<UserRow>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<UserRow>(List, caller, ct: ct)).AsList();
    }

    public async Task<UserRow?> FindVisibleAsync(Caller caller, long id, CancellationToken ct)
    {
        var user = await FindAsync(id, ct);
        return user is not null && caller.CanSee(user.SiteId) ? user : null;
    }

    public async Task<Result<long>> CreateAsync(Caller caller, NewUser input, CancellationToken ct)
    {
        var name = (input.UserName ?? "").Trim();
        if (name.Length is < 2 or > 64 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_'))
        {
            return Result<long>.Invalid("A user name has 2 to 64 letters, digits, dots, hyphens or underscores.", nameof(NewUser.UserName));
        }
        if (string.IsNullOrWhiteSpace(input.DisplayName) || input.DisplayName.Length > 100)
        {
            return Result<long>.Invalid("A display name of at most 100 characters is required.", nameof(NewUser.DisplayName));
        }
        if (PasswordPolicy.Check(input.Password) is { } bad)
        {
            return Result<long>.Invalid(bad, nameof(NewUser.Password));
        }
        if (!caller.AllSites && input.SiteId != caller.SiteId)
        {
            return Result<long>.Invalid("You can only create users of your own site.", nameof(NewUser.SiteId));
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new
            {
                UserName = name,
                DisplayName = input.DisplayName.Trim(),
                Hash = Hasher.HashPassword(name, input.Password),
                input.SiteId,
                Roles = string.Join(',', input.Roles),
                Stamp = Guid.NewGuid().ToString("N"),
                Now = clock.GetUtcNow().UtcDateTime,
            }, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict($"A user named '{name}' already exists.", nameof(NewUser.UserName));
        }
        catch (DbException e) when (db.Dialect.IsForeignKeyViolation(e))
        {
            return Result<long>.Invalid("That site does not exist.", nameof(NewUser.SiteId));
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "app_user", id.ToString(),
            New: new { UserName = name, input.DisplayName, input.SiteId, Roles = string.Join(',', input.Roles) }, SiteId: input.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }

    public async Task<Result<bool>> ChangeAsync(Caller caller, UserChange change, CancellationToken ct)
    {
        var before = await FindVisibleAsync(caller, change.Id, ct);
        if (before is null)
        {
            return Result<bool>.NotFound("No such user.");
        }
        if (string.IsNullOrWhiteSpace(change.DisplayName) || change.DisplayName.Length > 100)
        {
            return Result<bool>.Invalid("A display name of at most 100 characters is required.", nameof(UserChange.DisplayName));
        }
        if (!caller.AllSites && change.SiteId != caller.SiteId)
        {
            return Result<bool>.Invalid("You can only assign users to your own site.", nameof(UserChange.SiteId));
        }
        if (change.Id == caller.UserId && (change.Disabled || !change.Roles.Contains(Roles.Admin)))
        {
            return Result<bool>.Invalid("You cannot disable yourself or remove your own Admin role.", nameof(UserChange.Roles));
        }
        var roles = string.Join(',', change.Roles);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        try
        {
            // A new security stamp signs the user out everywhere when roles, site or status change.
            var stampChanges = before.Roles != roles || before.SiteId != change.SiteId || before.Disabled != change.Disabled;
            await c.ExecuteAsync(new CommandDefinition(Update, new
            {
                change.Id,
                DisplayName = change.DisplayName.Trim(),
                change.SiteId,
                Roles = roles,
                change.Disabled,
                Stamp = stampChanges ? Guid.NewGuid().ToString("N") : before.SecurityStamp,
            }, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsForeignKeyViolation(e))
        {
            return Result<bool>.Invalid("That site does not exist.", nameof(UserChange.SiteId));
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "app_user", change.Id.ToString(),
            Old: new { before.DisplayName, before.SiteId, before.Roles, before.Disabled },
            New: new { DisplayName = change.DisplayName.Trim(), change.SiteId, Roles = roles, change.Disabled },
            Reason: change.Reason, SiteId: change.SiteId ?? before.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    public async Task<Result<bool>> ResetPasswordAsync(Caller caller, long userId, string newPassword, CancellationToken ct)
    {
        var user = await FindVisibleAsync(caller, userId, ct);
        if (user is null)
        {
            return Result<bool>.NotFound("No such user.");
        }
        if (PasswordPolicy.Check(newPassword) is { } bad)
        {
            return Result<bool>.Invalid(bad, "Password");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(SetPassword, new
        {
            Id = userId,
            Hash = Hasher.HashPassword(user.UserName, newPassword),
            Stamp = Guid.NewGuid().ToString("N"),
        }, tx, cancellationToken: ct));
        // A reset answers a leaked or forgotten password: the user's API tokens may have leaked with it, so they stop too.
        var revoked = await c.ExecuteAsync(new CommandDefinition(RevokeTokens, new { Id = userId, Now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "app_user", userId.ToString(),
            Old: new { Password = "(hidden)" }, New: new { Password = "(reset)", TokensRevoked = revoked }, Reason: "password reset", SiteId: user.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    public async Task<SignInResult> SignInAsync(string userName, string password, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var user = await FindByNameAsync(userName ?? "", ct);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var shownName = (userName ?? "").Length > 64 ? userName![..64] : userName ?? "";
        if (user is null)
        {
            // Still hash something so the answer takes the same time whether or not the name exists.
            Hasher.VerifyHashedPassword("", DummyHash.Value, password ?? "");
            await Fail(c, tx, shownName, null, "unknown user", ct);
            await tx.CommitAsync(ct);
            return new SignInResult(SignInOutcome.Failed, null, "The user name or password is wrong.");
        }
        // The failure count and lockout are read again inside the transaction, holding the user's row until commit:
        // read before it (as they were), parallel wrong passwords on PostgreSQL all saw "not locked" and were all tried.
        var counts = await c.QuerySingleAsync<LockoutRow>(new CommandDefinition(
            LockoutById + db.Dialect.LockRows, new { user.Id }, tx, cancellationToken: ct));
        user = user with { FailedCount = counts.FailedCount, LockoutUntilUtc = counts.LockoutUntilUtc };
        if (user.LockoutUntilUtc is { } until && until > now)
        {
            await Fail(c, tx, user.UserName, user.SiteId, "locked out", ct);
            await tx.CommitAsync(ct);
            var minutes = Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes));
            return new SignInResult(SignInOutcome.LockedOut, user,
                $"This account is locked after {PasswordPolicy.MaxFailedAttempts} failed sign-ins. Try again in {minutes} minute(s) or ask an administrator.");
        }
        var hash = await c.ExecuteScalarAsync<string>(new CommandDefinition(HashById, new { user.Id }, tx, cancellationToken: ct));
        var verified = Hasher.VerifyHashedPassword(user.UserName, hash!, password ?? "") != PasswordVerificationResult.Failed;
        if (!verified)
        {
            await c.ExecuteAsync(new CommandDefinition(RecordFailure, new
            {
                user.Id,
                Max = PasswordPolicy.MaxFailedAttempts,
                LockUntil = now + PasswordPolicy.LockoutDuration,
            }, tx, cancellationToken: ct));
            await Fail(c, tx, user.UserName, user.SiteId, "wrong password", ct);
            await tx.CommitAsync(ct);
            var left = PasswordPolicy.MaxFailedAttempts - (user.FailedCount + 1);
            return left <= 0
                ? new SignInResult(SignInOutcome.LockedOut, user,
                    $"This account is now locked for {PasswordPolicy.LockoutDuration.TotalMinutes} minutes after {PasswordPolicy.MaxFailedAttempts} failed sign-ins.")
                : new SignInResult(SignInOutcome.Failed, user, "The user name or password is wrong.");
        }
        if (user.Disabled)
        {
            await Fail(c, tx, user.UserName, user.SiteId, "disabled", ct);
            await tx.CommitAsync(ct);
            return new SignInResult(SignInOutcome.Disabled, user, "This account is disabled. Ask an administrator.");
        }
        await c.ExecuteAsync(new CommandDefinition(RecordSuccess, new { user.Id, Now = now }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, user.UserName, new AuditEntry(AuditActions.SignIn, "app_user", user.Id.ToString(), SiteId: user.SiteId), ct);
        await tx.CommitAsync(ct);
        return new SignInResult(SignInOutcome.Success, user, "Signed in.");
    }

    private Task Fail(DbConnection c, DbTransaction tx, string userName, long? siteId, string why, CancellationToken ct) =>
        audit.WriteAsync(c, tx, userName, new AuditEntry(AuditActions.SignInFailed, "app_user", userName, Reason: why, SiteId: siteId), ct);

    private sealed record LockoutRow
    {
        public int FailedCount { get; init; }
        public DateTime? LockoutUntilUtc { get; init; }
    }

    private static class DummyHash
    {
        public static readonly string Value = Hasher.HashPassword("", Guid.NewGuid().ToString());
    }
}
