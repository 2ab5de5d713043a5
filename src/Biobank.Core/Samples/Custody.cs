using System.Data.Common;
using Dapper;

namespace Biobank.Core.Samples;

public static class CustodyEvents
{
    public const string Created = "created";
    public const string Stored = "stored";
    public const string Moved = "moved";
    public const string CheckedOut = "checked_out";
    public const string CheckedIn = "checked_in";
    public const string Thawed = "thawed";
    public const string Consumed = "consumed";
    public const string Destroyed = "destroyed";
    public const string Shipped = "shipped";
    public const string Received = "received";
    public const string Discrepancy = "discrepancy";
    public const string Missing = "missing";
    public const string Quarantined = "quarantined";
}

public sealed record Place(long? BoxId, int? Row, int? Col)
{
    public static readonly Place Nowhere = new(null, null, null);
}

public sealed record CustodyEntry
{
    public long Id { get; init; }
    public string Event { get; init; } = "";
    public DateTime OccurredUtc { get; init; }
    public string UserName { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public string? FromBox { get; init; }
    public int? FromRow { get; init; }
    public int? FromCol { get; init; }
    public string? ToBox { get; init; }
    public int? ToRow { get; init; }
    public int? ToCol { get; init; }
    public string StatusAfter { get; init; } = "";
    public string? Details { get; init; }

    public string? From => FromBox is null ? null : $"{FromBox} {Positions.Label(FromRow!.Value, FromCol!.Value)}";

    public string? To => ToBox is null ? null : $"{ToBox} {Positions.Label(ToRow!.Value, ToCol!.Value)}";
}

/// <summary>The append-only history of tubes. Written in the same transaction as the change it records.</summary>
public static class Custody
{
    private const string Append = """
        INSERT INTO custody_event (tube_id, event, occurred_utc, user_name, site_id, from_box_id, from_row, from_col, to_box_id, to_row, to_col, status_after, details)
        VALUES (@TubeId, @Event, @Now, @User, @SiteId, @FromBox, @FromRow, @FromCol, @ToBox, @ToRow, @ToCol, @Status, @Details)
        """;

    public static Task AppendAsync(DbConnection c, DbTransaction tx, long tubeId, string evt, long siteId, Place from, Place to, string statusAfter,
        string? details, string user, DateTime now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(Append, new
        {
            TubeId = tubeId, Event = evt, Now = now, User = user, SiteId = siteId,
            FromBox = from.BoxId, FromRow = from.Row, FromCol = from.Col,
            ToBox = to.BoxId, ToRow = to.Row, ToCol = to.Col,
            Status = statusAfter, Details = details,
        }, tx, cancellationToken: ct));
}

/// <summary>Box positions: row letter and column number, A1 … J10 (A01 accepted).</summary>
public static class Positions
{
    public static string Label(int row, int col) => $"{(char)('A' + row - 1)}{col}";

    public static bool TryParse(string? text, int rows, int cols, out int row, out int col)
    {
        row = col = 0;
        var t = (text ?? "").Trim().ToUpperInvariant();
        if (t.Length < 2 || t[0] < 'A' || t[0] > 'Z' || !int.TryParse(t[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out col))
        {
            return false;
        }
        row = t[0] - 'A' + 1;
        return row <= rows && col >= 1 && col <= cols;
    }
}
