using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record TubeView
{
    public long Id { get; init; }
    public string Barcode { get; init; } = "";
    public string Kind { get; init; } = "";
    public long? ParentId { get; init; }
    public string? ParentBarcode { get; init; }
    public long CollectionId { get; init; }
    public long PatientId { get; init; }
    public string Pseudonym { get; init; } = "";
    public string ConsentStatus { get; init; } = "";
    public string TimepointCode { get; init; } = "";
    public string Timepoint { get; init; } = "";
    public string SampleTypeCode { get; init; } = "";
    public string SampleType { get; init; } = "";
    public string Colour { get; init; } = "";
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public string Status { get; init; } = "";
    public decimal VolumeUl { get; init; }
    public decimal RemainingUl { get; init; }
    public int FreezeThawCount { get; init; }
    public long? BoxId { get; init; }
    public string? BoxBarcode { get; init; }
    public string? BoxName { get; init; }
    public int? PosRow { get; init; }
    public int? PosCol { get; init; }
    public string? Freezer { get; init; }
    public string? Rack { get; init; }
    public DateTime? CollectedUtc { get; init; }
    public string? Sprec { get; init; }
    public DateTime CreatedUtc { get; init; }

    public bool Withdrawn => ConsentStatus == "withdrawn";

    public string? Position => PosRow is { } r && PosCol is { } c ? Positions.Label(r, c) : null;

    public string Location => BoxBarcode is null
        ? Status switch { "in_transit" => "in transit", "checked_out" => "checked out", _ => "not stored" }
        : $"{Freezer ?? "no freezer"} / {Rack ?? "no rack"} / {BoxName} ({BoxBarcode}) {Position}";
}

public sealed record TubeSearch(string? Barcode = null, string? Pseudonym = null, string? Timepoint = null, string? SampleType = null,
    string? Status = null, string? Site = null, string? Box = null, long? AfterId = null, int Limit = 50);

/// <summary>Reads of tubes; every one is scoped to the caller's site.</summary>
public sealed class TubeQueries(IDb db)
{
    internal const string Select = """
        SELECT t.id AS Id, t.barcode AS Barcode, t.kind AS Kind, t.parent_id AS ParentId, par.barcode AS ParentBarcode,
               t.collection_id AS CollectionId, t.patient_id AS PatientId, p.pseudonym AS Pseudonym, p.consent_status AS ConsentStatus,
               tp.code AS TimepointCode, tp.name AS Timepoint, st.code AS SampleTypeCode, st.name AS SampleType, st.colour AS Colour,
               t.site_id AS SiteId, s.code AS SiteCode, t.status AS Status, t.volume_ul AS VolumeUl, t.remaining_ul AS RemainingUl,
               t.freeze_thaw_count AS FreezeThawCount, t.box_id AS BoxId, b.barcode AS BoxBarcode, b.name AS BoxName,
               t.pos_row AS PosRow, t.pos_col AS PosCol, f.name AS Freezer, r.name AS Rack, t.collected_utc AS CollectedUtc,
               t.sprec AS Sprec, t.created_utc AS CreatedUtc
        FROM tube t
        JOIN patient p ON p.id = t.patient_id
        JOIN collection col ON col.id = t.collection_id
        JOIN study_timepoint tp ON tp.id = col.timepoint_id
        JOIN sample_type st ON st.id = t.sample_type_id
        JOIN site s ON s.id = t.site_id
        LEFT JOIN tube par ON par.id = t.parent_id
        LEFT JOIN box b ON b.id = t.box_id
        LEFT JOIN rack r ON r.id = b.rack_id
        LEFT JOIN freezer f ON f.id = r.freezer_id
        """;

    private const string ByBarcode = Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.barcode = @Barcode";

    private const string ById = Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.id = @Id";

    private const string InBox = Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.box_id = @BoxId ORDER BY t.pos_row, t.pos_col";

    private const string Children = Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.parent_id = @Id ORDER BY t.id";

    private const string OfCollection = Select + " WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.collection_id = @Id ORDER BY t.kind DESC, t.id";

    // Keyset paging on id: stable under concurrent inserts and fast at any depth.
    private const string Search = Select + """
         WHERE (@AllSites OR t.site_id = @ScopeSiteId)
          AND (@Barcode IS NULL OR t.barcode = @Barcode)
          AND (@Pseudonym IS NULL OR p.pseudonym = @Pseudonym)
          AND (@Timepoint IS NULL OR tp.code = @Timepoint)
          AND (@SampleType IS NULL OR st.code = @SampleType)
          AND (@Status IS NULL OR t.status = @Status)
          AND (@Site IS NULL OR s.code = @Site)
          AND (@Box IS NULL OR b.barcode = @Box)
          AND t.id > @AfterId
        ORDER BY t.id
        LIMIT @Limit
        """;

    private const string History = """
        SELECT e.id AS Id, e.event AS Event, e.occurred_utc AS OccurredUtc, e.user_name AS UserName, s.code AS SiteCode,
               fb.barcode AS FromBox, e.from_row AS FromRow, e.from_col AS FromCol, tb.barcode AS ToBox, e.to_row AS ToRow, e.to_col AS ToCol,
               e.status_after AS StatusAfter, e.details AS Details
        FROM custody_event e
        JOIN tube t ON t.id = e.tube_id
        JOIN site s ON s.id = e.site_id
        LEFT JOIN box fb ON fb.id = e.from_box_id
        LEFT JOIN box tb ON tb.id = e.to_box_id
        WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND e.tube_id = @TubeId
        ORDER BY e.id
        """;

    public async Task<TubeView?> ByBarcodeAsync(Caller caller, string barcode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<TubeView>(ByBarcode, caller, new { Barcode = barcode }, ct: ct);
    }

    public async Task<TubeView?> ByIdAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<TubeView>(ById, caller, new { Id = id }, ct: ct);
    }

    public async Task<IReadOnlyList<TubeView>> InBoxAsync(Caller caller, long boxId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeView>(InBox, caller, new { BoxId = boxId }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<TubeView>> ChildrenAsync(Caller caller, long tubeId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeView>(Children, caller, new { Id = tubeId }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<TubeView>> OfCollectionAsync(Caller caller, long collectionId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeView>(OfCollection, caller, new { Id = collectionId }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<TubeView>> SearchAsync(Caller caller, TubeSearch q, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeView>(Search, caller, Args(q), ct: ct)).AsList();
    }

    /// <summary>Streams every match for export without holding the result in memory.</summary>
    public async IAsyncEnumerable<TubeView> StreamAsync(Caller caller, TubeSearch q, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await foreach (var row in c.QueryScopedUnbufferedAsync<TubeView>(Search, caller, Args(q with { Limit = int.MaxValue })).WithCancellation(ct))
        {
            yield return row;
        }
    }

    public async Task<IReadOnlyList<CustodyEntry>> HistoryAsync(Caller caller, long tubeId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<CustodyEntry>(History, caller, new { TubeId = tubeId }, ct: ct)).AsList();
    }

    private static object Args(TubeSearch q) => new
    {
        Barcode = Blank(q.Barcode),
        Pseudonym = Blank(q.Pseudonym),
        Timepoint = Blank(q.Timepoint),
        SampleType = Blank(q.SampleType),
        Status = Blank(q.Status),
        Site = Blank(q.Site),
        Box = Blank(q.Box),
        AfterId = q.AfterId ?? 0L,
        Limit = q.Limit == int.MaxValue ? int.MaxValue : Math.Clamp(q.Limit, 1, 1000),
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
