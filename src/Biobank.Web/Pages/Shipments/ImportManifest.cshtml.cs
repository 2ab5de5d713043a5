using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Shipments;

/// <summary>Pre-registers the tubes of an incoming shipment from another system's manifest (CSV or JSON).</summary>
[RequestSizeLimit(MaxBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBytes)]
public sealed class ImportManifestModel(ImportExternalManifest import, SiteDirectory sites) : PageModel
{
    public const long MaxBytes = 20L * 1024 * 1024;

    public IReadOnlyList<SiteRow> Senders { get; private set; } = [];
    public IReadOnlyList<RowProblem> Problems { get; private set; } = [];

    [BindProperty] public string? FromSite { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose the manifest file (CSV or JSON).");
            await LoadAsync(ct);
            return Page();
        }
        try
        {
            await using var stream = Upload.OpenReadStream();
            var result = await import.ExecuteAsync(HttpContext.Caller(), FromSite ?? "", Upload.FileName, stream, ct);
            if (!result.Ok)
            {
                ModelState.AddModelError(result.Problem!.Field ?? string.Empty, result.Problem.Message);
                await LoadAsync(ct);
                return Page();
            }
            TempData["Status"] = $"{result.Value!.Tubes} tube(s) pre-registered as shipment {result.Value.ShipmentBarcode}: scan them as they arrive.";
            return Redirect($"/Shipments/{Uri.EscapeDataString(result.Value.ShipmentBarcode)}");
        }
        catch (ExternalManifestException e)
        {
            Problems = e.Problems;
            ModelState.AddModelError(string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Senders = (await sites.ListAllAsync(ct)).Where(s => s.Id != caller.SiteId && s.Active).ToList();
    }
}
