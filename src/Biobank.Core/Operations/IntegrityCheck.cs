using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Operations;

/// <summary>What the integrity check found; every list empty means the records can be trusted.</summary>
public sealed record IntegrityReport(
    IReadOnlyList<string> Storage,
    IReadOnlyList<string> Custody,
    IReadOnlyList<string> Runs,
    long Tubes,
    long CustodyEvents)
{
    public bool Ok => Storage.Count == 0 && Custody.Count == 0 && Runs.Count == 0;

    public IEnumerable<string> Problems => Storage.Concat(Custody).Concat(Runs);
}

/// <summary>
/// After a crash or a restore, before anyone trusts the records: the database's own checks, every tube's location and
/// status replayed from its custody events against what is stored, and every assay run all or nothing (its stored
/// results are the count its imports committed).
/// </summary>
public sealed class IntegrityCheck(IDb db)
{
    public const int MaxListed = 50;

    // The last custody event of each tube says where it is and in which state; a tube without events has no place.
    private const string CustodyMismatches = """
        SELECT t.barcode AS Barcode, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               e.status_after AS LastStatus, e.to_box_id AS LastBoxId, e.to_row AS LastRow, e.to_col AS LastCol, e.event AS LastEvent
        FROM tube t
        LEFT JOIN custody_event e ON e.id = (SELECT MAX(x.id) FROM custody_event x WHERE x.tube_id = t.id)
        WHERE NOT (COALESCE(e.to_box_id, -1) = COALESCE(t.box_id, -1) AND COALESCE(e.to_row, -1) = COALESCE(t.pos_row, -1)
                   AND COALESCE(e.to_col, -1) = COALESCE(t.pos_col, -1) AND (e.id IS NULL OR e.status_after = t.status))
        ORDER BY t.id
        """;

    private const string RunMismatches = """
        SELECT r.run_code AS RunCode, r.result_rows AS Counted,
               (SELECT COUNT(*) FROM assay_result x WHERE x.run_id = r.id) AS Stored
        FROM assay_run r
        ORDER BY r.id
        """;

    public async Task<IntegrityReport> CheckAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var storage = await db.Dialect.CheckStorageAsync(c, ct);
        var custody = new List<string>();
        foreach (var m in await c.QueryAsync<Mismatch>(new CommandDefinition(CustodyMismatches, cancellationToken: ct, commandTimeout: 600)))
        {
            custody.Add(m.LastEvent is null
                ? $"tube {m.Barcode}: stored at {Place(m.BoxId, m.PosRow, m.PosCol)} ({m.Status}) but has no custody event"
                : $"tube {m.Barcode}: stored at {Place(m.BoxId, m.PosRow, m.PosCol)} ({m.Status}), its custody events end at {Place(m.LastBoxId, m.LastRow, m.LastCol)} ({m.LastStatus}, last '{m.LastEvent}')");
        }
        var runs = new List<string>();
        foreach (var r in await c.QueryAsync<RunCounts>(new CommandDefinition(RunMismatches, cancellationToken: ct, commandTimeout: 600)))
        {
            if (r.Counted != r.Stored)
            {
                runs.Add($"assay run {r.RunCode}: its imports committed {r.Counted} results but {r.Stored} are stored");
            }
        }
        var tubes = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM tube", cancellationToken: ct));
        var events = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM custody_event", cancellationToken: ct));
        return new IntegrityReport(storage, custody, runs, tubes, events);
    }

    private static string Place(long? box, long? row, long? col) => box is null ? "no box" : $"box {box} ({row},{col})";

    private sealed record Mismatch
    {
        public string Barcode { get; init; } = "";
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public long? PosRow { get; init; }
        public long? PosCol { get; init; }
        public string? LastStatus { get; init; }
        public long? LastBoxId { get; init; }
        public long? LastRow { get; init; }
        public long? LastCol { get; init; }
        public string? LastEvent { get; init; }
    }

    private sealed record RunCounts
    {
        public string RunCode { get; init; } = "";
        public long Counted { get; init; }
        public long Stored { get; init; }
    }
}
