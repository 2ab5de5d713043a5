using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry;

public sealed class IndexModel(Core.Samples.Patients patients, DoseQueries doses, DestructionList destruction) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<Patient> Found { get; private set; } = [];

    public DoseVersion? Latest { get; private set; }

    public IReadOnlyList<ImportBatch> Batches { get; private set; } = [];

    public long ToDestroy { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        if (!string.IsNullOrWhiteSpace(Q) && await patients.FindByPseudonymAsync(caller, Q.Trim(), ct) is { } exact)
        {
            return Redirect($"/Registry/Patient/{Uri.EscapeDataString(exact.Pseudonym)}");
        }
        Found = await patients.ListAsync(caller, Q, PageSize, 0, ct);
        Latest = await doses.LatestVersionAsync(ct);
        Batches = await doses.ImportBatchesAsync(caller, null, 50, ct);
        ToDestroy = await destruction.CountAsync(caller, ct);
        return Page();
    }
}
