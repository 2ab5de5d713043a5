using Biobank.Core.Audit;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Audit;

public sealed class IndexModel(AuditQueries audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Table { get; set; }
    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty(SupportsGet = true)] public string? UserName { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<AuditRow> Rows { get; private set; } = [];

    public bool IsHistory => !string.IsNullOrEmpty(Table) && !string.IsNullOrEmpty(Key);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Rows = await audit.SearchAsync(HttpContext.Caller(), new AuditFilter(Table, Key, UserName, Action,
            From?.ToUniversalTime(), To?.ToUniversalTime().AddDays(1), Before, 100), ct);
    }
}
