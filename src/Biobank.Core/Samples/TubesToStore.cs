using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record TubesWaiting(int Count, IReadOnlyList<TubeView> Newest);

/// <summary>Tubes registered at the bench but not yet scanned into a box: the technicians' to-do list.</summary>
public sealed class TubesToStore(IDb db)
{
    // A primary tube aliquoted down to nothing stays 'registered' but has nothing left to store.
    private const string Waiting = "t.status = 'registered' AND t.remaining_ul > 0";

    private const string CountSql = "SELECT COUNT(*) FROM tube t WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND " + Waiting;

    private const string NewestSql = TubeQueries.Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND " + Waiting + " ORDER BY t.id DESC LIMIT @Limit";

    public async Task<TubesWaiting> ExecuteAsync(Caller caller, int newest, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var count = await c.ScalarScopedAsync<long>(CountSql, caller, ct: ct);
        var rows = (await c.QueryScopedAsync<TubeView>(NewestSql, caller, new { Limit = Math.Clamp(newest, 1, 100) }, ct: ct)).AsList();
        return new TubesWaiting((int)count, rows);
    }
}
