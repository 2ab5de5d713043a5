using System.ComponentModel.DataAnnotations;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Printers;

/// <summary>Label printers per site: add one, deactivate one. A site administrator sees and changes their own site's only.</summary>
public sealed class IndexModel(Core.Labels.Printers printers, SiteDirectory sites) : PageModel
{
    public IReadOnlyList<PrinterRow> List { get; private set; } = [];

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose the site."), Display(Name = "Site")]
        public long? SiteId { get; set; }

        [Required, StringLength(60), Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Required, StringLength(253), Display(Name = "Host or IP address")]
        public string Host { get; set; } = "";

        [Range(1, 65535), Display(Name = "Port")]
        public int Port { get; set; } = Core.Labels.Printers.DefaultPort;

        [Display(Name = "Resolution (dpi)")]
        public int Dpi { get; set; } = 203;
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var result = await printers.AddAsync(HttpContext.Caller(), new PrinterInput(Input.SiteId!.Value, Input.Name, Input.Host, Input.Port, Input.Dpi), ct);
        if (!result.Ok)
        {
            ModelState.AddModelError($"Input.{result.Problem!.Field}", result.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = $"Printer {Input.Name.Trim()} added.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(long id, string? reason, CancellationToken ct)
    {
        ModelState.Clear();
        var result = await printers.DeactivateAsync(HttpContext.Caller(), id, reason, ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            ModelState.AddModelError(string.Empty, result.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = "Printer deactivated.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        List = await printers.ListAsync(caller, activeOnly: false, ct);
        Sites = (await sites.ListAsync(caller, ct)).Where(s => caller.AllSites || s.Id == caller.SiteId).ToList();
        if (Input.SiteId is null && caller.SiteId is { } own)
        {
            Input.SiteId = own;
        }
    }
}
