using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Biobank.Core.Registry;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry;

[RequestSizeLimit(RegistryDisplay.MaxUploadBytes)]
[UploadLimit(RegistryDisplay.MaxUploadBytes)]
public sealed class ImportDosesModel(ImportDoses import, DoseQueries doses) : PageModel
{
    public const string Refuse = "refuse";
    public const string KnownOnly = "known-only";

    [BindProperty]
    [Display(Name = "Dose file (CSV or XLSX)")]
    public IFormFile? Upload { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Give the new dose version a label (e.g. v2-2027-03)."), StringLength(60), Display(Name = "Version label")]
    public string? VersionLabel { get; set; }

    [BindProperty]
    [StringLength(500), Display(Name = "Note (what changed in this reconstruction)")]
    public string? Note { get; set; }

    [BindProperty]
    [Display(Name = "Ignore extra columns (read only the documented ones)")]
    public bool IgnoreExtraColumns { get; set; }

    /// <summary><see cref="Refuse"/> (the default, also when not sent) or <see cref="KnownOnly"/>: what to do with pseudonyms no patient has.</summary>
    [BindProperty]
    public string? Unknown { get; set; }

    /// <summary>On the second post of a file refused for unknown pseudonyms: the file the user decided about.</summary>
    [BindProperty]
    public string? CheckedSha256 { get; set; }

    public DoseImportResult? Refused { get; private set; }

    public DoseVersion? Latest { get; private set; }

    public bool Central { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose the dosimetry export (CSV or XLSX) to import.");
        }
        if (Unknown is not (null or Refuse or KnownOnly))
        {
            ModelState.AddModelError(nameof(Unknown), "Choose whether to refuse the file or import the known patients only.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var stream = Upload!.OpenReadStream();
        if (!string.IsNullOrEmpty(CheckedSha256))
        {
            // The user decided about unknown pseudonyms of one file; a different file gets checked from the start.
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            stream.Position = 0;
            if (!string.Equals(sha, CheckedSha256, StringComparison.OrdinalIgnoreCase))
            {
                ModelState.AddModelError(nameof(Upload), "This is not the file that was checked (its SHA-256 differs): choose the same file, or start again with the new one.");
                Unknown = null;
                CheckedSha256 = null;
                return Page();
            }
        }
        var command = new DoseImportCommand(stream, Path.GetFileName(Upload.FileName), VersionLabel!,
            Unknown == KnownOnly ? UnknownPseudonyms.SkipUnknown : UnknownPseudonyms.Refuse, IgnoreExtraColumns, string.IsNullOrWhiteSpace(Note) ? null : Note.Trim());
        var result = await import.ExecuteAsync(HttpContext.Caller(), command, ct);
        if (!result.Imported)
        {
            Refused = result;
            CheckedSha256 = null;
            return Page();
        }
        TempData["Status"] = result.Summary;
        return RedirectToPage("Versions/Index");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Central = HttpContext.Caller().AllSites;
        Latest = await doses.LatestVersionAsync(ct);
    }
}
