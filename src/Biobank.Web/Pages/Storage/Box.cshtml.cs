using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Storage;

[RequestSizeLimit(BoxModel.MaxRackFileBytes)]
public sealed class BoxModel(StorageSetup storage, TubeQueries tubes, RackImport rackImport) : PageModel
{
    public const long MaxRackFileBytes = 1024 * 1024;

    public BoxRow? Box { get; private set; }

    public IReadOnlyDictionary<(int Row, int Col), TubeView> Tubes { get; private set; } = new Dictionary<(int, int), TubeView>();

    public IReadOnlyList<RackRow> Racks { get; private set; } = [];

    public IReadOnlyList<FreezerRow> Freezers { get; private set; } = [];

    public IReadOnlyList<RowProblem> ImportProblems { get; private set; } = [];

    [BindProperty] public long? RackId { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public IFormFile? RackFile { get; set; }

    public async Task<IActionResult> OnGetAsync(string barcode, CancellationToken ct) =>
        await LoadAsync(barcode, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostMoveAsync(string barcode, CancellationToken ct)
    {
        var result = await storage.MoveBoxAsync(HttpContext.Caller(), barcode, RackId, Reason, ct);
        if (!result.Ok)
        {
            return result.Problem!.Kind == Core.Common.ProblemKind.NotFound && !await LoadAsync(barcode, ct) ? NotFound() : await Fail(barcode, result.Problem.Message, ct);
        }
        TempData["Status"] = "Box moved.";
        return Redirect($"/Storage/Box/{Uri.EscapeDataString(barcode)}");
    }

    public async Task<IActionResult> OnPostImportAsync(string barcode, CancellationToken ct)
    {
        if (RackFile is null || RackFile.Length == 0)
        {
            return await Fail(barcode, "Choose the rack scanner's CSV file.", ct);
        }
        if (RackFile.Length > MaxRackFileBytes)
        {
            return await Fail(barcode, "A rack file is at most 1 MB.", ct);
        }
        try
        {
            await using var stream = RackFile.OpenReadStream();
            var result = await rackImport.ExecuteAsync(HttpContext.Caller(), barcode, stream, ct);
            if (!result.Ok)
            {
                return await Fail(barcode, result.Problem!.Message, ct);
            }
            var r = result.Value!;
            TempData["Status"] = $"Rack file imported: {r.Stored} tube(s) stored, {r.Unchanged} already in place, {r.Empty} empty position(s).";
            return Redirect($"/Storage/Box/{Uri.EscapeDataString(barcode)}");
        }
        catch (RackImportException e)
        {
            ImportProblems = e.Problems;
            return await Fail(barcode, e.Message, ct);
        }
    }

    private async Task<IActionResult> Fail(string barcode, string message, CancellationToken ct)
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
        Box = await storage.BoxAsync(caller, barcode, ct);
        if (Box is null)
        {
            return false;
        }
        Tubes = (await tubes.InBoxAsync(caller, Box.Id, ct)).ToDictionary(t => (t.PosRow!.Value, t.PosCol!.Value));
        Racks = await storage.RacksAsync(caller, ct);
        Freezers = (await storage.FreezersAsync(caller, ct)).Where(f => f.SiteId == Box.SiteId).ToList();
        return true;
    }
}
