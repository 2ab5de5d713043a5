using System.ComponentModel.DataAnnotations;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples.Patients;

public sealed class PatientModel(Core.Samples.Patients patients, Core.Samples.Collections collections) : PageModel
{
    public Patient? ThePatient { get; private set; }

    public IReadOnlyList<CollectionView> Visits { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel : PatientFields
    {
        [Required(ErrorMessage = "Say why the patient's record changes (it goes into the audit trail)."), StringLength(500), Display(Name = "Reason for the change")]
        public string? Reason { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        var p = ThePatient!;
        Input = new InputModel { Sex = p.Sex, AgeAtRtYears = p.AgeAtRtYears, ConsentStatus = p.ConsentStatus, ConsentDate = p.ConsentDate };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var p = ThePatient!;
        var input = new PatientInput(p.Pseudonym, p.SiteId, PatientFields.Blank(Input.Sex), Input.AgeAtRtYears, Input.ConsentStatus, PatientFields.Blank(Input.ConsentDate));
        var result = await patients.UpdateAsync(HttpContext.Caller(), id, input, Input.Reason, ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            ModelState.AddModelError($"Input.{result.Problem.Field}", result.Problem.Message);
            return Page();
        }
        TempData["Status"] = input.ConsentStatus == "withdrawn" && !p.Withdrawn
            ? $"Patient {p.Pseudonym}: consent withdrawn. No new collections can be registered; their material is flagged."
            : $"Patient {p.Pseudonym} saved.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        ThePatient = await patients.FindAsync(caller, id, ct);
        if (ThePatient is null)
        {
            return false;
        }
        Visits = await collections.OfPatientAsync(caller, id, ct);
        return true;
    }
}
