using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Audit;

public sealed class AuditTrailTests
{
    [Theory, Providers]
    public async Task The_database_refuses_to_update_or_delete_audit_rows(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        await using var c = await db.Db.OpenAsync(default);
        var before = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log");
        before.ShouldBeGreaterThan(0);
        (await Should.ThrowAsync<Exception>(() => c.ExecuteAsync("UPDATE audit_log SET reason = 'tampered'"))).Message.ShouldContain("append-only");
        (await Should.ThrowAsync<Exception>(() => c.ExecuteAsync("DELETE FROM audit_log"))).Message.ShouldContain("append-only");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log")).ShouldBe(before);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE reason = 'tampered'")).ShouldBe(0);
    }

    [Theory, Providers]
    public async Task A_user_change_records_old_and_new_values_with_the_reason(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 2), default);
        var accounts = db.Get<UserAccounts>();
        var admin = (await accounts.FindByNameAsync("admin", default))!.ToCaller();
        var tech = (await accounts.FindByNameAsync("tech.bru", default))!;
        var result = await accounts.ChangeAsync(admin, new UserChange(tech.Id, tech.DisplayName, tech.SiteId, [Roles.Technician, Roles.SiteStaff], false, "covers shipping on Fridays"), default);
        result.Ok.ShouldBeTrue();
        await using var c = await db.Db.OpenAsync(default);
        var row = await c.QuerySingleAsync<(string UserName, string Action, string Old, string New, string Reason)>(
            "SELECT user_name, action, old_values, new_values, reason FROM audit_log WHERE table_name = 'app_user' AND row_key = @Key AND action = 'update'",
            new { Key = tech.Id.ToString() });
        row.UserName.ShouldBe("admin");
        row.Old.ShouldContain("\"roles\":\"Technician\"");
        row.New.ShouldContain("\"roles\":\"Technician,SiteStaff\"");
        row.Reason.ShouldBe("covers shipping on Fridays");
    }
}
