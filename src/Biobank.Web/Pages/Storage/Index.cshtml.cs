using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Storage;

public sealed class IndexModel(StorageSetup storage, SiteDirectory sites) : PageModel
{
    public IReadOnlyList<FreezerRow> Freezers { get; private set; } = [];
    public IReadOnlyList<RackRow> Racks { get; private set; } = [];
    public IReadOnlyList<BoxRow> Boxes { get; private set; } = [];
    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    [BindProperty(SupportsGet = true)] public string? Site { get; set; }

    [BindProperty] public long SiteId { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public decimal TemperatureC { get; set; } = -80;
    [BindProperty] public long FreezerId { get; set; }
    [BindProperty] public long? RackId { get; set; }
    [BindProperty] public int Rows { get; set; } = 10;
    [BindProperty] public int Cols { get; set; } = 10;
    [BindProperty] public string? ExternalBarcode { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostFreezerAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await Done(false, null, "", ct);
        }
        var r = await storage.AddFreezerAsync(HttpContext.Caller(), SiteId, Name ?? "", TemperatureC, null, ct);
        return await Done(r.Ok, r.Problem?.Message, $"Freezer {Name} added.", ct);
    }

    public async Task<IActionResult> OnPostRackAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await Done(false, null, "", ct);
        }
        var r = await storage.AddRackAsync(HttpContext.Caller(), FreezerId, Name ?? "", ct);
        return await Done(r.Ok, r.Problem?.Message, $"Rack {Name} added.", ct);
    }

    public async Task<IActionResult> OnPostBoxAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await Done(false, null, "", ct);
        }
        var r = await storage.AddBoxAsync(HttpContext.Caller(), SiteId, RackId, Name ?? "", Rows, Cols, ExternalBarcode, ct);
        if (r.Ok)
        {
            TempData["Status"] = $"Box {r.Value} created.";
            return Redirect($"/Storage/Box/{Uri.EscapeDataString(r.Value!)}");
        }
        return await Done(false, r.Problem?.Message, "", ct);
    }

    private async Task<IActionResult> Done(bool ok, string? problem, string status, CancellationToken ct)
    {
        if (ok)
        {
            TempData["Status"] = status;
            return RedirectToPage();
        }
        // A value that could not be read (rows "ten") is already in ModelState under its field: it is not replaced by a default.
        if (problem is not null || ModelState.IsValid)
        {
            ModelState.AddModelError(string.Empty, problem ?? "Refused.");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Freezers = await storage.FreezersAsync(caller, ct);
        Racks = await storage.RacksAsync(caller, ct);
        Boxes = await storage.BoxesAsync(caller, Site, 2000, ct);
        Sites = (await sites.ListAsync(caller, ct)).Where(s => caller.AllSites || s.Id == caller.SiteId).ToList();
    }
}
