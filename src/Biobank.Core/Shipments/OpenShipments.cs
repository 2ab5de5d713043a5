using System.Data.Common;
using Dapper;

namespace Biobank.Core.Shipments;

/// <summary>
/// A box on a shipment that has not arrived travels with the exact tubes its manifest lists: a tube stored into it,
/// moved out of it or removed from it would stay "in storage" at the sender while pointing into a box that now
/// belongs to the receiver. The storage use cases ask here before changing a box's contents.
/// </summary>
public static class OpenShipments
{
    public const string BoxOnShipmentCode = "box_on_shipment";

    private const string OfBox = """
        SELECT s.barcode FROM shipment_box sb JOIN shipment s ON s.id = sb.shipment_id
        WHERE sb.box_id = @BoxId AND s.state IN ('draft', 'packed', 'dispatched')
        ORDER BY s.id LIMIT 1
        """;

    /// <summary>The barcode of the open shipment that carries this box, or null.</summary>
    public static Task<string?> OfBoxAsync(DbConnection c, DbTransaction tx, long boxId, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition(OfBox, new { BoxId = boxId }, tx, cancellationToken: ct));

    public static string Refusal(string boxBarcode, string shipment, string what) =>
        $"Box {boxBarcode} is packed for shipment {shipment}: {what} while it is on that shipment. Take the box off the shipment first, or wait until it is received.";
}
