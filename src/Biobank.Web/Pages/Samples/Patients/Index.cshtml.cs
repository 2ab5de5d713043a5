using System.ComponentModel.DataAnnotations;
using Biobank.Core.Samples;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples.Patients;

public sealed class IndexModel(Core.Samples.Patients patients, SiteDirectory sites) : PageModel
{
    public const int PageSize = 25;

    public IReadOnlyList<Patient> Found { get; private set; } = [];

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    public bool HasNext { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel : PatientFields
    {
        [Required, StringLength(40)]
        public string Pseudonym { get; set; } = "";

        [Display(Name = "Site")]
        public long SiteId { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Input.SiteId = HttpContext.Caller().SiteId ?? (Sites.Count > 0 ? Sites[0].Id : 0);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var input = new PatientInput(Input.Pseudonym.Trim(), Input.SiteId, PatientFields.Blank(Input.Sex), Input.AgeAtRtYears, Input.ConsentStatus, PatientFields.Blank(Input.ConsentDate));
        var result = await patients.CreateAsync(HttpContext.Caller(), input, ct);
        if (!result.Ok)
        {
            ModelState.AddModelError($"Input.{result.Problem!.Field}", result.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = $"Patient {input.Pseudonym} registered.";
        return RedirectToPage("Patient", new { id = result.Value });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        PageNumber = Math.Max(1, PageNumber);
        // One row more than a page tells whether there is a next page without counting the whole table.
        var rows = await patients.ListAsync(caller, Q, PageSize + 1, (PageNumber - 1) * PageSize, ct);
        HasNext = rows.Count > PageSize;
        Found = rows.Take(PageSize).ToList();
        // Patients belong to hospitals; a site user registers them at their own site only.
        Sites = (await sites.ListAsync(caller, ct))
            .Where(s => caller.AllSites ? s.Kind == SiteKinds.Collection : s.Id == caller.SiteId)
            .ToList();
    }
}
