using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;

namespace Biobank.Web.Infrastructure;

/// <summary>Administrators: who is locked out or disabled, and the latest audited changes.</summary>
public sealed class AdminHomePanel(UserAccounts users, AuditQueries audit, TimeProvider clock) : IHomePanel
{
    public int Order => 900;

    public IReadOnlyList<string> Roles { get; } = [Biobank.Core.Common.Roles.Admin];

    public async Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lines = new List<HomeLine>();
        foreach (var u in (await users.ListAsync(caller, ct)).Where(u => u.LockoutUntilUtc > now))
        {
            lines.Add(new HomeLine($"{u.UserName} is locked out", $"/Admin/Users/Edit/{u.Id}", "locked", "warning"));
        }
        foreach (var a in await audit.SearchAsync(caller, new AuditFilter(Action: AuditActions.SignInFailed, FromUtc: now.AddDays(-1), Limit: 5), ct))
        {
            lines.Add(new HomeLine($"Failed sign-in: {a.UserName} ({a.Reason})", $"/Admin/Audit?username={Uri.EscapeDataString(a.UserName)}", a.OccurredUtc.ToString("HH:mm"), "light"));
        }
        return new HomePanelView("Administration", lines, "/Admin/Audit", "No lockouts or failed sign-ins in the last day.");
    }
}
