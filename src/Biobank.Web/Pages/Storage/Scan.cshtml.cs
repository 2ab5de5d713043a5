using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Storage;

/// <summary>
/// The scanning station: a keyboard-wedge scanner types a code and Enter (or Tab). Works as a plain form;
/// scan.js turns it into a burst-proof queue with sound and colour that never loses focus.
/// </summary>
public sealed class ScanModel(StorageSetup storage, TubeQueries tubes, StoreTube store, TubeActions actions) : PageModel
{
    public BoxRow? Box { get; private set; }

    public IReadOnlyDictionary<(int Row, int Col), TubeView> Tubes { get; private set; } = new Dictionary<(int, int), TubeView>();

    [BindProperty(SupportsGet = true)] public string? BoxCode { get; set; }
    // Nullable so a first visit, with no query string, shows the form with these defaults and no "field is required"
    // (ASP.NET Core treats a non-nullable string as required); a bad or empty choice is named by the use case when run.
    [BindProperty(SupportsGet = true)] public string? Mode { get; set; } = "store";
    [BindProperty] public string? Tube { get; set; }
    [BindProperty] public string? Position { get; set; }
    [BindProperty] public bool Move { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "box")] string? box, CancellationToken ct)
    {
        BoxCode ??= box;
        await LoadAsync(ct);
        if (!string.IsNullOrWhiteSpace(BoxCode) && Box is null)
        {
            Error = $"Box {BoxCode} is unknown at your site. Scan the box label again.";
        }
        return Page();
    }

    public async Task<IActionResult> OnPostScanAsync(CancellationToken ct)
    {
        var outcome = await ScanAsync(ct);
        if (Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
        {
            return new JsonResult(outcome) { StatusCode = outcome.Ok ? 200 : outcome.Status };
        }
        if (outcome.Ok)
        {
            TempData["Status"] = outcome.Message;
        }
        else
        {
            TempData["ScanError"] = outcome.Message;
        }
        return Redirect($"/Storage/Scan?box={Uri.EscapeDataString(BoxCode ?? "")}&mode={Uri.EscapeDataString(Mode ?? "store")}");
    }

    public sealed record ScanOutcome(bool Ok, int Status, string Message, string? Code, string? Barcode, string? Position, string? Colour,
        string? TypeName, string? Timepoint, int? Used, int? Capacity, string? ErrorCode);

    private async Task<ScanOutcome> ScanAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        var tube = Barcodes.Normalize(Tube);
        if (Mode is "checkout" or "checkin")
        {
            var r = Mode == "checkout" ? await actions.CheckOutAsync(caller, tube, ct) : await actions.CheckInAsync(caller, tube, ct);
            return r.Ok
                ? new ScanOutcome(true, 200, r.Value!.Message, ScanCodes.AlreadyHere, r.Value.Barcode, null, null, null, null, null, null, null)
                : Fail(r.Problem!, tube);
        }
        if (string.IsNullOrWhiteSpace(BoxCode))
        {
            return new ScanOutcome(false, 422, "Scan the box first, then its tubes.", null, tube, null, null, null, null, null, null, ScanCodes.UnknownBox);
        }
        var result = await store.ExecuteAsync(caller, new StoreCommand(BoxCode, tube, Position, Move), ct);
        if (!result.Ok)
        {
            return Fail(result.Problem!, tube);
        }
        var s = result.Value!;
        var message = s.Moved ? $"{s.Barcode} moved from {s.MovedFrom} to {s.Position}" : $"{s.Barcode} → {s.Position} · {s.SampleType} · {s.Timepoint} · {s.Pseudonym}";
        return new ScanOutcome(true, 201, message, null, s.Barcode, s.Position, s.Colour, s.SampleType, s.Timepoint, s.Used, s.Capacity, null);
    }

    private static ScanOutcome Fail(Problem p, string barcode)
    {
        var status = p.Kind switch { ProblemKind.NotFound => 404, ProblemKind.Conflict => 409, ProblemKind.Forbidden => 403, _ => 422 };
        return new ScanOutcome(false, status, p.Message, null, barcode, null, null, null, null, null, null, p.Code);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(BoxCode))
        {
            return;
        }
        var caller = HttpContext.Caller();
        Box = await storage.BoxAsync(caller, BoxCode, ct);
        if (Box is not null)
        {
            BoxCode = Box.Barcode;
            Tubes = (await tubes.InBoxAsync(caller, Box.Id, ct)).ToDictionary(t => (t.PosRow!.Value, t.PosCol!.Value));
        }
    }
}
