using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Web.Infrastructure;
using Biobank.Web.Labels;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Labels;

/// <summary>
/// Print labels: choose what (scanned aliquots, a box's label or its tubes, a sample's aliquots), the
/// template and the output (PDF, ZPL file, or one of the site's printers); preview the first label,
/// then print. Every print is audited.
/// </summary>
public sealed class IndexModel(LabelData data, LabelPrinting printing, LabelTemplates templates, Printers printers) : PageModel
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
            await CheckAsync(ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        await CheckAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPrintAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var set = await CheckAsync(ct);
        if (set is null)
        {
            return Page();
        }
        var result = await printing.PrintAsync(HttpContext.Caller(), set, new PrintRequest(Template, Output ?? "", Dpi, PrinterId), ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(result.Problem!.Field ?? string.Empty, result.Problem.Message);
            return Page();
        }
        var outcome = result.Value!;
        if (outcome.File is { } file)
        {
            return File(file.Content, file.ContentType, file.FileName);
        }
        TempData["Status"] = $"{Count(outcome.Labels)} of {set.Description} sent to printer {outcome.Printer}" +
            (outcome.Reprints > 0 ? $" ({outcome.Reprints} printed before: recorded as reprints)." : ".");
        return Redirect(Url.Page("/Labels/Index", new { Source, BoxBarcode, SampleBarcode, Template, Output, PrinterId })!);
    }

    /// <summary>The first label as a PNG, for the preview's &lt;img&gt;.</summary>
    public async Task<IActionResult> OnGetPreviewAsync(CancellationToken ct)
    {
        var set = await BuildAsync(ct);
        if (!set.Ok)
        {
            return set.Problem!.Kind == ProblemKind.NotFound ? NotFound() : BadRequest(set.Problem.Message);
        }
        var png = printing.Preview(set.Value!, Template ?? DefaultTemplate);
        if (!png.Ok)
        {
            return BadRequest(png.Problem!.Message);
        }
        Response.Headers.CacheControl = "private, no-store";
        return File(png.Value!, "image/png");
    }

    public string DefaultTemplate => Source == LabelSources.Box ? "box" : "cryovial-2d";

    private bool HasInput => !string.IsNullOrWhiteSpace(Barcodes) || !string.IsNullOrWhiteSpace(BoxBarcode) || !string.IsNullOrWhiteSpace(SampleBarcode);

    private static string Count(int n) => n == 1 ? "1 label" : $"{n:N0} labels";

    private async Task<LabelSet?> CheckAsync(CancellationToken ct)
    {
        var built = await BuildAsync(ct);
        if (!built.Ok)
        {
            ModelState.AddModelError(built.Problem!.Field ?? string.Empty, built.Problem.Message);
            return null;
        }
        var set = built.Value!;
        Template ??= DefaultTemplate;
        var template = printing.TemplateFor(set, Template);
        if (!template.Ok)
        {
            ModelState.AddModelError(template.Problem!.Field ?? string.Empty, template.Problem.Message);
            return null;
        }
        Set = set;
        var first = set.Labels[0];
        PreviewUrl = Url.Page("/Labels/Index", "Preview", new
        {
            Source,
            // The preview draws the first label only: its code is all the image needs.
            Barcodes = Source == LabelSources.Aliquots ? first.Barcode : null,
            BoxBarcode = Source is LabelSources.Box or LabelSources.BoxTubes ? BoxBarcode : null,
            SampleBarcode = Source == LabelSources.Sample ? SampleBarcode : null,
            Template,
        });
        return set;
    }

    private Task<Result<LabelSet>> BuildAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        return Source switch
        {
            LabelSources.Aliquots => data.AliquotsAsync(caller, (Barcodes ?? "").Split('\n'), ct),
            LabelSources.Box => data.BoxAsync(caller, BoxBarcode, itsTubes: false, ct),
            LabelSources.BoxTubes => data.BoxAsync(caller, BoxBarcode, itsTubes: true, ct),
            LabelSources.Sample => data.SampleAsync(caller, SampleBarcode, ct),
            _ => Task.FromResult(Result<LabelSet>.Invalid("Choose what to print.", nameof(Source))),
        };
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Templates = templates.Names;
        var caller = HttpContext.Caller();
        // A central user sees every site's printers; the list names the site.
        SitePrinters = await printers.ListAsync(caller, activeOnly: true, ct);
    }
}
