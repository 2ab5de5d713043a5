using System.Globalization;
using System.Text;
using Biobank.Core.Samples;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples;

/// <summary>Finds tubes by barcode, patient, timepoint, type, status, site and box; pages by key; exports every match as CSV.</summary>
public sealed class SearchModel(TubeQueries tubes, ExportTubes export, Core.Samples.Protocol protocol, SiteDirectory sites, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Barcode { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Pseudonym { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Timepoint { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? SampleType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Site { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Box { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? After { get; set; }

    public IReadOnlyList<TubeView> Results { get; private set; } = [];

    public IReadOnlyList<Timepoint> Timepoints { get; private set; } = [];

    public IReadOnlyList<SampleType> SampleTypes { get; private set; } = [];

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    public bool Central { get; private set; }

    public long? NextAfter { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Central = caller.AllSites;
        Timepoints = await protocol.TimepointsAsync(ct);
        SampleTypes = await protocol.SampleTypesAsync(ct);
        Sites = Central ? await sites.ListAsync(caller, ct) : [];
        if (!CheckBarcode())
        {
            return;
        }
        Results = await tubes.SearchAsync(caller, Filter() with { AfterId = After, Limit = PageSize }, ct);
        NextAfter = Results.Count == PageSize ? Results[^1].Id : null;
    }

    /// <summary>Streams every match straight to the response: a half-million-row export never sits in memory.</summary>
    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        if (!CheckBarcode())
        {
            return BadRequest(ModelState[nameof(Barcode)]!.Errors[0].ErrorMessage);
        }
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"tubes-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}.csv\"";
        Response.Headers.CacheControl = "no-store";
        await using (var writer = new StreamWriter(Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen: true))
        {
            await export.ExecuteAsync(HttpContext.Caller(), Filter(), writer, ct);
        }
        return new EmptyResult();
    }

    /// <summary>The filters as a query string for the export and paging links; empty ones are left out.</summary>
    public Dictionary<string, string> Query(long? after = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["barcode"] = Barcode, ["pseudonym"] = Pseudonym, ["timepoint"] = Timepoint, ["sampleType"] = SampleType,
            ["status"] = Status, ["site"] = Central ? Site : null, ["box"] = Box, ["after"] = after?.ToString(CultureInfo.InvariantCulture),
        };
        return all.Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value!);
    }

    public bool Filtered => new[] { Barcode, Pseudonym, Timepoint, SampleType, Status, Central ? Site : null, Box }.Any(s => !string.IsNullOrWhiteSpace(s));

    private bool CheckBarcode()
    {
        if (string.IsNullOrWhiteSpace(Barcode))
        {
            return true;
        }
        var code = Barcodes.Normalize(Barcode);
        var check = Barcodes.Check(code);
        if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
        {
            ModelState.AddModelError(nameof(Barcode), Barcodes.Explain(check, code)!);
            return false;
        }
        Barcode = Barcodes.Canonical(code);
        return true;
    }

    // Only central users choose a site; everyone else's queries are held to their own site by the scope in Core anyway.
    private TubeSearch Filter() => new(Barcode, Pseudonym, Timepoint, SampleType, Status, HttpContext.Caller().AllSites ? Site : null, Box);
}
