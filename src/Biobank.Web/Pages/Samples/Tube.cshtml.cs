using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples;

/// <summary>One tube: what it is, where it is, where it came from, what happened to it; and the bench actions on it.</summary>
public sealed class TubeModel(TubeQueries tubes, TubeActions actions) : PageModel
{
    public TubeView? Tube { get; private set; }

    public TubeView? Parent { get; private set; }

    public IReadOnlyList<TubeView> Children { get; private set; } = [];

    public IReadOnlyList<CustodyEntry> History { get; private set; } = [];

    /// <summary>Set when the code in the address is not one the system can look up: the page explains instead of 404.</summary>
    public string? BadCode { get; private set; }

    [BindProperty]
    public decimal? ConsumeVolumeUl { get; set; }

    [BindProperty]
    public string? ConsumeReason { get; set; }

    [BindProperty]
    public string? DestroyReason { get; set; }

    public async Task<IActionResult> OnGetAsync(string barcode, CancellationToken ct) => await ShowAsync(barcode, ct);

    public Task<IActionResult> OnPostCheckOutAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, "barcode", code => actions.CheckOutAsync(HttpContext.Caller(), code, ct), ct);

    public Task<IActionResult> OnPostCheckInAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, "barcode", code => actions.CheckInAsync(HttpContext.Caller(), code, ct), ct);

    public Task<IActionResult> OnPostConsumeAsync(string barcode, CancellationToken ct) =>
        ConsumeVolumeUl is not { } volume
            ? RefuseAsync(barcode, nameof(ConsumeVolumeUl), "Say how many µL were used.", ct)
            : ActAsync(barcode, nameof(ConsumeVolumeUl), code => actions.ConsumeAsync(HttpContext.Caller(), code, volume, Blank(ConsumeReason), ct), ct);

    public Task<IActionResult> OnPostDestroyAsync(string barcode, CancellationToken ct) =>
        ActAsync(barcode, nameof(DestroyReason), code => actions.DestroyAsync(HttpContext.Caller(), code, DestroyReason ?? "", ct), ct);

    private async Task<IActionResult> ActAsync(string barcode, string field, Func<string, Task<Result<TubeActionResult>>> act, CancellationToken ct)
    {
        if (!await LoadAsync(barcode, ct))
        {
            return Missing();
        }
        var result = await act(Tube!.Barcode);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            var under = result.Problem.Field switch
            {
                "VolumeUl" => nameof(ConsumeVolumeUl),
                "Reason" => field == nameof(ConsumeVolumeUl) ? nameof(ConsumeReason) : field,
                _ => "",
            };
            return await RefuseAsync(barcode, under, result.Problem.Message, ct);
        }
        TempData["Status"] = result.Value!.Message;
        return RedirectToPage(new { barcode = Tube.Barcode });
    }

    private async Task<IActionResult> RefuseAsync(string barcode, string field, string message, CancellationToken ct)
    {
        ModelState.AddModelError(field, message);
        return await ShowAsync(barcode, ct);
    }

    private async Task<IActionResult> ShowAsync(string barcode, CancellationToken ct) =>
        await LoadAsync(barcode, ct) ? Page() : Missing();

    /// <summary>A mistyped or misread code is the user's to fix (422, with words); a well-formed code nobody here knows is a 404.</summary>
    private IActionResult Missing()
    {
        if (BadCode is null)
        {
            return NotFound();
        }
        var page = Page();
        page.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return page;
    }

    private async Task<bool> LoadAsync(string barcode, CancellationToken ct)
    {
        var code = Barcodes.Normalize(barcode);
        var check = Barcodes.Check(code);
        if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
        {
            BadCode = Barcodes.Explain(check, code);
            return false;
        }
        var caller = HttpContext.Caller();
        Tube = await tubes.ByBarcodeAsync(caller, Barcodes.Canonical(code), ct);
        if (Tube is null)
        {
            return false;
        }
        Parent = Tube.ParentId is { } parentId ? await tubes.ByIdAsync(caller, parentId, ct) : null;
        Children = await tubes.ChildrenAsync(caller, Tube.Id, ct);
        History = await tubes.HistoryAsync(caller, Tube.Id, ct);
        return true;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
