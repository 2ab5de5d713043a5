using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Labels;

/// <summary>
/// Print labels: choose what (scanned aliquots, a box's label or its tubes, a sample's aliquots), the
/// template and the output (PDF, ZPL file, or one of the site's printers); preview the first label,
/// then print. Every print is audited.
/// </summary>
public sealed class IndexModel(PreviewLabels preview, PrintLabels print, LabelTemplates templates, Printers printers) : PageModel
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
        var result = await print.ExecuteAsync(HttpContext.Caller(), new PrintLabelsCommand(Selection, Template, Output, Dpi, PrinterId), ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(result.Problem!.Field ?? string.Empty, result.Problem.Message);
            // The form again, with the labels shown if they themselves were fine (a printer that is off, say).
            await LoadAsync(ct);
            await CheckAsync(reportProblem: false, ct);
            return Page();
        }
        var outcome = result.Value!;
        if (outcome.File is { } file)
        {
            return File(file.Content, file.ContentType, file.FileName);
        }
        TempData["Status"] = $"{Count(outcome.Labels)} of {outcome.Set.Description} sent to printer {outcome.Printer}" +
            (outcome.Reprints > 0 ? $" ({outcome.Reprints} printed before: recorded as reprints)." : ".");
        return Redirect(Url.Page("/Labels/Index", new { Source, BoxBarcode, SampleBarcode, Template, Output, PrinterId })!);
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
    }
}
