using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Shipments;

public sealed class IndexModel(ShipmentQueries queries, BuildShipment build, SiteDirectory sites, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ShipmentView> Shipments { get; private set; } = [];
    public IReadOnlyList<SiteRow> Destinations { get; private set; } = [];
    public DateTime Now { get; private set; }

    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty] public long ToSiteId { get; set; }
    [BindProperty] public string? Scan { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var result = await build.CreateAsync(HttpContext.Caller(), ToSiteId, ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(string.Empty, result.Problem!.Message);
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = $"Shipment {result.Value} created: scan boxes or tubes to add them.";
        return Redirect($"/Shipments/{Uri.EscapeDataString(result.Value!)}");
    }

    /// <summary>Scanning a shipment's barcode opens it (the receiver's first scan).</summary>
    public async Task<IActionResult> OnPostOpenAsync(CancellationToken ct)
    {
        var s = await queries.ByBarcodeAsync(HttpContext.Caller(), Scan ?? "", ct);
        if (s is null)
        {
            ModelState.AddModelError(string.Empty, $"No shipment {Scan} from or to your site.");
            await LoadAsync(ct);
            return Page();
        }
        return Redirect($"/Shipments/{Uri.EscapeDataString(s.Barcode)}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Now = clock.GetUtcNow().UtcDateTime;
        Shipments = await queries.ListAsync(caller, State, 500, ct);
        Destinations = (await sites.ListAsync(caller, ct)).Where(s => s.Id != caller.SiteId && s.Active).ToList();
    }
}
