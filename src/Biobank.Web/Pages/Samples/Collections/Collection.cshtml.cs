using System.ComponentModel.DataAnnotations;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples.Collections;

/// <summary>
/// One visit at the bench: every primary tube with its processing form and SPREC, aliquoting by plan or by hand,
/// and the aliquots made. Each form posts one tube; its handler binds only its own fields.
/// </summary>
public sealed class CollectionModel(
    Core.Samples.Collections collections, ProcessingRecords processing, TubeQueries tubes, Aliquoting aliquoting, Core.Samples.Protocol protocol) : PageModel
{
    public CollectionView? Visit { get; private set; }

    public IReadOnlyList<TubeView> Primaries { get; private set; } = [];

    public ILookup<long, TubeView> AliquotsOf { get; private set; } = Array.Empty<TubeView>().ToLookup(t => 0L);

    public IReadOnlyDictionary<long, ProcessingForm> Processing { get; private set; } = new Dictionary<long, ProcessingForm>();

    public IReadOnlyDictionary<string, SampleType> TypesByCode { get; private set; } = new Dictionary<string, SampleType>();

    public IReadOnlyList<SampleType> AliquotTypes { get; private set; } = [];

    public IReadOnlyList<AliquotPlan> Plans { get; private set; } = [];

    /// <summary>The tube whose form was posted and refused: its errors show in its card.</summary>
    public long? FailedTubeId { get; private set; }

    public ManualForm Manual { get; private set; } = new();

    public sealed class ProcessingForm
    {
        public long TubeId { get; set; }

        [Display(Name = "Processing start (UTC)")]
        public DateTime? ProcessingStartUtc { get; set; }

        [Display(Name = "Before processing")]
        public string? PreCentrifugeTemp { get; set; }

        [Display(Name = "Centrifuge °C"), Range(-20, 40)]
        public decimal? CentrifugeTempC { get; set; }

        [Display(Name = "Force (g)"), Range(0, 50_000)]
        public int? CentrifugeG { get; set; }

        [Display(Name = "Minutes"), Range(0, 240)]
        public int? CentrifugeMinutes { get; set; }

        public bool? Braking { get; set; }

        [Display(Name = "Second spin (g)"), Range(0, 50_000)]
        public int? SecondCentrifugeG { get; set; }

        [Display(Name = "Frozen at (UTC)")]
        public DateTime? FrozenUtc { get; set; }

        [Display(Name = "Storage °C"), Range(-200, 30)]
        public decimal? StorageTempC { get; set; }

        public static ProcessingForm From(TubeProcessing p) => new()
        {
            TubeId = p.TubeId, ProcessingStartUtc = p.ProcessingStartUtc, PreCentrifugeTemp = p.PreCentrifugeTemp, CentrifugeTempC = p.CentrifugeTempC,
            CentrifugeG = p.CentrifugeG, CentrifugeMinutes = p.CentrifugeMinutes, Braking = p.Braking, SecondCentrifugeG = p.SecondCentrifugeG,
            FrozenUtc = p.FrozenUtc, StorageTempC = p.StorageTempC,
        };
    }

    public sealed class ManualForm
    {
        public long TubeId { get; set; }

        [Display(Name = "Aliquot type"), Range(1, int.MaxValue, ErrorMessage = "Choose an aliquot type.")]
        public long AliquotTypeId { get; set; }

        [Range(1, 50, ErrorMessage = "Count: 1 to 50 aliquots.")]
        public int Count { get; set; } = 1;

        [Display(Name = "µL each"), Range(0.1, 10_000, ErrorMessage = "Volume: more than 0 and at most 10,000 µL per aliquot.")]
        public decimal VolumeUl { get; set; } = 250;
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostProcessingAsync(long id, [Bind(Prefix = "Processing")] ProcessingForm form, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Primaries.All(t => t.Id != form.TubeId))
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return Refused(form);
        }
        var result = await collections.RecordProcessingAsync(HttpContext.Caller(), new ProcessingInput(form.TubeId,
            SampleDisplay.AsUtc(form.ProcessingStartUtc), string.IsNullOrEmpty(form.PreCentrifugeTemp) ? null : form.PreCentrifugeTemp,
            form.CentrifugeTempC, form.CentrifugeG, form.CentrifugeMinutes, form.Braking, form.SecondCentrifugeG, SampleDisplay.AsUtc(form.FrozenUtc), form.StorageTempC), ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            ModelState.AddModelError($"Processing.{result.Problem.Field}", result.Problem.Message);
            return Refused(form);
        }
        TempData["Status"] = $"{Barcode(form.TubeId)}: processing saved. SPREC {result.Value}.";
        return RedirectToPage(null, null, new { id }, $"tube-{form.TubeId}");
    }

    public async Task<IActionResult> OnPostByPlanAsync(long id, long tubeId, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Primaries.All(t => t.Id != tubeId))
        {
            return NotFound();
        }
        return await AliquotAsync(id, tubeId, null, ct);
    }

    public async Task<IActionResult> OnPostByHandAsync(long id, [Bind(Prefix = "Manual")] ManualForm form, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Primaries.All(t => t.Id != form.TubeId))
        {
            return NotFound();
        }
        Manual = form;
        if (!ModelState.IsValid)
        {
            FailedTubeId = form.TubeId;
            return Page();
        }
        return await AliquotAsync(id, form.TubeId, [new AliquotLine(form.AliquotTypeId, form.Count, form.VolumeUl)], ct);
    }

    private async Task<IActionResult> AliquotAsync(long id, long tubeId, IReadOnlyList<AliquotLine>? lines, CancellationToken ct)
    {
        var result = await aliquoting.ExecuteAsync(HttpContext.Caller(), tubeId, lines, ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            ModelState.AddModelError(result.Problem.Field is "Lines" or null ? "Manual" : $"Manual.{result.Problem.Field}", result.Problem.Message);
            FailedTubeId = tubeId;
            return Page();
        }
        var r = result.Value!;
        TempData["Status"] = $"{r.Barcodes.Count} aliquot(s) made from {Barcode(tubeId)}: {string.Join(", ", r.Barcodes)}. {SampleDisplay.Ul(r.RemainingUl)} left in the primary tube.";
        return RedirectToPage(null, null, new { id }, $"tube-{tubeId}");
    }

    private PageResult Refused(ProcessingForm form)
    {
        FailedTubeId = form.TubeId;
        var shown = new Dictionary<long, ProcessingForm>(Processing) { [form.TubeId] = form };
        Processing = shown;
        return Page();
    }

    private string Barcode(long tubeId) => Primaries.FirstOrDefault(t => t.Id == tubeId)?.Barcode ?? tubeId.ToString();

    /// <summary>The plan for a primary type, in words: "6 × 250 µL Plasma + 1 × 500 µL Buffy coat".</summary>
    public string PlanText(string primaryTypeCode)
    {
        if (!TypesByCode.TryGetValue(primaryTypeCode, out var type))
        {
            return "";
        }
        return string.Join(" + ", Plans.Where(p => p.PrimaryTypeId == type.Id).Select(p => $"{p.Count} × {SampleDisplay.Ul(p.VolumeUl)} {p.AliquotType}"));
    }

    /// <summary>The by-hand form starts on the tube's usual aliquot (the biggest line of its plan), not on whatever type sorts first.</summary>
    public ManualForm ManualDefault(TubeView primary)
    {
        var type = TypesByCode.GetValueOrDefault(primary.SampleTypeCode);
        var line = type is null ? null : Plans.Where(p => p.PrimaryTypeId == type.Id).OrderByDescending(p => p.Count).FirstOrDefault();
        return line is null
            ? new ManualForm { TubeId = primary.Id }
            : new ManualForm { TubeId = primary.Id, AliquotTypeId = line.AliquotTypeId, VolumeUl = line.VolumeUl };
    }

    public decimal PlanTotal(string primaryTypeCode) =>
        TypesByCode.TryGetValue(primaryTypeCode, out var type) ? Plans.Where(p => p.PrimaryTypeId == type.Id).Sum(p => p.Count * p.VolumeUl) : 0;

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Visit = await collections.FindAsync(caller, id, ct);
        if (Visit is null)
        {
            return false;
        }
        var all = await tubes.OfCollectionAsync(caller, id, ct);
        Primaries = all.Where(t => t.Kind == "primary").ToList();
        AliquotsOf = all.Where(t => t.Kind == "aliquot").ToLookup(t => t.ParentId ?? 0);
        Processing = (await processing.OfCollectionAsync(caller, id, ct)).ToDictionary(p => p.TubeId, ProcessingForm.From);
        var types = await protocol.SampleTypesAsync(ct);
        TypesByCode = types.ToDictionary(t => t.Code);
        AliquotTypes = types.Where(t => t.Kind == "aliquot").ToList();
        Plans = await protocol.PlansAsync(ct);
        return true;
    }
}
