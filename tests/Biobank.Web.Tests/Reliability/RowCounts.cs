using Biobank.Core.Data;
using Dapper;

namespace Biobank.Web.Tests.Reliability;

/// <summary>
/// The row count of every table the schema holds (read from the catalogue, so a new table is covered without editing
/// a list): a refused input must leave every count as it was.
/// </summary>
public sealed record RowCounts(IReadOnlyDictionary<string, long> Tables)
{
    private const string SqliteTables = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";

    private const string PostgresTables = """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
        """;

    public static async Task<RowCounts> TakeAsync(IDb db)
    {
        await using var c = await db.OpenAsync(default);
        var names = await c.QueryAsync<string>(db.Dialect.Provider == DatabaseProvider.Sqlite ? SqliteTables : PostgresTables);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // Names come from the catalogue, never from input. Hangfire's job store is not among them (a file or schema of its own).
            counts[name] = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{name}\"");
        }
        return new RowCounts(counts);
    }

    /// <summary>The tables whose count changed, as "table: before → after".</summary>
    public IReadOnlyList<string> Changes(RowCounts after, IReadOnlySet<string>? allowed = null) =>
        Tables.Keys.Union(after.Tables.Keys)
            .Where(t => allowed is null || !allowed.Contains(t))
            .Select(t => (t, Before: Tables.GetValueOrDefault(t, -1), After: after.Tables.GetValueOrDefault(t, -1)))
            .Where(x => x.Before != x.After)
            .Select(x => $"{x.t}: {x.Before} → {x.After}")
            .ToList();
}
