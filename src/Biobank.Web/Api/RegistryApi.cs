using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;

namespace Biobank.Web.Api;

/// <summary>Patients with their treatment and organ doses, for the analysis tools; scoped like every read (another site's patient is 404).</summary>
public static class RegistryApi
{
    public static void MapRegistryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/patients/{pseudonym}", async (string pseudonym, HttpContext http, Patients patients, DoseQueries doses, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var p = await patients.FindByPseudonymAsync(caller, pseudonym.Trim(), ct);
            var d = p is null ? null : await doses.PatientDosesAsync(caller, p.Pseudonym, null, ct);
            if (p is null || d is null)
            {
                return Problems.NotFound($"No patient {pseudonym} that you may see.");
            }
            return Results.Ok(new
            {
                pseudonym = p.Pseudonym,
                site = p.SiteCode,
                sex = p.Sex,
                ageAtRtYears = p.AgeAtRtYears,
                consent = new { status = p.ConsentStatus, date = p.ConsentDate, withdrawnUtc = p.WithdrawnUtc },
                treatment = new
                {
                    diagnosisGroup = p.DiagnosisGroup,
                    modality = p.Modality,
                    rtStart = p.RtStart,
                    rtEnd = p.RtEnd,
                    prescribedDoseGy = p.PrescribedDoseGy,
                    fractions = p.Fractions,
                },
                doses = new
                {
                    version = d.Version is { } v ? new { label = v.Label, importedUtc = v.ImportedUtc, latest = d.IsLatest } : null,
                    organs = d.Doses.Select(x => new
                    {
                        organ = x.Organ,
                        organName = x.OrganName,
                        metric = x.Metric,
                        unit = x.Unit,
                        value = x.ValueGy,
                        uncertaintySd = x.UncertaintySdGy,
                        source = x.Source,
                        computedDate = x.ComputedDate,
                    }),
                },
            });
        });
    }
}
