using Biobank.Core.Assays;
using Biobank.Core.Assays.Formats;
using Biobank.Core.Data;
using Biobank.Web.Infrastructure;
using Biobank.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Assays;

/// <summary>Runs to review and the upload that starts a background import (the file is streamed to disk, never held in memory).</summary>
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class IndexModel(AssayRuns runs, ImportJobs jobs, ImportDispatcher dispatcher, IConfiguration config) : PageModel
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public IReadOnlyList<AssayRunView> Runs { get; private set; } = [];
    public IReadOnlyList<ImportJobView> Jobs { get; private set; } = [];

    [BindProperty] public IFormFile? Upload { get; set; }
    [BindProperty] public string Format { get; set; } = AssayFormatRegistry.Auto;

    /// <summary>The format choice: auto first, then every registered format.</summary>
    public static IReadOnlyList<IAssayFormat> Formats => AssayFormatRegistry.All;
    [BindProperty] public string? RunCode { get; set; }
    [BindProperty] public string? Platform { get; set; }
    [BindProperty] public bool AddAnalytes { get; set; }
    [BindProperty] public string? References { get; set; }
    [BindProperty] public decimal ConsumeUl { get; set; } = 10;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose the result file (CSV or XLSX).");
        }
        if (string.IsNullOrWhiteSpace(RunCode) || RunCode.Length > 60)
        {
            ModelState.AddModelError(nameof(RunCode), "Give the run or plate ID (at most 60 characters).");
        }
        if (!AssayFormatChoice.TryParse(Format, out var format))
        {
            ModelState.AddModelError(nameof(Format), $"Format: {AssayFormatRegistry.Choices.Replace("|", ", ", StringComparison.Ordinal)}.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var folder = Path.Combine(config["Biobank:DataFolder"] is { Length: > 0 } d ? d : Path.GetDirectoryName(DatabaseOptions.DefaultSqlitePath(config))!, "imports");
        Directory.CreateDirectory(folder);
        var extension = Path.GetExtension(Upload!.FileName).ToLowerInvariant() switch { ".xlsx" => ".xlsx", ".parquet" => ".parquet", ".txt" => ".txt", _ => ".csv" };
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}{extension}");
        await using (var target = System.IO.File.Create(path))
        {
            await Upload.CopyToAsync(target, ct);
        }
        var queued = await jobs.EnqueueAsync(HttpContext.Caller(), new ImportJobRequest(path, Path.GetFileName(Upload.FileName), format, RunCode!.Trim(),
            string.IsNullOrWhiteSpace(Platform) ? null : Platform.Trim(), AddAnalytes,
            string.IsNullOrWhiteSpace(References) ? null : References.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), ConsumeUl,
            Spooled: true), ct);
        if (!queued.Ok)
        {
            System.IO.File.Delete(path);
            ModelState.AddModelError(queued.Problem!.Field ?? string.Empty, queued.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        await dispatcher.ScheduleAsync(queued.Value, ct);
        return Redirect($"/Assays/Job/{queued.Value}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Runs = await runs.ListAsync(null, null, 200, ct);
        Jobs = await jobs.ListAsync(HttpContext.Caller(), 20, ct);
    }
}
