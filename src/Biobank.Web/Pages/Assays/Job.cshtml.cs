using Biobank.Core.Assays;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Assays;

/// <summary>One background import: progress (rows read, validated, written), cancel, and the problems when refused.</summary>
public sealed class JobModel(ImportJobs jobs, ImportJobProgress live) : PageModel
{
    public ImportJobView? Job { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        Job = await jobs.GetAsync(HttpContext.Caller(), id, ct);
        return Job is null ? NotFound() : Page();
    }

    /// <summary>What the progress bar polls: live figures while this node runs the job, else the stored ones.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken ct)
    {
        var job = await jobs.GetAsync(HttpContext.Caller(), id, ct);
        if (job is null)
        {
            return NotFound();
        }
        var p = live.Get(id);
        return new JsonResult(new
        {
            state = job.State,
            phase = p?.Phase.ToString().ToLowerInvariant() ?? job.Phase,
            bytesTotal = p?.BytesTotal ?? job.BytesTotal,
            bytesRead = p?.BytesRead ?? job.BytesRead,
            rowsRead = p?.RowsRead ?? job.RowsRead,
            rowsValidated = p?.RowsValidated ?? job.RowsValidated,
            rowsWritten = p?.RowsWritten ?? job.RowsWritten,
            rowsToWrite = p?.RowsToWrite ?? 0,
            problems = job.ProblemCount,
            finished = job.Finished,
            message = job.Message,
        });
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (await jobs.GetAsync(HttpContext.Caller(), id, ct) is null)
        {
            return NotFound();
        }
        var ok = await jobs.RequestCancelAsync(HttpContext.Caller(), id, ct);
        TempData["Status"] = ok ? "Cancel requested: the import stops and writes nothing." : "This import has already finished.";
        return Redirect($"/Assays/Job/{id}");
    }
}
