using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry;

/// <summary>A patient as the analysis sees them: treatment, organ doses of one version, samples by timepoint, assay results.</summary>
public sealed class PatientModel(Core.Samples.Patients patients, DoseQueries doses, PatientTimeline timeline, AssayResultCounts assays) : PageModel
{
    public Patient? ThePatient { get; private set; }

    public PatientDoses? Doses { get; private set; }

    public IReadOnlyList<DoseVersion> Versions { get; private set; } = [];

    public IReadOnlyList<DoseMetric> Metrics { get; private set; } = [];

    public IReadOnlyList<TimelineStep> Timeline { get; private set; } = [];

    public long AssayResults { get; private set; }

    /// <summary>The bench pages of the patient are open to technicians, site staff and administrators.</summary>
    public bool CanOpenBench { get; private set; }

    [BindProperty(SupportsGet = true)]
    public long? Version { get; set; }

    public async Task<IActionResult> OnGetAsync(string pseudonym, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        ThePatient = await patients.FindByPseudonymAsync(caller, pseudonym.Trim(), ct);
        if (ThePatient is null)
        {
            return NotFound();
        }
        Doses = await doses.PatientDosesAsync(caller, ThePatient.Pseudonym, Version, ct);
        if (Doses is null)
        {
            return NotFound();
        }
        Versions = await doses.ListVersionsAsync(ct);
        Metrics = await doses.MetricsAsync(ct);
        Timeline = await timeline.OfPatientAsync(caller, ThePatient.Id, ct);
        AssayResults = await assays.OfPatientAsync(caller, ThePatient.Id, ct);
        CanOpenBench = caller.IsInRole(Roles.Technician) || caller.IsInRole(Roles.SiteStaff) || caller.IsAdmin;
        return Page();
    }
}
