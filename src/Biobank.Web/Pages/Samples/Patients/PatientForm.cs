using System.ComponentModel.DataAnnotations;

namespace Biobank.Web.Pages.Samples.Patients;

/// <summary>The fields of a patient a site may record: the registry pseudonym and nothing that identifies a person.</summary>
public class PatientFields
{
    [RegularExpression("^[FM]?$", ErrorMessage = "Sex: F or M (or leave empty).")]
    public string? Sex { get; set; }

    [Display(Name = "Age at start of RT (years)"), Range(0, 25, ErrorMessage = "Age at start of radiotherapy: 0 to 25 years.")]
    public decimal? AgeAtRtYears { get; set; }

    [Required, Display(Name = "Consent")]
    public string ConsentStatus { get; set; } = "given";

    [Display(Name = "Consent date"), RegularExpression(@"^\d{4}-\d{2}-\d{2}$", ErrorMessage = "Consent date: YYYY-MM-DD.")]
    public string? ConsentDate { get; set; }

    public static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
