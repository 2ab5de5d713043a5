using System.ComponentModel.DataAnnotations;
using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry;

/// <summary>
/// Tubes of patients who withdrew consent, still to be destroyed, at the caller's site. Everyone of the registry may
/// see the list (it says which material is excluded); the bench records the destruction.
/// </summary>
public sealed class DestructionModel(DestructionList destruction) : PageModel
{
    public const int Shown = 500;

    public IReadOnlyList<TubeView> Tubes { get; private set; } = [];

    public long Total { get; private set; }

    public bool CanDestroy { get; private set; }

    public IReadOnlyList<DestructionRefusal> Refusals { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Pseudonym { get; set; }

    /// <summary>The ticked tubes.</summary>
    [BindProperty]
    public List<string> Barcodes { get; set; } = [];

    /// <summary>Every tube the page showed, for "all shown": exactly what the user saw, not what appeared since.</summary>
    [BindProperty]
    public List<string> ShownBarcodes { get; set; } = [];

    [BindProperty]
    [StringLength(500), Display(Name = "Reason (goes into the custody history and the audit trail)")]
    public string? Reason { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => DestroyAsync(Barcodes, ct);

    public Task<IActionResult> OnPostAllAsync(CancellationToken ct) => DestroyAsync(ShownBarcodes, ct);

    private async Task<IActionResult> DestroyAsync(IReadOnlyCollection<string> barcodes, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        if (!Bench(caller))
        {
            return Forbid();
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var result = await destruction.DestroyAsync(caller, barcodes, Reason, ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(result.Problem!.Field ?? "", result.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        var outcome = result.Value!;
        if (outcome.Refused.Count > 0)
        {
            Refusals = outcome.Refused;
            ModelState.AddModelError("", $"{outcome.Destroyed.Count} tube(s) recorded as destroyed; {outcome.Refused.Count} could not be (listed below).");
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = $"{outcome.Destroyed.Count} tube(s) recorded as destroyed: {string.Join(", ", outcome.Destroyed.Take(20).Select(d => d.Barcode))}{(outcome.Destroyed.Count > 20 ? ", …" : "")}.";
        return RedirectToPage(new { pseudonym = Pseudonym });
    }

    private static bool Bench(Caller caller) => caller.IsInRole(Roles.Technician) || caller.IsInRole(Roles.SiteStaff) || caller.IsAdmin;

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        CanDestroy = Bench(caller);
        Tubes = await destruction.ListAsync(caller, Pseudonym, Shown, ct);
        Total = await destruction.CountAsync(caller, ct);
    }
}
