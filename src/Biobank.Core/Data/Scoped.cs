using System.Data.Common;
using Biobank.Core.Common;
using Dapper;

namespace Biobank.Core.Data;

/// <summary>
/// The one way to read site-owned rows. Its SQL must carry the scope predicate
/// <c>(@AllSites OR x.site_id = @ScopeSiteId)</c>; a query without it is refused at run time, so a
/// forgotten filter fails the first test that runs it instead of leaking another site's rows.
/// </summary>
public static class Scoped
{
    public const string SiteParameter = "@ScopeSiteId";

    public static DynamicParameters Params(Caller caller, object? args = null)
    {
        var p = new DynamicParameters(args);
        p.Add("AllSites", caller.AllSites);
        // -1 never matches a site id; avoids typing a NULL parameter for central callers.
        p.Add("ScopeSiteId", caller.SiteId ?? -1L);
        return p;
    }

    public static Task<IEnumerable<T>> QueryScopedAsync<T>(this DbConnection c, string sql, Caller caller, object? args = null, DbTransaction? tx = null, CancellationToken ct = default) =>
        c.QueryAsync<T>(new CommandDefinition(Check(sql), Params(caller, args), tx, cancellationToken: ct));

    public static Task<T?> QuerySingleScopedAsync<T>(this DbConnection c, string sql, Caller caller, object? args = null, DbTransaction? tx = null, CancellationToken ct = default) =>
        c.QuerySingleOrDefaultAsync<T>(new CommandDefinition(Check(sql), Params(caller, args), tx, cancellationToken: ct));

    public static IAsyncEnumerable<T> QueryScopedUnbufferedAsync<T>(this DbConnection c, string sql, Caller caller, object? args = null, DbTransaction? tx = null) =>
        c.QueryUnbufferedAsync<T>(Check(sql), Params(caller, args), tx);

    public static Task<T> ScalarScopedAsync<T>(this DbConnection c, string sql, Caller caller, object? args = null, DbTransaction? tx = null, CancellationToken ct = default) =>
        c.ExecuteScalarAsync<T>(new CommandDefinition(Check(sql), Params(caller, args), tx, cancellationToken: ct))!;

    private static string Check(string sql)
    {
        if (!sql.Contains(SiteParameter, StringComparison.Ordinal) || !sql.Contains("@AllSites", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A scoped query must filter by (@AllSites OR site_id = @ScopeSiteId).");
        }
        return sql;
    }
}
