using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples.Collections;

/// <summary>Registers a visit: the patient, the timepoint, when, and one row per primary tube.</summary>
public sealed partial class NewModel(Core.Samples.Patients patients, Core.Samples.Collections collections, Core.Samples.Protocol protocol, TimeProvider clock) : PageModel
{
    /// <summary>What a standard visit brings to the bench; the technician changes or empties rows.</summary>
    public static readonly string[] DefaultTubes = ["EDTA", "EDTA", "SERUM", "PAXGENE", "SALIVA"];

    public const int Rows = 7;

    public Patient? ThePatient { get; private set; }

    public IReadOnlyList<Timepoint> Timepoints { get; private set; } = [];

    public IReadOnlyList<SampleType> PrimaryTypes { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public long? PatientId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Pseudonym { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "Timepoint"), Range(1, int.MaxValue, ErrorMessage = "Choose the timepoint.")]
        public long TimepointId { get; set; }

        [Required, Display(Name = "Date (UTC)"), RegularExpression(@"^\d{4}-\d{2}-\d{2}$", ErrorMessage = "Date: YYYY-MM-DD.")]
        public string CollectedDate { get; set; } = "";

        [Required, Display(Name = "Time (UTC)"), RegularExpression(@"^\d{2}:\d{2}(:\d{2})?$", ErrorMessage = "Time: HH:MM, 24-hour, UTC.")]
        public string CollectedTime { get; set; } = "";

        [StringLength(1000)]
        public string? Notes { get; set; }

        public List<TubeRow> Tubes { get; set; } = [];
    }

    public sealed class TubeRow
    {
        public long? SampleTypeId { get; set; }

        [StringLength(40)]
        public string? ExternalBarcode { get; set; }

        [Range(0.1, 100_000, ErrorMessage = "Volume: more than 0 µL.")]
        public decimal? VolumeUl { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        if (PatientId is null && !string.IsNullOrWhiteSpace(Pseudonym))
        {
            var found = await patients.FindByPseudonymAsync(caller, Pseudonym.Trim(), ct);
            if (found is not null)
            {
                return RedirectToPage(new { patientId = found.Id, pseudonym = (string?)null });
            }
            ModelState.AddModelError(nameof(Pseudonym), $"No patient {Pseudonym.Trim()} at your site. Register the patient first.");
        }
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        Input.CollectedDate = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Input.CollectedTime = now.ToString("HH:mm", CultureInfo.InvariantCulture);
        Input.TimepointId = Timepoints.Count > 0 ? Timepoints[0].Id : 0;
        Input.Tubes = Enumerable.Range(0, Rows)
            .Select(i => new TubeRow { SampleTypeId = i < DefaultTubes.Length ? PrimaryTypes.FirstOrDefault(t => t.Code == DefaultTubes[i])?.Id : null })
            .ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (PatientId is null || !await LoadAsync(ct))
        {
            return NotFound();
        }
        while (Input.Tubes.Count < Rows)
        {
            Input.Tubes.Add(new TubeRow());
        }
        if (!DateTime.TryParseExact($"{Input.CollectedDate} {Input.CollectedTime}", ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var collected))
        {
            ModelState.AddModelError("Input.CollectedDate", "Collected at: a real date (YYYY-MM-DD) and time (HH:MM, UTC).");
        }
        // Rows without a type are the spare lines of the form: they are ignored, whatever else was typed in them.
        var used = Input.Tubes.Select((row, index) => (row, index)).Where(x => x.row.SampleTypeId is > 0).ToList();
        if (used.Count == 0)
        {
            ModelState.AddModelError("Input.Tubes", "Choose the type of at least one primary tube.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var input = new CollectionInput(PatientId.Value, Input.TimepointId, collected, Input.Notes,
            used.Select(x => new PrimaryTubeInput(x.row.SampleTypeId!.Value, string.IsNullOrWhiteSpace(x.row.ExternalBarcode) ? null : x.row.ExternalBarcode, x.row.VolumeUl)).ToList());
        var result = await collections.RegisterAsync(HttpContext.Caller(), input, ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound && result.Problem.Field == "PatientId")
            {
                return NotFound();
            }
            ModelState.AddModelError(FormKey(result.Problem.Field, used.Select(x => x.index).ToList()), result.Problem.Message);
            return Page();
        }
        var r = result.Value!;
        TempData["Status"] = $"Collection registered for {ThePatient!.Pseudonym}: {r.Barcodes.Count} primary tube(s) {string.Join(", ", r.Barcodes)}.";
        return RedirectToPage("Collection", new { id = r.CollectionId, patientId = (long?)null });
    }

    /// <summary>The use case counts only the rows it was given; point its message at the row of the form.</summary>
    private static string FormKey(string? field, List<int> rowIndex)
    {
        if (field is null)
        {
            return "Input";
        }
        var m = TubeField().Match(field);
        if (m.Success && int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out var i) && i < rowIndex.Count)
        {
            return $"Input.Tubes[{rowIndex[i]}]{m.Groups[2].Value}";
        }
        return field == "CollectedUtc" ? "Input.CollectedDate" : $"Input.{field}";
    }

    [GeneratedRegex(@"^Tubes\[(\d+)\](.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex TubeField();

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Timepoints = await protocol.TimepointsAsync(ct);
        PrimaryTypes = (await protocol.SampleTypesAsync(ct)).Where(t => t.Kind == "primary").ToList();
        if (PatientId is { } id)
        {
            ThePatient = await patients.FindAsync(HttpContext.Caller(), id, ct);
            return ThePatient is not null;
        }
        return true;
    }
}
