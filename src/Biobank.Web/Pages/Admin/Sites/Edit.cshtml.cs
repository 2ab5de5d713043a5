using Biobank.Core.Common;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Sites;

public sealed class EditModel(SiteDirectory sites) : PageModel
{
    public SiteRow? Site { get; private set; }

    [BindProperty]
    public SiteForm Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        Site = await sites.FindAsync(HttpContext.Caller(), id, ct);
        if (Site is null)
        {
            return NotFound();
        }
        Input = new SiteForm { Code = Site.Code, Name = Site.Name, Country = Site.Country, Kind = Site.Kind, BarcodePrefix = Site.BarcodePrefix, Active = Site.Active };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        Site = await sites.FindAsync(HttpContext.Caller(), id, ct);
        if (Site is null)
        {
            return NotFound();
        }
        Input.Code = Site.Code;
        Input.BarcodePrefix = Site.BarcodePrefix;
        ModelState.Remove("Input.Code");
        ModelState.Remove("Input.BarcodePrefix");
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await sites.UpdateAsync(HttpContext.Caller(), id, Input.ToInput(), Input.Reason, ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.Forbidden)
            {
                return Forbid();
            }
            ModelState.AddModelError($"Input.{result.Problem.Field}", result.Problem.Message);
            return Page();
        }
        TempData["Status"] = $"Site {Site.Code} saved.";
        return RedirectToPage("Index");
    }
}
