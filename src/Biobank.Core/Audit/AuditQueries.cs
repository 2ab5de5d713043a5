using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Audit;

public sealed record AuditRow
{
    public long Id { get; init; }
    public DateTime OccurredUtc { get; init; }
    public string UserName { get; init; } = "";
    public string Action { get; init; } = "";
    public string TableName { get; init; } = "";
    public string RowKey { get; init; } = "";
    public long? SiteId { get; init; }
    public string? OldValues { get; init; }
    public string? NewValues { get; init; }
    public string? Reason { get; init; }
}

public sealed record AuditFilter(string? Table = null, string? Key = null, string? User = null, string? Action = null,
    DateTime? FromUtc = null, DateTime? ToUtc = null, long? BeforeId = null, int Limit = 100);

public sealed class AuditQueries(IDb db)
{
    // Optional filters are written as (@X IS NULL OR col = @X) so the SQL stays a constant.
    private const string Search = """
        SELECT id AS Id, occurred_utc AS OccurredUtc, user_name AS UserName, action AS Action, table_name AS TableName,
               row_key AS RowKey, site_id AS SiteId, old_values AS OldValues, new_values AS NewValues, reason AS Reason
        FROM audit_log
        WHERE (@AllSites OR site_id = @ScopeSiteId)
          AND (@Table IS NULL OR table_name = @Table)
          AND (@Key IS NULL OR row_key = @Key)
          AND (@User IS NULL OR user_name = @User)
          AND (@Action IS NULL OR action = @Action)
          AND occurred_utc >= @FromUtc AND occurred_utc < @ToUtc
          AND id < @BeforeId
        ORDER BY id DESC
        LIMIT @Limit
        """;

    public async Task<IReadOnlyList<AuditRow>> SearchAsync(Caller caller, AuditFilter f, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryScopedAsync<AuditRow>(Search, caller, new
        {
            Table = Blank(f.Table),
            Key = Blank(f.Key),
            User = Blank(f.User),
            Action = Blank(f.Action),
            // Bounds instead of NULL parameters: PostgreSQL cannot type a NULL it only sees in "IS NULL".
            FromUtc = f.FromUtc ?? new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            ToUtc = f.ToUtc ?? new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc),
            BeforeId = f.BeforeId ?? long.MaxValue,
            Limit = Math.Clamp(f.Limit, 1, 1000),
        }, ct: ct);
        return rows.AsList();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
