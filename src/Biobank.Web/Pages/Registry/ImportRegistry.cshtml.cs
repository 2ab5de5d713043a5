using System.ComponentModel.DataAnnotations;
using Biobank.Core.Registry;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry;

[RequestSizeLimit(RegistryDisplay.MaxUploadBytes)]
[UploadLimit(RegistryDisplay.MaxUploadBytes)]
public sealed class ImportRegistryModel(ImportRegistry import) : PageModel
{
    [BindProperty]
    [Display(Name = "Registry file (CSV or XLSX)")]
    public IFormFile? Upload { get; set; }

    [BindProperty]
    [Display(Name = "Ignore extra columns (read only the documented ones)")]
    public bool IgnoreExtraColumns { get; set; }

    /// <summary>The refused file's result: every problem by row and column.</summary>
    public RegistryImportResult? Refused { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose the registry export (CSV or XLSX) to import.");
            return Page();
        }
        await using var stream = Upload.OpenReadStream();
        var result = await import.ExecuteAsync(HttpContext.Caller(), new RegistryImportCommand(stream, Path.GetFileName(Upload.FileName), IgnoreExtraColumns), ct);
        if (!result.Imported)
        {
            Refused = result;
            return Page();
        }
        TempData["Status"] = result.Summary;
        if (result.NewlyWithdrawn.Count > 0)
        {
            TempData["Withdrawn"] = string.Join(", ", result.NewlyWithdrawn);
        }
        return RedirectToPage("Index");
    }
}
