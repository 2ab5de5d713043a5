using Biobank.Core.Common;
using Biobank.Core.Shipments;
using Biobank.Web.Infrastructure;

namespace Biobank.Web.Shipments;

/// <summary>Shipments waiting for this site: to receive, to dispatch, and overdue ones (for the sender and the receiver).</summary>
public sealed class ShipmentsHomePanel(ShipmentQueries queries, TimeProvider clock) : IHomePanel
{
    public int Order => 200;

    public IReadOnlyList<string> Roles { get; } = [Biobank.Core.Common.Roles.Technician, Biobank.Core.Common.Roles.SiteStaff, Biobank.Core.Common.Roles.Admin];

    public async Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lines = new List<HomeLine>();
        foreach (var s in await queries.ListAsync(caller, ShipmentStates.Dispatched, 200, ct))
        {
            var overdue = s.IsOverdue(now);
            var incoming = caller.AllSites || s.ToSiteId == caller.SiteId;
            lines.Add(new HomeLine($"{s.Barcode}: {s.FromCode} → {s.ToCode}, {s.Tubes} tubes{(incoming ? " — receive it" : "")}", $"/Shipments/{s.Barcode}",
                overdue ? "overdue" : "in transit", overdue ? "danger" : "warning"));
        }
        foreach (var s in await queries.ListAsync(caller, ShipmentStates.Packed, 50, ct))
        {
            lines.Add(new HomeLine($"{s.Barcode}: packed for {s.ToCode}, dispatch it", $"/Shipments/{s.Barcode}", "packed", "info"));
        }
        foreach (var s in await queries.ListAsync(caller, ShipmentStates.Received, 50, ct))
        {
            lines.Add(new HomeLine($"{s.Barcode}: received from {s.FromCode}, reconcile it", $"/Shipments/{s.Barcode}", "received", "primary"));
        }
        return new HomePanelView("Shipments", lines.OrderByDescending(l => l.Badge == "overdue").ToList(), "/Shipments", "No shipments waiting.");
    }
}
