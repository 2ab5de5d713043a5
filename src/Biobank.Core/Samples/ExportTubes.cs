using System.Globalization;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;

namespace Biobank.Core.Samples;

/// <summary>
/// Writes every tube matching a search as CSV, row by row from the database to the writer (never a list in memory),
/// and records in the audit trail who took which filter and how many rows left the system.
/// </summary>
public sealed class ExportTubes(IDb db, IAudit audit, TubeQueries tubes)
{
    public static readonly IReadOnlyList<string> Columns =
        ["barcode", "kind", "type", "pseudonym", "timepoint", "status", "site", "box", "position", "volume_ul", "remaining_ul", "freeze_thaw", "sprec"];

    public async Task<long> ExecuteAsync(Caller caller, TubeSearch filter, TextWriter output, CancellationToken ct)
    {
        // An export is every match: paging does not apply.
        var search = filter with { AfterId = null, Limit = int.MaxValue };
        long rows = 0;
        var complete = false;
        try
        {
            await CsvOutput.WriteRowAsync(output, Columns, ct);
            await foreach (var t in tubes.StreamAsync(caller, search, ct))
            {
                await CsvOutput.WriteRowAsync(output, Row(t), ct);
                rows++;
            }
            await output.FlushAsync(ct);
            complete = true;
        }
        finally
        {
            // A download broken off half-way is audited too: those rows have left the system.
            await using var c = await db.OpenAsync(CancellationToken.None);
            await audit.WriteAsync(c, null, caller.UserName, new AuditEntry(AuditActions.Export, "tube", "search", New: new
            {
                Filters = new { search.Barcode, search.Pseudonym, search.Timepoint, search.SampleType, search.Status, search.Site, search.Box },
                Rows = rows,
                Complete = complete,
            }, SiteId: caller.SiteId), CancellationToken.None);
        }
        return rows;
    }

    private static string?[] Row(TubeView t) =>
    [
        t.Barcode, t.Kind, t.SampleTypeCode, t.Pseudonym, t.TimepointCode, t.Status, t.SiteCode, t.BoxBarcode, t.Position,
        Number(t.VolumeUl), Number(t.RemainingUl), t.FreezeThawCount.ToString(CultureInfo.InvariantCulture), t.Sprec,
    ];

    private static string Number(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
