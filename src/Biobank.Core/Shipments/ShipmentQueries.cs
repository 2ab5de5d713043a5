using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Shipments;

public static class ShipmentStates
{
    public const string Draft = "draft";
    public const string Packed = "packed";
    public const string Dispatched = "dispatched";
    public const string Received = "received";
    public const string Reconciled = "reconciled";

    public static readonly IReadOnlyList<string> All = [Draft, Packed, Dispatched, Received, Reconciled];

    public static readonly TimeSpan OverdueAfter = TimeSpan.FromHours(72);
}

public sealed record ShipmentView
{
    public long Id { get; init; }
    public string Barcode { get; init; } = "";
    public long FromSiteId { get; init; }
    public string FromCode { get; init; } = "";
    public string FromName { get; init; } = "";
    public string FromCountry { get; init; } = "";
    public long ToSiteId { get; init; }
    public string ToCode { get; init; } = "";
    public string ToName { get; init; } = "";
    public string ToCountry { get; init; } = "";
    public string State { get; init; } = "";
    public bool External { get; init; }
    public string? Courier { get; init; }
    public string? TrackingNumber { get; init; }
    public decimal? DryIceKg { get; init; }
    public string? LoggerId { get; init; }
    public int Packages { get; init; }
    public string? ResponsibleName { get; init; }
    public string? ResponsiblePhone { get; init; }
    public bool? DryIceLeft { get; init; }
    public bool? LoggerOk { get; init; }
    public string? ConditionNotes { get; init; }
    public string? ReconcileNote { get; init; }
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime? PackedUtc { get; init; }
    public string? PackedBy { get; init; }
    public DateTime? DispatchedUtc { get; init; }
    public string? DispatchedBy { get; init; }
    public DateTime? ReceivedUtc { get; init; }
    public string? ReceivedBy { get; init; }
    public DateTime? ReconciledUtc { get; init; }
    public string? ReconciledBy { get; init; }
    public int Tubes { get; init; }
    public int Boxes { get; init; }

    public bool IsOverdue(DateTime nowUtc) => State == ShipmentStates.Dispatched && DispatchedUtc is { } d && nowUtc - d > ShipmentStates.OverdueAfter;
}

/// <summary>The few columns the shipment use cases check before they change a shipment.</summary>
internal sealed record ShipmentHead
{
    public long Id { get; init; }
    public string Barcode { get; init; } = "";
    public long FromSiteId { get; init; }
    public long ToSiteId { get; init; }
    public string State { get; init; } = "";
}

public sealed record ManifestLine
{
    public long ItemId { get; init; }
    public long TubeId { get; init; }
    public string Barcode { get; init; } = "";
    public string? BoxBarcode { get; init; }
    public string? BoxName { get; init; }
    public int? BoxRows { get; init; }
    public int? BoxCols { get; init; }
    public int? PosRow { get; init; }
    public int? PosCol { get; init; }
    public string Pseudonym { get; init; } = "";
    public string SampleTypeCode { get; init; } = "";
    public string SampleType { get; init; } = "";
    public string Timepoint { get; init; } = "";
    public decimal VolumeUl { get; init; }
    public string TubeStatus { get; init; } = "";
    public string? Receipt { get; init; }
    public string? ReceiptNote { get; init; }
    public bool WholeBox { get; init; }

    public string ConsentStatus { get; init; } = "given";

    /// <summary>The patient withdrew consent: the tube must not be used or sent on, and is on the destruction list.</summary>
    public bool Withdrawn => ConsentStatus == "withdrawn";

    public string? Position => PosRow is { } r && PosCol is { } c ? Samples.Positions.Label(r, c) : null;
}

public sealed record DiscrepancyView
{
    public long Id { get; init; }
    public long? TubeId { get; init; }
    public string Barcode { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? Detail { get; init; }
    public DateTime CreatedUtc { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime? ResolvedUtc { get; init; }
    public string? Resolution { get; init; }
}

/// <summary>Reads of shipments: a user sees the shipments their site sends or receives; central users see all.</summary>
public sealed class ShipmentQueries(IDb db)
{
    internal const string Select = """
        SELECT s.id AS Id, s.barcode AS Barcode, s.from_site_id AS FromSiteId, f.code AS FromCode, f.name AS FromName, f.country AS FromCountry,
               s.to_site_id AS ToSiteId, t.code AS ToCode, t.name AS ToName, t.country AS ToCountry, s.state AS State, s.external AS External,
               s.courier AS Courier, s.tracking_number AS TrackingNumber, s.dry_ice_kg AS DryIceKg, s.logger_id AS LoggerId, s.packages AS Packages, s.responsible_name AS ResponsibleName, s.responsible_phone AS ResponsiblePhone,
               s.dry_ice_left AS DryIceLeft, s.logger_ok AS LoggerOk, s.condition_notes AS ConditionNotes, s.reconcile_note AS ReconcileNote,
               s.created_utc AS CreatedUtc, s.created_by AS CreatedBy, s.packed_utc AS PackedUtc, s.packed_by AS PackedBy,
               s.dispatched_utc AS DispatchedUtc, s.dispatched_by AS DispatchedBy, s.received_utc AS ReceivedUtc, s.received_by AS ReceivedBy,
               s.reconciled_utc AS ReconciledUtc, s.reconciled_by AS ReconciledBy,
               (SELECT COUNT(*) FROM shipment_item i WHERE i.shipment_id = s.id) AS Tubes,
               (SELECT COUNT(*) FROM shipment_box sb WHERE sb.shipment_id = s.id) AS Boxes
        FROM shipment s JOIN site f ON f.id = s.from_site_id JOIN site t ON t.id = s.to_site_id
        """;

    // The scope predicate appears twice: the sender's and the receiver's users may both see a shipment.
    internal const string Visible = "(@AllSites OR s.from_site_id = @ScopeSiteId OR s.to_site_id = @ScopeSiteId)";

    private const string List = Select + " WHERE " + Visible + " AND (@State IS NULL OR s.state = @State) ORDER BY s.id DESC LIMIT @Limit";

    private const string ByBarcode = Select + " WHERE " + Visible + " AND s.barcode = @Barcode";

    private const string Lines = """
        SELECT i.id AS ItemId, i.tube_id AS TubeId, tb.barcode AS Barcode, b.barcode AS BoxBarcode, b.name AS BoxName, b.rows AS BoxRows, b.cols AS BoxCols,
               i.pos_row AS PosRow, i.pos_col AS PosCol, p.pseudonym AS Pseudonym, p.consent_status AS ConsentStatus, st.code AS SampleTypeCode, st.name AS SampleType,
               tp.code AS Timepoint, tb.remaining_ul AS VolumeUl, tb.status AS TubeStatus, i.receipt AS Receipt, i.receipt_note AS ReceiptNote,
               CASE WHEN sb.box_id IS NULL THEN 0 ELSE 1 END AS WholeBox
        FROM shipment_item i
        JOIN shipment s ON s.id = i.shipment_id
        JOIN tube tb ON tb.id = i.tube_id
        JOIN patient p ON p.id = tb.patient_id
        JOIN sample_type st ON st.id = tb.sample_type_id
        JOIN collection c ON c.id = tb.collection_id
        JOIN study_timepoint tp ON tp.id = c.timepoint_id
        LEFT JOIN box b ON b.id = i.box_id
        LEFT JOIN shipment_box sb ON sb.shipment_id = i.shipment_id AND sb.box_id = i.box_id
        WHERE 
        """ + Visible + """
         AND i.shipment_id = @Id
        ORDER BY b.name, i.pos_row, i.pos_col, tb.barcode
        """;

    private const string Discrepancies = """
        SELECT d.id AS Id, d.tube_id AS TubeId, d.barcode AS Barcode, d.kind AS Kind, d.detail AS Detail, d.created_utc AS CreatedUtc,
               d.created_by AS CreatedBy, d.resolved_utc AS ResolvedUtc, d.resolution AS Resolution
        FROM discrepancy d JOIN shipment s ON s.id = d.shipment_id
        WHERE 
        """ + Visible + """
         AND d.shipment_id = @Id ORDER BY d.id
        """;

    public async Task<IReadOnlyList<ShipmentView>> ListAsync(Caller caller, string? state, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<ShipmentView>(List, caller, new { State = string.IsNullOrWhiteSpace(state) ? null : state.Trim().ToLowerInvariant(), Limit = Math.Clamp(limit, 1, 1000) }, ct: ct)).AsList();
    }

    public async Task<ShipmentView?> ByBarcodeAsync(Caller caller, string barcode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<ShipmentView>(ByBarcode, caller, new { Barcode = Samples.Barcodes.Canonical(Samples.Barcodes.Normalize(barcode)) }, ct: ct);
    }

    public async Task<IReadOnlyList<ManifestLine>> LinesAsync(Caller caller, long shipmentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<ManifestLine>(Lines, caller, new { Id = shipmentId }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<DiscrepancyView>> DiscrepanciesAsync(Caller caller, long shipmentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<DiscrepancyView>(Discrepancies, caller, new { Id = shipmentId }, ct: ct)).AsList();
    }
}
