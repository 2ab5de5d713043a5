using Biobank.Core.Assays;
using Biobank.Core.Common;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Assays;

/// <summary>QC review of a run: per-analyte distribution, below-LOD fraction, flagged samples, controls; approve or reject (audited).</summary>
public sealed class RunModel(AssayRuns runs, ReviewAssayRun review) : PageModel
{
    public RunQc? Qc { get; private set; }

    [BindProperty] public string? Note { get; set; }

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken ct)
    {
        Qc = await runs.QcAsync(HttpContext.Caller(), code, 50, ct);
        return Qc is null ? NotFound() : Page();
    }

    public Task<IActionResult> OnPostApproveAsync(string code, CancellationToken ct) => ReviewAsync(code, review.ApproveAsync(HttpContext.Caller(), code, Note, ct), "approved", ct);

    public Task<IActionResult> OnPostRejectAsync(string code, CancellationToken ct) => ReviewAsync(code, review.RejectAsync(HttpContext.Caller(), code, Note ?? "", ct), "rejected", ct);

    private async Task<IActionResult> ReviewAsync(string code, Task<Result<AssayRunView>> work, string what, CancellationToken ct)
    {
        var result = await work;
        if (result.Ok)
        {
            TempData["Status"] = $"Run {code} {what}.";
            return Redirect($"/Assays/Run/{Uri.EscapeDataString(code)}");
        }
        Qc = await runs.QcAsync(HttpContext.Caller(), code, 50, ct);
        // Another lab's run is readable by every biologist but not theirs to review: that answer is 404, not the page.
        if (Qc is null || result.Problem!.Kind == ProblemKind.NotFound)
        {
            return NotFound();
        }
        ModelState.AddModelError(string.Empty, result.Problem!.Message);
        return Page();
    }
}
