using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Operations;

namespace Biobank.Web.Infrastructure;

/// <summary>Administrators: the last nightly jobs (integrity check, backup, overdue scan), who is locked out, and failed sign-ins.</summary>
public sealed class AdminHomePanel(UserAccounts users, AuditQueries audit, MaintenanceRuns maintenance, TimeProvider clock) : IHomePanel
{
    public int Order => 900;

    public IReadOnlyList<string> Roles { get; } = [Biobank.Core.Common.Roles.Admin];

    public async Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lines = new List<HomeLine>();
        foreach (var run in await maintenance.LatestAsync(ct))
        {
            // The summaries name tubes and shipments of every site: a site administrator reads the outcome only.
            var summary = caller.AllSites ? run.Summary : run.Ok ? "done" : "failed; a central administrator has the details";
            lines.Add(new HomeLine($"Nightly {run.Job}: {summary}", "/Admin/Jobs/recurring", run.FinishedUtc.ToString("yyyy-MM-dd HH:mm"), run.Ok ? "success" : "danger"));
        }
        foreach (var u in (await users.ListAsync(caller, ct)).Where(u => u.LockoutUntilUtc > now))
        {
            lines.Add(new HomeLine($"{u.UserName} is locked out", $"/Admin/Users/Edit/{u.Id}", "locked", "warning"));
        }
        foreach (var a in await audit.SearchAsync(caller, new AuditFilter(Action: AuditActions.SignInFailed, FromUtc: now.AddDays(-1), Limit: 5), ct))
        {
            lines.Add(new HomeLine($"Failed sign-in: {a.UserName} ({a.Reason})", $"/Admin/Audit?username={Uri.EscapeDataString(a.UserName)}", a.OccurredUtc.ToString("HH:mm"), "light"));
        }
        return new HomePanelView("Administration", lines, "/Admin/Audit", "No nightly job has run yet; no lockouts or failed sign-ins in the last day.");
    }
}
