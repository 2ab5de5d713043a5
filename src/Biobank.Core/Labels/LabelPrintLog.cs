using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;

namespace Biobank.Core.Labels;

/// <summary>How a job was printed: downloaded as a file format, or sent to a named printer.</summary>
public sealed record PrintTarget(string Format, string? Printer = null)
{
    public override string ToString() => Printer is null ? Format : $"{Format} to {Printer}";
}

/// <summary>
/// Every print writes one audit row per tube or box labelled (action <c>print</c>), so a tube's history
/// shows when its label was printed and every reprint after it — a second label for one tube is how
/// mix-ups start.
/// </summary>
public sealed class LabelPrintLog(IDb db, IAudit audit)
{
    private readonly string _earlier = $"""
        SELECT DISTINCT a.row_key FROM audit_log a
        WHERE (@AllSites OR a.site_id = @ScopeSiteId) AND a.action = 'print' AND a.table_name = @Table AND {db.Dialect.InList("a.row_key", "@Keys")}
        """;

    /// <summary>Records the job; returns how many of its tubes or boxes had been printed before (reprints).</summary>
    public async Task<int> RecordAsync(Caller caller, LabelSet set, string template, PrintTarget target, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var printedBefore = new HashSet<(string, string)>();
        foreach (var table in set.Labels.Select(l => l.Table).Distinct())
        {
            foreach (var chunk in set.Labels.Where(l => l.Table == table).Select(l => l.Id.ToString()).Distinct().Chunk(500))
            {
                foreach (var key in await c.QueryScopedAsync<string>(_earlier, caller, new { Table = table, Keys = chunk }, tx, ct))
                {
                    printedBefore.Add((table, key));
                }
            }
        }
        var reprints = 0;
        foreach (var label in set.Labels.GroupBy(l => (l.Table, l.Id)))
        {
            var first = label.First();
            var key = first.Id.ToString();
            var reprint = printedBefore.Contains((first.Table, key));
            reprints += reprint ? 1 : 0;
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Print, first.Table, key, New: new
            {
                first.Barcode,
                Template = template,
                Count = set.Labels.Count,
                Copies = label.Count(),
                target.Format,
                target.Printer,
                Reprint = reprint,
            }, SiteId: first.SiteId), ct);
        }
        await tx.CommitAsync(ct);
        return reprints;
    }
}
