using Biobank.Core.Registry;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry.Versions;

public sealed class DiffModel(DoseQueries doses) : PageModel
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true)] public long? From { get; set; }
    [BindProperty(SupportsGet = true)] public long? To { get; set; }
    [BindProperty(SupportsGet = true)] public int Offset { get; set; }

    public IReadOnlyList<DoseVersion> All { get; private set; } = [];

    /// <summary>Null when fewer than two versions exist.</summary>
    public DoseDiff? Diff { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        All = await doses.ListVersionsAsync(ct);
        if (All.Count == 0 || (All.Count < 2 && From is null && To is null))
        {
            return Page();
        }
        // Without a choice: what the latest version changed from the one before it.
        var to = To ?? All[0].Id;
        var from = From ?? All.SkipWhile(v => v.Id != to).Skip(1).FirstOrDefault()?.Id ?? All[^1].Id;
        Diff = await doses.DiffAsync(HttpContext.Caller(), from, to, PageSize, Offset, ct);
        if (Diff is null)
        {
            return NotFound();
        }
        From = from;
        To = to;
        return Page();
    }

    public string PageUrl(int offset) => $"/Registry/Versions/Diff?from={From}&to={To}&offset={Math.Max(0, offset)}";
}
