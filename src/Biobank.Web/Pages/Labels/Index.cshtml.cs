using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Web.Infrastructure;
using Biobank.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Labels;

/// <summary>
/// Print labels: choose what (scanned aliquots, a box's label or its tubes, a sample's aliquots), the
/// template and the output (PDF, ZPL file, or one of the site's printers); preview the first label,
/// then print. Every print is audited. Labels for a printer go as a batch a background job sends, so a printer that
/// is off does not keep the user waiting: the page lists the site's recent batches and how each ended.
/// </summary>
public sealed class IndexModel(PreviewLabels preview, PrintLabels print, LabelBatches batches, LabelBatchDispatcher dispatcher, LabelTemplates templates, Printers printers) : PageModel
{
    public const int ShownRows = 200;

    // Nullable so a first visit, with no query string, shows the form with these defaults and no "field is required"
    // (ASP.NET Core treats a non-nullable string as required); a bad or empty choice is named by the use case when run.
    [BindProperty(SupportsGet = true)] public string? Source { get; set; } = LabelSources.Aliquots;
    [BindProperty(SupportsGet = true)] public string? Barcodes { get; set; }
    [BindProperty(SupportsGet = true)] public string? BoxBarcode { get; set; }
    [BindProperty(SupportsGet = true)] public string? SampleBarcode { get; set; }
    [BindProperty(SupportsGet = true)] public string? Template { get; set; }
    [BindProperty(SupportsGet = true)] public string? Output { get; set; } = LabelOutputs.Pdf;
    [BindProperty(SupportsGet = true)] public int Dpi { get; set; } = 203;
    [BindProperty(SupportsGet = true)] public long? PrinterId { get; set; }

    public IReadOnlyList<string> Templates { get; private set; } = [];

    public IReadOnlyList<PrinterRow> SitePrinters { get; private set; } = [];

    /// <summary>The labels checked by the last preview, shown before printing.</summary>
    public LabelSet? Set { get; private set; }

    public string? PreviewUrl { get; private set; }

    /// <summary>The site's recent batches for printers, newest first.</summary>
    public IReadOnlyList<LabelBatchView> Batches { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        // A link such as the box page's "Print labels" arrives with its choice made: show the preview at once.
        if (HasInput)
        {
            await CheckAsync(reportProblem: true, ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        await CheckAsync(reportProblem: true, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPrintAsync(CancellationToken ct)
    {
        Template ??= DefaultTemplate;
        var command = new PrintLabelsCommand(Selection, Template, Output, Dpi, PrinterId);
        if (Output == LabelOutputs.Printer)
        {
            var queued = await batches.SubmitAsync(HttpContext.Caller(), command, ct);
            if (!queued.Ok)
            {
                return await RefusedAsync(queued.Problem!, ct);
            }
            var batch = queued.Value!;
            await dispatcher.DispatchAsync(batch.Id, ct);
            TempData["Status"] = $"{Count(batch.Labels)} of {batch.Description} queued for printer {batch.PrinterName} (batch {batch.Id}); the list below shows when they are printed.";
            return Redirect(Url.Page("/Labels/Index", new { Source, BoxBarcode, SampleBarcode, Template, Output, PrinterId })!);
        }
        var result = await print.ExecuteAsync(HttpContext.Caller(), command, ct);
        if (!result.Ok)
        {
            return await RefusedAsync(result.Problem!, ct);
        }
        return File(result.Value!.File!.Content, result.Value.File.ContentType, result.Value.File.FileName);
    }

    private async Task<IActionResult> RefusedAsync(Problem problem, CancellationToken ct)
    {
        ModelState.AddModelError(problem.Field ?? string.Empty, problem.Message);
        // The form again, with the labels shown if they themselves were fine (a printer of another site, say).
        await LoadAsync(ct);
        await CheckAsync(reportProblem: false, ct);
        return Page();
    }

    /// <summary>The first label as a PNG, for the preview's &lt;img&gt;.</summary>
    public async Task<IActionResult> OnGetPreviewAsync(CancellationToken ct)
    {
        var result = await preview.ExecuteAsync(HttpContext.Caller(), new PreviewLabelsCommand(Selection, Template ?? DefaultTemplate, Image: true), ct);
        if (!result.Ok)
        {
            return result.Problem!.Kind == ProblemKind.NotFound ? NotFound() : BadRequest(result.Problem.Message);
        }
        Response.Headers.CacheControl = "private, no-store";
        return File(result.Value!.Png!, "image/png");
    }

    public string DefaultTemplate => LabelSources.DefaultTemplate(Source);

    private LabelSelection Selection => new(Source, Barcodes, BoxBarcode, SampleBarcode);

    private bool HasInput => !string.IsNullOrWhiteSpace(Barcodes) || !string.IsNullOrWhiteSpace(BoxBarcode) || !string.IsNullOrWhiteSpace(SampleBarcode);

    private static string Count(int n) => n == 1 ? "1 label" : $"{n:N0} labels";

    private async Task CheckAsync(bool reportProblem, CancellationToken ct)
    {
        Template ??= DefaultTemplate;
        var checkedLabels = await preview.ExecuteAsync(HttpContext.Caller(), new PreviewLabelsCommand(Selection, Template), ct);
        if (!checkedLabels.Ok)
        {
            if (reportProblem)
            {
                ModelState.AddModelError(checkedLabels.Problem!.Field ?? string.Empty, checkedLabels.Problem.Message);
            }
            return;
        }
        Set = checkedLabels.Value!.Set;
        var first = Set.Labels[0];
        PreviewUrl = Url.Page("/Labels/Index", "Preview", new
        {
            Source,
            // The preview draws the first label only: its code is all the image needs.
            Barcodes = Source == LabelSources.Aliquots ? first.Barcode : null,
            BoxBarcode = Source is LabelSources.Box or LabelSources.BoxTubes ? BoxBarcode : null,
            SampleBarcode = Source == LabelSources.Sample ? SampleBarcode : null,
            Template,
        });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Templates = templates.Names;
        var caller = HttpContext.Caller();
        // A central user sees every site's printers; the list names the site.
        SitePrinters = await printers.ListAsync(caller, activeOnly: true, ct);
        Batches = await batches.ListAsync(caller, 10, ct);
    }
}
