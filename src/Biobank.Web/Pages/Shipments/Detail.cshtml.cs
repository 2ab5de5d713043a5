using Biobank.Core.Common;
using Biobank.Core.Shipments;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Shipments;

/// <summary>One shipment through its life: build by scanning, pack, dispatch, receive by scanning, reconcile.</summary>
[RequestSizeLimit(1024 * 1024)]
public sealed class DetailModel(ShipmentQueries queries, BuildShipment build, MoveShipment move, ManifestExport manifest, TimeProvider clock) : PageModel
{
    public ShipmentView? Shipment { get; private set; }
    public IReadOnlyList<ManifestLine> Lines { get; private set; } = [];
    public IReadOnlyList<DiscrepancyView> Discrepancies { get; private set; } = [];
    public DateTime Now { get; private set; }
    public bool IsSender { get; private set; }
    public bool IsReceiver { get; private set; }
    public string? ScanMessage { get; private set; }
    public bool ScanOk { get; private set; }

    [BindProperty] public string? Code { get; set; }
    [BindProperty] public bool Damaged { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? Courier { get; set; }
    [BindProperty] public string? TrackingNumber { get; set; }
    [BindProperty] public decimal? DryIceKg { get; set; }
    [BindProperty] public string? LoggerId { get; set; }
    [BindProperty] public int Packages { get; set; } = 1;
    [BindProperty] public string? ResponsibleName { get; set; }
    [BindProperty] public string? ResponsiblePhone { get; set; }
    [BindProperty] public bool? DryIceLeft { get; set; }
    [BindProperty] public bool? LoggerOk { get; set; }
    [BindProperty] public long DiscrepancyId { get; set; }
    [BindProperty] public string? Resolution { get; set; }
    [BindProperty] public IFormFile? RackFile { get; set; }

    public async Task<IActionResult> OnGetAsync(string barcode, CancellationToken ct) => await LoadAsync(barcode, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetManifestAsync(string barcode, string format, CancellationToken ct)
    {
        var built = await manifest.BuildAsync(HttpContext.Caller(), barcode, ct);
        if (built is null)
        {
            return NotFound();
        }
        if (format == "json")
        {
            return File(ManifestExport.ToJsonBytes(built.Value.Manifest), "application/json", $"manifest-{built.Value.Shipment.Barcode}.json");
        }
        using var sw = new StringWriter();
        await ManifestExport.WriteCsvAsync(built.Value.Manifest, sw);
        return File(ManifestExport.Utf8.GetBytes(sw.ToString()), "text/csv", $"manifest-{built.Value.Shipment.Barcode}.csv");
    }

    public Task<IActionResult> OnPostAddAsync(string barcode, CancellationToken ct) =>
        ScanResultAsync(barcode, build.AddAsync(HttpContext.Caller(), barcode, Code ?? "", ct).ContinueWith(t => t.Result.Ok ? (true, t.Result.Value!.Message) : (false, t.Result.Problem!.Message), ct), ct);

    public Task<IActionResult> OnPostRemoveAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, build.RemoveAsync(HttpContext.Caller(), barcode, Code ?? "", ct), $"{Code} removed.", ct);

    public Task<IActionResult> OnPostPackAsync(string barcode, CancellationToken ct) =>
        !ModelState.IsValid
            ? ShowAsync(barcode, ct)
            : ActAsync(barcode, build.PackAsync(HttpContext.Caller(), barcode, new PackInput(Courier, TrackingNumber, DryIceKg, LoggerId, Packages, ResponsibleName, ResponsiblePhone), ct), "Packed: print the package labels and the manifest, then dispatch.", ct);

    public async Task<IActionResult> OnPostDispatchAsync(string barcode, CancellationToken ct)
    {
        var r = await move.DispatchAsync(HttpContext.Caller(), barcode, ct);
        return await ActAsync(barcode, Task.FromResult(r.Ok ? Result<bool>.Success(true) : Result<bool>.Fail(r.Problem!)), $"Dispatched: {r.Value} tube(s) are in transit.", ct);
    }

    public Task<IActionResult> OnPostReceiveAsync(string barcode, CancellationToken ct) =>
        ScanResultAsync(barcode, move.ScanAsync(HttpContext.Caller(), barcode, Code ?? "", Damaged, Note, ct)
            .ContinueWith(t => t.Result.Ok ? (t.Result.Value!.Outcome != "unexpected", t.Result.Value.Message) : (false, t.Result.Problem!.Message), ct), ct);

    /// <summary>A rack scanner's CSV (position, barcode) received in one go: every code is scanned as received.</summary>
    public async Task<IActionResult> OnPostReceiveRackAsync(string barcode, CancellationToken ct)
    {
        // Another site's shipment does not exist for this user: 404 before the file is read, like every other handler here.
        if (!await LoadAsync(barcode, ct))
        {
            return NotFound();
        }
        if (RackFile is null || RackFile.Length == 0)
        {
            return await FailAsync(barcode, "Choose the rack scanner's CSV file.", ct);
        }
        var caller = HttpContext.Caller();
        var messages = new List<string>();
        using var reader = new StreamReader(RackFile.OpenReadStream());
        await foreach (var record in new CsvRecords(reader).ReadAllAsync(ct))
        {
            var code = record.Fields.Length >= 2 ? record.Fields[1] : record.Fields.FirstOrDefault() ?? "";
            if (string.IsNullOrWhiteSpace(code) || code.Equals("barcode", StringComparison.OrdinalIgnoreCase) || code.Equals("NO TUBE", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var r = await move.ScanAsync(caller, barcode, code, false, null, ct);
            messages.Add(r.Ok ? r.Value!.Message : $"row {record.Line}: {r.Problem!.Message}");
        }
        TempData["Status"] = $"Rack file: {messages.Count} code(s) scanned. " + string.Join(" ", messages.Where(m => !m.EndsWith(" OK.", StringComparison.Ordinal)).Take(20));
        return Redirect($"/Shipments/{Uri.EscapeDataString(barcode)}");
    }

    public async Task<IActionResult> OnPostFinishAsync(string barcode, CancellationToken ct)
    {
        var r = await move.FinishReceivingAsync(HttpContext.Caller(), barcode, DryIceLeft, LoggerOk, Note, ct);
        var message = r.Ok ? $"Received: {r.Value!.Ok} OK, {r.Value.Damaged} damaged, {r.Value.Missing} missing, {r.Value.Unexpected} unexpected. Store the received tubes at the scanning station." : "";
        return await ActAsync(barcode, Task.FromResult(r.Ok ? Result<bool>.Success(true) : Result<bool>.Fail(r.Problem!)), message, ct);
    }

    public Task<IActionResult> OnPostReconcileAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, move.ReconcileAsync(HttpContext.Caller(), barcode, Note, ct), "Reconciled.", ct);

    public Task<IActionResult> OnPostResolveAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, move.ResolveAsync(HttpContext.Caller(), DiscrepancyId, Resolution ?? "", Note, ct), "Discrepancy resolved.", ct);

    private async Task<IActionResult> ScanResultAsync(string barcode, Task<(bool Ok, string Message)> work, CancellationToken ct)
    {
        var (ok, message) = await work;
        if (!await LoadAsync(barcode, ct))
        {
            return NotFound();
        }
        ScanOk = ok;
        ScanMessage = message;
        Code = null;
        ModelState.Clear();
        return Page();
    }

    private async Task<IActionResult> ActAsync(string barcode, Task<Result<bool>> work, string success, CancellationToken ct)
    {
        var r = await work;
        if (r.Ok)
        {
            TempData["Status"] = success;
            return Redirect($"/Shipments/{Uri.EscapeDataString(barcode)}");
        }
        if (r.Problem!.Kind == ProblemKind.NotFound && !await LoadAsync(barcode, ct))
        {
            return NotFound();
        }
        return await FailAsync(barcode, r.Problem.Message, ct);
    }

    /// <summary>The page again with the fields that could not be read (packages "two"): nothing is done with a default in their place.</summary>
    private async Task<IActionResult> ShowAsync(string barcode, CancellationToken ct) =>
        await LoadAsync(barcode, ct) ? Page() : NotFound();

    private async Task<IActionResult> FailAsync(string barcode, string message, CancellationToken ct)
    {
        if (!await LoadAsync(barcode, ct))
        {
            return NotFound();
        }
        ModelState.AddModelError(string.Empty, message);
        return Page();
    }

    private async Task<bool> LoadAsync(string barcode, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Now = clock.GetUtcNow().UtcDateTime;
        Shipment = await queries.ByBarcodeAsync(caller, barcode, ct);
        if (Shipment is null)
        {
            return false;
        }
        Lines = await queries.LinesAsync(caller, Shipment.Id, ct);
        Discrepancies = await queries.DiscrepanciesAsync(caller, Shipment.Id, ct);
        IsSender = caller.AllSites || caller.SiteId == Shipment.FromSiteId;
        IsReceiver = caller.AllSites || caller.SiteId == Shipment.ToSiteId;
        return true;
    }
}
