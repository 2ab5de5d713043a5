using System.ComponentModel.DataAnnotations;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Sites;

public sealed class IndexModel(SiteDirectory sites) : PageModel
{
    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    [BindProperty]
    public SiteForm Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => Sites = await sites.ListAsync(HttpContext.Caller(), ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Sites = await sites.ListAsync(HttpContext.Caller(), ct);
            return Page();
        }
        var result = await sites.CreateAsync(HttpContext.Caller(), Input.ToInput(), ct);
        if (!result.Ok)
        {
            ModelState.AddModelError($"Input.{result.Problem!.Field}", result.Problem.Message);
            Sites = await sites.ListAsync(HttpContext.Caller(), ct);
            return Page();
        }
        TempData["Status"] = $"Site {Input.Code} added.";
        return RedirectToPage();
    }
}

public sealed class SiteForm
{
    [Required, StringLength(10)]
    public string Code { get; set; } = "";

    [Required, StringLength(120)]
    public string Name { get; set; } = "";

    [Required, StringLength(2, MinimumLength = 2)]
    public string Country { get; set; } = "";

    [Required]
    public string Kind { get; set; } = SiteKinds.Collection;

    [Required, StringLength(3, MinimumLength = 2), Display(Name = "Barcode prefix")]
    public string BarcodePrefix { get; set; } = "";

    public bool Active { get; set; } = true;

    [StringLength(500)]
    public string? Reason { get; set; }

    public SiteInput ToInput() => new(Code.Trim().ToUpperInvariant(), Name, Country.Trim().ToUpperInvariant(), Kind, BarcodePrefix.Trim().ToUpperInvariant(), Active);
}
