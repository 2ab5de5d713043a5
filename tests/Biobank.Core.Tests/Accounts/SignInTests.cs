using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Accounts;

public sealed class SignInTests
{
    private const string Password = DemoSeeder.DefaultPassword;

    [Theory, Providers]
    public async Task Locks_out_after_five_failures_for_fifteen_minutes(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        for (var i = 0; i < 4; i++)
        {
            (await accounts.SignInAsync("tech.bru", "wrong-password-123", default)).Outcome.ShouldBe(SignInOutcome.Failed);
        }
        (await accounts.SignInAsync("tech.bru", "wrong-password-123", default)).Outcome.ShouldBe(SignInOutcome.LockedOut);
        var locked = await accounts.SignInAsync("tech.bru", Password, default);
        locked.Outcome.ShouldBe(SignInOutcome.LockedOut, "even the right password is refused while locked");
        locked.Message.ShouldContain("locked");
        db.Clock.Advance(TimeSpan.FromMinutes(14));
        (await accounts.SignInAsync("tech.bru", Password, default)).Outcome.ShouldBe(SignInOutcome.LockedOut);
        db.Clock.Advance(TimeSpan.FromMinutes(2));
        (await accounts.SignInAsync("tech.bru", Password, default)).Outcome.ShouldBe(SignInOutcome.Success);
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'sign-in-failed' AND user_name = 'tech.bru'")).ShouldBe(7);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'sign-in' AND user_name = 'tech.bru'")).ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Parallel_wrong_passwords_are_tried_no_more_often_than_the_lockout_allows(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        // Twenty wrong guesses at once: the five that are checked lock the account, the other fifteen are not checked.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => accounts.SignInAsync("tech.bru", $"wrong-password-{i:00}", default))));
        results.Count(r => r.Outcome == SignInOutcome.Failed).ShouldBe(PasswordPolicy.MaxFailedAttempts - 1);
        results.Count(r => r.Outcome == SignInOutcome.LockedOut).ShouldBe(20 - (PasswordPolicy.MaxFailedAttempts - 1));
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT failed_count FROM app_user WHERE user_name = 'tech.bru'")).ShouldBe(PasswordPolicy.MaxFailedAttempts);
        (await accounts.SignInAsync("tech.bru", Password, default)).Outcome.ShouldBe(SignInOutcome.LockedOut);
    }

    [Theory, Providers]
    public async Task A_disabled_user_cannot_sign_in_and_their_tokens_stop_working(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        var tokens = db.Get<ApiTokens>();
        var admin = (await accounts.FindByNameAsync("admin", default))!.ToCaller();
        var tech = (await accounts.FindByNameAsync("tech.bru", default))!;
        var token = (await tokens.CreateAsync(admin, tech.Id, "scanner", default)).Value!.Token;
        (await tokens.AuthenticateAsync(token, default))!.UserName.ShouldBe("tech.bru");

        (await accounts.ChangeAsync(admin, new UserChange(tech.Id, tech.DisplayName, tech.SiteId, [Roles.Technician], Disabled: true, "left the project"), default)).Ok.ShouldBeTrue();

        (await accounts.SignInAsync("tech.bru", Password, default)).Outcome.ShouldBe(SignInOutcome.Disabled);
        (await tokens.AuthenticateAsync(token, default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task A_revoked_token_is_refused_and_tokens_are_stored_hashed(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        var tokens = db.Get<ApiTokens>();
        var admin = (await accounts.FindByNameAsync("admin", default))!.ToCaller();
        var issued = (await tokens.CreateAsync(admin, admin.UserId, "integration", default)).Value!;
        issued.Token.Length.ShouldBeGreaterThanOrEqualTo(4 + 43, "256 random bits in base64url");
        await using (var c = await db.Db.OpenAsync(default))
        {
            (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_token WHERE token_hash = @T", new { T = issued.Token })).ShouldBe(0);
        }
        (await tokens.AuthenticateAsync(issued.Token, default)).ShouldNotBeNull();
        (await tokens.RevokeAsync(admin, issued.Id, default)).Ok.ShouldBeTrue();
        (await tokens.AuthenticateAsync(issued.Token, default)).ShouldBeNull();
        (await tokens.AuthenticateAsync(issued.Token[..^1] + "x", default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task Passwords_shorter_than_twelve_characters_are_refused(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        var admin = (await accounts.FindByNameAsync("admin", default))!.ToCaller();
        var result = await accounts.CreateAsync(admin, new NewUser("new.tech", "New tech", "short-pass1", null, [Roles.Technician]), default);
        result.Ok.ShouldBeFalse();
        result.Problem!.Field.ShouldBe("Password");
        result.Problem.Message.ShouldContain("12");
    }
}
