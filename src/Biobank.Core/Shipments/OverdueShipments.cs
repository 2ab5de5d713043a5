using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Shipments;

public sealed record OverdueNotice(long Id, string Barcode, long FromSiteId, long ToSiteId, DateTime DispatchedUtc);

/// <summary>
/// Records, once per shipment, that a dispatched shipment was not received within <see cref="ShipmentStates.OverdueAfter"/>
/// (the rule of <see cref="ShipmentView.IsOverdue"/>): the shipment's <c>overdue_noticed_utc</c> and an audit row, for
/// the home pages and a later e-mail. Once is settled by the conditional update: a second scan, on this node or another,
/// finds the column set and records nothing.
/// </summary>
public sealed class OverdueShipments(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Notice = """
        UPDATE shipment SET overdue_noticed_utc = @Now
        WHERE state = 'dispatched' AND dispatched_utc < @Cutoff AND overdue_noticed_utc IS NULL
        RETURNING id AS Id, barcode AS Barcode, from_site_id AS FromSiteId, to_site_id AS ToSiteId, dispatched_utc AS DispatchedUtc
        """;

    public async Task<IReadOnlyList<OverdueNotice>> ScanAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var noticed = (await c.QueryAsync<OverdueNotice>(new CommandDefinition(Notice, new { Now = now, Cutoff = now - ShipmentStates.OverdueAfter }, tx, commandTimeout: 60, cancellationToken: ct))).AsList();
        foreach (var s in noticed)
        {
            await audit.WriteAsync(c, tx, Caller.System.UserName, new AuditEntry(AuditActions.Update, "shipment", s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Old: new { OverdueNoticedUtc = (DateTime?)null }, New: new { OverdueNoticedUtc = now, s.Barcode, s.DispatchedUtc },
                Reason: $"overdue: dispatched more than {ShipmentStates.OverdueAfter.TotalHours:0} hours ago and not received", SiteId: s.FromSiteId), ct);
        }
        await tx.CommitAsync(ct);
        return noticed;
    }
}
