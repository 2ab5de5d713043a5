using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Web.Tests.Security;

/// <summary>
/// Every table's row count and a checksum of every one of its rows, read from the catalogue so a new table is covered
/// without editing a list. Rows are hashed one by one and the hashes sorted, so the checksum does not depend on the
/// order a database returns them in (PostgreSQL has no rowid).
/// </summary>
public sealed record DatabaseFingerprint(IReadOnlyDictionary<string, (long Rows, string Sum)> Tables)
{
    private const string SqliteTables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

    private const string PostgresTables = """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
        """;

    /// <summary>Above this many rows a table is only counted after each probe attempt (its rows are summed at the ends).</summary>
    public const int PerAttemptRows = 5000;

    public static async Task<DatabaseFingerprint> TakeAsync(IDb db, int? sumUpToRows = null)
    {
        await using var c = await db.OpenAsync(default);
        var names = (await c.QueryAsync<string>(db.Dialect.Provider == DatabaseProvider.Sqlite ? SqliteTables : PostgresTables)).AsList();
        var result = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // Names come from the catalogue, never from input. Hangfire's tables are not among them: its SQLite store
            // is a file of its own and its PostgreSQL store the schema hangfire, and what a job does shows in ours.
            var count = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{name}\"");
            if (count > sumUpToRows)
            {
                result[name] = (count, "");
                continue;
            }
            result[name] = await SumAsync(c, $"SELECT * FROM \"{name}\"", null);
        }
        return new DatabaseFingerprint(result);
    }

    /// <summary>
    /// Every tube of one site and every custody event of those tubes, as two "tables": what a takeover changes (site,
    /// status, place, custody). A tube moved to another site leaves the set, so its count changes too.
    /// </summary>
    public static async Task<DatabaseFingerprint> TakeBruTubesAsync(IDb db, long siteId)
    {
        await using var c = await db.OpenAsync(default);
        var result = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var (name, sql) in new[]
                 {
                     ("tube (of the site)", "SELECT * FROM tube WHERE site_id = @S"),
                     ("custody_event (of the site's tubes)", "SELECT e.* FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE t.site_id = @S"),
                 })
        {
            result[name] = await SumAsync(c, sql, new { S = siteId });
        }
        return new DatabaseFingerprint(result);
    }

    /// <summary>Row count and one checksum over the rows' sorted hashes (row order does not matter).</summary>
    private static async Task<(long, string)> SumAsync(System.Data.Common.DbConnection c, string sql, object? args)
    {
        var hashes = new List<string>();
        foreach (IDictionary<string, object?> row in await c.QueryAsync(sql, args))
        {
            var text = new StringBuilder();
            foreach (var (column, value) in row.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Append(column).Append('=').Append(Text(value)).Append('\u001f');
            }
            hashes.Add(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
        }
        hashes.Sort(StringComparer.Ordinal);
        return (hashes.Count, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', hashes)))));
    }

    private static string Text(object? value) => value switch
    {
        null or DBNull => "∅",
        byte[] b => Convert.ToHexString(b),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public int RowTotal => (int)Tables.Values.Sum(t => t.Rows);

    /// <summary>The tables that differ, as "table: rows before → after" or "table: same count, rows changed".</summary>
    public IReadOnlyList<string> Changes(DatabaseFingerprint after) =>
        Tables.Keys.Union(after.Tables.Keys).Order(StringComparer.Ordinal)
            .Select(t => (t, Before: Tables.GetValueOrDefault(t, (-1, "")), After: after.Tables.GetValueOrDefault(t, (-1, ""))))
            // A table only counted on one side is compared by its count.
            .Where(x => x.Before.Item1 != x.After.Item1 || (x.Before.Item2.Length > 0 && x.After.Item2.Length > 0 && x.Before.Item2 != x.After.Item2))
            .Select(x => x.Before.Item1 != x.After.Item1 ? $"{x.t}: {x.Before.Item1} → {x.After.Item1} rows" : $"{x.t}: same {x.After.Item1} rows, content changed")
            .ToList();
}
