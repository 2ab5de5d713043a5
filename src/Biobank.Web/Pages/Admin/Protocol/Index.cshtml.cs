using System.ComponentModel.DataAnnotations;
using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Protocol;

/// <summary>
/// The study protocol: timepoints, sample types, aliquot plans. Four small forms on one page, so each handler binds
/// only its own form (by prefix) and an empty neighbour form is not validated.
/// </summary>
public sealed class IndexModel(Core.Samples.Protocol protocol) : PageModel
{
    public IReadOnlyList<Timepoint> Timepoints { get; private set; } = [];

    public IReadOnlyList<SampleType> SampleTypes { get; private set; } = [];

    public IReadOnlyList<AliquotPlan> Plans { get; private set; } = [];

    public TimepointForm NewTimepoint { get; set; } = new();

    public SampleTypeForm NewType { get; set; } = new();

    public PlanForm Plan { get; set; } = new();

    public sealed class TimepointForm
    {
        [Required, StringLength(20)]
        public string Code { get; set; } = "";

        [Required, StringLength(100)]
        public string Name { get; set; } = "";

        [Display(Name = "Order"), Range(0, 10_000)]
        public int SortOrder { get; set; }

        [StringLength(500)]
        public string? Description { get; set; }
    }

    public sealed class SampleTypeForm
    {
        [Required, StringLength(20)]
        public string Code { get; set; } = "";

        [Required, StringLength(100)]
        public string Name { get; set; } = "";

        [Required]
        public string Kind { get; set; } = "aliquot";

        [Required, StringLength(3, MinimumLength = 3), Display(Name = "SPREC type")]
        public string SprecType { get; set; } = "";

        [Required, StringLength(3, MinimumLength = 3), Display(Name = "SPREC container")]
        public string SprecContainer { get; set; } = "";

        [Display(Name = "Centrifuged")]
        public bool Centrifuged { get; set; } = true;

        [Display(Name = "Default volume (µL)"), Range(0, 100_000)]
        public decimal DefaultVolumeUl { get; set; }

        [StringLength(7)]
        public string Colour { get; set; } = "#6c757d";
    }

    public sealed class PlanForm
    {
        [Display(Name = "Primary tube")]
        public long PrimaryTypeId { get; set; }

        [Display(Name = "Aliquot")]
        public long AliquotTypeId { get; set; }

        [Range(1, 50)]
        public int Count { get; set; } = 1;

        [Display(Name = "Volume each (µL)"), Range(0.1, 10_000)]
        public decimal VolumeUl { get; set; } = 250;
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostTimepointAsync([Bind(Prefix = nameof(NewTimepoint))] TimepointForm form, CancellationToken ct)
    {
        NewTimepoint = form;
        if (!ModelState.IsValid)
        {
            return await PageAsync(ct);
        }
        var result = await protocol.AddTimepointAsync(HttpContext.Caller(),
            new Timepoint { Code = form.Code, Name = form.Name, SortOrder = form.SortOrder, Description = form.Description }, ct);
        return await DoneAsync(result.Problem, nameof(NewTimepoint), $"Timepoint {form.Code.Trim().ToUpperInvariant()} added.", ct);
    }

    public async Task<IActionResult> OnPostSampleTypeAsync([Bind(Prefix = nameof(NewType))] SampleTypeForm form, CancellationToken ct)
    {
        NewType = form;
        if (!ModelState.IsValid)
        {
            return await PageAsync(ct);
        }
        var result = await protocol.AddSampleTypeAsync(HttpContext.Caller(), new SampleType
        {
            Code = form.Code, Name = form.Name, Kind = form.Kind, SprecType = form.SprecType.Trim().ToUpperInvariant(),
            SprecContainer = form.SprecContainer.Trim().ToUpperInvariant(), Centrifuged = form.Centrifuged, DefaultVolumeUl = form.DefaultVolumeUl, Colour = form.Colour,
        }, ct);
        return await DoneAsync(result.Problem, nameof(NewType), $"Sample type {form.Code.Trim().ToUpperInvariant()} added.", ct);
    }

    public async Task<IActionResult> OnPostPlanAsync([Bind(Prefix = nameof(Plan))] PlanForm form, CancellationToken ct)
    {
        Plan = form;
        if (!ModelState.IsValid)
        {
            return await PageAsync(ct);
        }
        var result = await protocol.SetPlanAsync(HttpContext.Caller(), form.PrimaryTypeId, form.AliquotTypeId, form.Count, form.VolumeUl, ct);
        return await DoneAsync(result.Problem, nameof(Plan), "Aliquot plan saved.", ct);
    }

    public async Task<IActionResult> OnPostRemovePlanAsync(long planId, CancellationToken ct)
    {
        var result = await protocol.RemovePlanAsync(HttpContext.Caller(), planId, ct);
        if (result.Problem is { Kind: ProblemKind.NotFound })
        {
            return NotFound();
        }
        return await DoneAsync(result.Problem, nameof(Plan), "Aliquot plan removed.", ct);
    }

    private async Task<IActionResult> DoneAsync(Problem? problem, string prefix, string status, CancellationToken ct)
    {
        if (problem is null)
        {
            TempData["Status"] = status;
            return RedirectToPage();
        }
        if (problem.Kind == ProblemKind.Forbidden)
        {
            return Forbid();
        }
        ModelState.AddModelError(problem.Field is null ? prefix : $"{prefix}.{problem.Field}", problem.Message);
        return await PageAsync(ct);
    }

    private async Task<IActionResult> PageAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Timepoints = await protocol.TimepointsAsync(ct);
        SampleTypes = await protocol.SampleTypesAsync(ct);
        Plans = await protocol.PlansAsync(ct);
    }
}
