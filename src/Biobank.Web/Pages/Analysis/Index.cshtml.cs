using System.Text;
using Biobank.Core.Analysis;
using Biobank.Core.Audit;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Web.Analysis;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Analysis;

/// <summary>The biomarker–dose scan: parameters in the query string (bookmarkable), results, plots, exports, saving.</summary>
public sealed class IndexModel(AssociationAnalysis analysis, SavedAnalyses saved, Protocol protocol, IAudit audit, IDb db) : PageModel
{
    // Nullable so a first visit, with no query string, shows the form with these defaults and no "field is required"
    // (ASP.NET Core treats a non-nullable string as required); a bad or empty choice is named by the use case when run.
    [BindProperty(SupportsGet = true)] public string? Biomarkers { get; set; } = "all";
    [BindProperty(SupportsGet = true)] public string? ResponseKind { get; set; } = "change";
    [BindProperty(SupportsGet = true)] public string? From { get; set; } = "BASELINE";
    [BindProperty(SupportsGet = true)] public string? To { get; set; } = "M3";
    [BindProperty(SupportsGet = true)] public string? Organ { get; set; } = "heart";
    [BindProperty(SupportsGet = true)] public string? Metric { get; set; } = "mean";
    [BindProperty(SupportsGet = true)] public string? DoseVersion { get; set; }
    [BindProperty(SupportsGet = true)] public List<string> Covariates { get; set; } = [];
    [BindProperty(SupportsGet = true)] public List<string> Sites { get; set; } = [];
    [BindProperty(SupportsGet = true)] public string? Modality { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sex { get; set; }
    [BindProperty(SupportsGet = true)] public decimal? MinAge { get; set; }
    [BindProperty(SupportsGet = true)] public decimal? MaxAge { get; set; }
    [BindProperty(SupportsGet = true)] public bool IncludeUnapproved { get; set; }
    [BindProperty(SupportsGet = true)] public string? BelowLodMode { get; set; } = "exclude";
    [BindProperty(SupportsGet = true)] public int MinN { get; set; } = 10;
    [BindProperty(SupportsGet = true)] public bool Run { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; } = "q";
    [BindProperty(SupportsGet = true)] public string? Biomarker { get; set; }
    [BindProperty(SupportsGet = true)] public long? Saved { get; set; }
    [BindProperty] public string? Name { get; set; }

    public AnalysisOutcome? Outcome { get; private set; }
    public IReadOnlyList<BiomarkerResult> Sorted { get; private set; } = [];
    public string? VolcanoSvg { get; private set; }
    public string? ScatterSvg { get; private set; }
    public string? BoxSvg { get; private set; }
    public IReadOnlyList<Timepoint> Timepoints { get; private set; } = [];
    public IReadOnlyList<string> Organs { get; private set; } = [];
    public IReadOnlyList<string> Metrics { get; private set; } = [];
    public IReadOnlyList<string> Versions { get; private set; } = [];
    public IReadOnlyList<string> Classes { get; } = ["plasma_protein", "saliva_protein", "mirna", "intracellular_protein"];
    public IReadOnlyList<SavedAnalysis> SavedList { get; private set; } = [];
    public SavedAnalysis? SavedAnalysis { get; private set; }
    public bool? SameAsSaved { get; private set; }

    public AnalysisRequest Ask => new()
    {
        Biomarkers = string.IsNullOrWhiteSpace(Biomarkers) ? "all" : Biomarkers.Trim(),
        Response = ResponseKind == "value" ? $"value:{From}" : $"change:{From}:{To}",
        Dose = $"{Organ}:{Metric}",
        DoseVersion = string.IsNullOrWhiteSpace(DoseVersion) ? null : DoseVersion,
        Covariates = Covariates,
        Sites = Sites,
        Modality = string.IsNullOrWhiteSpace(Modality) ? null : Modality,
        Sex = string.IsNullOrWhiteSpace(Sex) ? null : Sex,
        MinAge = MinAge,
        MaxAge = MaxAge,
        ApprovedRunsOnly = !IncludeUnapproved,
        BelowLod = BelowLodMode switch { "lod-sqrt2" => BelowLod.LodOverSqrt2, "as-measured" => BelowLod.AsMeasured, _ => BelowLod.Exclude },
        MinN = MinN,
    };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        if (Saved is { } id)
        {
            SavedAnalysis = await saved.FindAsync(HttpContext.Caller(), id, ct);
            if (SavedAnalysis is null)
            {
                return NotFound();
            }
            Apply(SavedAnalysis.Request);
            Run = true;
        }
        if (Run && !await RunAsync(ct))
        {
            return Page();
        }
        if (SavedAnalysis is not null && Outcome is not null)
        {
            SameAsSaved = SavedAnalysis.Fingerprint == Outcome.Fingerprint;
        }
        return Page();
    }

    public async Task<IActionResult> OnGetExportAsync(string what, CancellationToken ct)
    {
        if (!await RunAsync(ct))
        {
            await LoadChoicesAsync(ct);
            return Page();
        }
        var o = Outcome!;
        var caller = HttpContext.Caller();
        string body, type, file;
        switch (what)
        {
            case "data":
                using (var data = new StringWriter())
                {
                    await AssociationAnalysis.WriteDataCsvAsync(o, data);
                    (body, type, file) = (data.ToString(), "text/csv", "analysis-data.csv");
                }
                break;
            case "volcano":
                (body, type, file) = (VolcanoSvg!, "image/svg+xml", "volcano.svg");
                break;
            case "scatter" when ScatterSvg is not null:
                (body, type, file) = (ScatterSvg, "image/svg+xml", $"scatter-{Biomarker}.svg");
                break;
            default:
                using (var results = new StringWriter())
                {
                    await AssociationAnalysis.WriteResultsCsvAsync(o, results);
                    (body, type, file) = (results.ToString(), "text/csv", "analysis-results.csv");
                }
                break;
        }
        await using (var c = await db.OpenAsync(ct))
        {
            await using var tx = await db.BeginWriteAsync(c, ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Export, "analysis", what,
                New: new { Request = Ask, o.Fingerprint, o.DoseVersion, File = file, Biomarkers = o.Results.Count, Patients = o.Patients.Count }, SiteId: caller.SiteId), ct);
            await tx.CommitAsync(ct);
        }
        return File(Encoding.UTF8.GetBytes(body), type, file);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        // MinN=many leaves MinN at its default: saving that would record a parameter the user did not choose.
        if (!ModelState.IsValid || !await RunAsync(ct))
        {
            await LoadChoicesAsync(ct);
            return Page();
        }
        var result = await saved.SaveAsync(HttpContext.Caller(), Name ?? "", Outcome!, ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(string.Empty, result.Problem!.Message);
            await LoadChoicesAsync(ct);
            return Page();
        }
        TempData["Status"] = $"Analysis saved (fingerprint {Outcome!.Fingerprint[..12]}).";
        return Redirect($"/Analysis?saved={result.Value}");
    }

    public string LinkTo(string? biomarker = null, string? sort = null)
    {
        var q = new List<string>
        {
            $"Biomarkers={Uri.EscapeDataString(Biomarkers ?? "")}", $"ResponseKind={ResponseKind}", $"From={From}", $"To={To}", $"Organ={Organ}", $"Metric={Uri.EscapeDataString(Metric ?? "")}",
            $"MinN={MinN}", $"BelowLodMode={BelowLodMode}", "Run=true", $"Sort={sort ?? Sort}",
        };
        q.AddRange(Covariates.Select(c => $"Covariates={c}"));
        q.AddRange(Sites.Select(s => $"Sites={s}"));
        if (DoseVersion is { Length: > 0 }) { q.Add($"DoseVersion={Uri.EscapeDataString(DoseVersion)}"); }
        if (Modality is { Length: > 0 }) { q.Add($"Modality={Modality}"); }
        if (Sex is { Length: > 0 }) { q.Add($"Sex={Sex}"); }
        if (MinAge is not null) { q.Add($"MinAge={MinAge}"); }
        if (MaxAge is not null) { q.Add($"MaxAge={MaxAge}"); }
        if (IncludeUnapproved) { q.Add("IncludeUnapproved=true"); }
        if ((biomarker ?? Biomarker) is { Length: > 0 } b) { q.Add($"Biomarker={Uri.EscapeDataString(b)}"); }
        return "/Analysis?" + string.Join("&", q);
    }

    private void Apply(AnalysisRequest r)
    {
        Biomarkers = r.Biomarkers;
        var parts = r.Response.Split(':');
        ResponseKind = parts[0];
        From = parts[1];
        To = parts.Length > 2 ? parts[2] : To;
        (Organ, Metric) = (r.Dose.Split(':')[0], r.Dose.Split(':')[1]);
        DoseVersion = r.DoseVersion;
        Covariates = r.Covariates.ToList();
        Sites = r.Sites.ToList();
        Modality = r.Modality;
        Sex = r.Sex;
        MinAge = r.MinAge;
        MaxAge = r.MaxAge;
        IncludeUnapproved = !r.ApprovedRunsOnly;
        BelowLodMode = r.BelowLod switch { BelowLod.LodOverSqrt2 => "lod-sqrt2", BelowLod.AsMeasured => "as-measured", _ => "exclude" };
        MinN = r.MinN;
    }

    private static readonly string[] BelowLodModes = ["exclude", "lod-sqrt2", "as-measured"];

    /// <summary>
    /// The two choices only this page parses (response kind, below-LOD mode), checked before anything runs; organ, metric and
    /// timepoints are checked by the analysis itself, for the CLI too.
    /// </summary>
    private bool ChoicesAreKnown()
    {
        // A parameter left out of the query keeps its default (a bookmark may hold only some): not an error.
        foreach (var key in new[] { nameof(Biomarkers), nameof(ResponseKind), nameof(From), nameof(To), nameof(Organ), nameof(Metric), nameof(BelowLodMode), nameof(Sort) })
        {
            if (!Request.Query.ContainsKey(key))
            {
                ModelState.Remove(key);
            }
        }
        var known = true;
        void Unknown(string field, string label, string value, IEnumerable<string> choices)
        {
            ModelState.AddModelError(field, $"{label}: '{value}' is not one of {string.Join(", ", choices)}.");
            known = false;
        }
        if (ResponseKind is not ("value" or "change"))
        {
            Unknown(nameof(ResponseKind), "Response", ResponseKind ?? "", ["value", "change"]);
        }
        if (!BelowLodModes.Contains(BelowLodMode, StringComparer.Ordinal))
        {
            Unknown(nameof(BelowLodMode), "Values below the LOD", BelowLodMode ?? "", BelowLodModes);
        }
        return known;
    }

    private async Task<bool> RunAsync(CancellationToken ct)
    {
        if (!ChoicesAreKnown())
        {
            return false;
        }
        var result = await analysis.RunAsync(HttpContext.Caller(), Ask, ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(result.Problem!.Field ?? string.Empty, result.Problem.Message);
            return false;
        }
        Outcome = result.Value!;
        Sorted = Sort switch
        {
            "effect" => Outcome.Results.OrderByDescending(r => double.IsNaN(r.Slope) ? double.MinValue : Math.Abs(r.Slope)).ToList(),
            "n" => Outcome.Results.OrderByDescending(r => r.N).ToList(),
            "rho" => Outcome.Results.OrderBy(r => double.IsNaN(r.SpearmanQ) ? 2 : r.SpearmanQ).ToList(),
            _ => Outcome.Results,
        };
        VolcanoSvg = Plots.Volcano(Outcome.Results, b => LinkTo(b));
        if (Biomarker is { Length: > 0 } code && Outcome.BiomarkerCodes.ToList().IndexOf(code) is var bi and >= 0)
        {
            var points = Outcome.Patients.Select((p, i) => (p.Pseudonym, p.Dose, Response: Outcome.Response(i, bi), p.Modality))
                .Where(x => !double.IsNaN(x.Response)).ToList();
            ScatterSvg = Plots.Scatter(code, points);
            var pseudonyms = Outcome.Patients.Select(p => p.Pseudonym).ToHashSet(StringComparer.Ordinal);
            BoxSvg = Plots.BoxPlots(code, await analysis.TimepointValuesAsync(HttpContext.Caller(), code, !IncludeUnapproved, pseudonyms, ct));
        }
        return true;
    }

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        Timepoints = await protocol.TimepointsAsync(ct);
        await using var c = await db.OpenAsync(ct);
        Organs = (await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT code FROM organ ORDER BY code")).ToList();
        Metrics = (await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT name FROM dose_metric ORDER BY name")).ToList();
        Versions = (await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT label FROM dose_version ORDER BY id DESC")).ToList();
        SavedList = await saved.ListAsync(HttpContext.Caller(), ct);
    }
}
