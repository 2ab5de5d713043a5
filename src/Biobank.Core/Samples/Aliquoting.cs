using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record AliquotLine(long AliquotTypeId, int Count, decimal VolumeUl);

public sealed record AliquotResult(IReadOnlyList<string> Barcodes, decimal RemainingUl);

/// <summary>Splits a primary tube into barcoded aliquots, by the protocol's plan or by hand; never more volume than remains.</summary>
public sealed class Aliquoting(IDb db, IAudit audit, TimeProvider clock, Protocol protocol)
{
    private const string Parent = """
        SELECT t.id AS Id, t.kind AS Kind, t.status AS Status, t.site_id AS SiteId, t.collection_id AS CollectionId, t.patient_id AS PatientId,
               t.sample_type_id AS SampleTypeId, t.remaining_ul AS RemainingUl, t.collected_utc AS CollectedUtc, t.sprec AS Sprec,
               p.consent_status AS ConsentStatus, t.barcode AS Barcode
        FROM tube t JOIN patient p ON p.id = t.patient_id
        WHERE t.id = @Id AND (@AllSites OR t.site_id = @ScopeSiteId)
        """;

    // The conditional update settles two technicians aliquoting the same tube at once: one of them gets no row. The
    // volume it returns is the one after this very update: the parent read above may be stale by then (on PostgreSQL
    // a second aliquoting waits here for the first to commit), so the audit row takes its numbers from here.
    private const string TakeVolume = """
        UPDATE tube SET remaining_ul = remaining_ul - @Total, updated_utc = @Now WHERE id = @Id AND remaining_ul >= @Total
        RETURNING remaining_ul AS RemainingUl
        """;

    public async Task<IReadOnlyList<AliquotLine>> PlanForAsync(long primaryTypeId, CancellationToken ct) =>
        (await protocol.PlansAsync(ct)).Where(p => p.PrimaryTypeId == primaryTypeId).Select(p => new AliquotLine(p.AliquotTypeId, p.Count, p.VolumeUl)).ToList();

    public async Task<Result<AliquotResult>> ExecuteAsync(Caller caller, long parentTubeId, IReadOnlyList<AliquotLine>? lines, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var types = (await protocol.SampleTypesAsync(ct)).ToDictionary(t => t.Id);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var parent = await c.QuerySingleScopedAsync<ParentRow>(Parent, caller, new { Id = parentTubeId }, tx, ct);
        if (parent is null)
        {
            return Result<AliquotResult>.NotFound("No such tube.");
        }
        if (parent.Kind != "primary")
        {
            return Result<AliquotResult>.Invalid($"{parent.Barcode} is an aliquot; aliquots are made from primary tubes.", "TubeId");
        }
        if (parent.ConsentStatus == "withdrawn")
        {
            return Result<AliquotResult>.Conflict($"The patient of {parent.Barcode} has withdrawn consent: do not process it; it is on the destruction list.", "TubeId");
        }
        if (parent.Status is "consumed" or "destroyed" or "missing" or "in_transit")
        {
            return Result<AliquotResult>.Conflict($"{parent.Barcode} is {parent.Status.Replace('_', ' ')} and cannot be aliquoted.", "TubeId");
        }
        lines ??= await PlanForAsync(parent.SampleTypeId, ct);
        if (lines.Count == 0)
        {
            return Result<AliquotResult>.Invalid("No aliquots asked for, and the protocol has no aliquot plan for this tube type.", "Lines");
        }
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            if (!types.TryGetValue(l.AliquotTypeId, out var t) || t.Kind != "aliquot")
            {
                return Result<AliquotResult>.Invalid($"Line {i + 1}: choose an aliquot type.", $"Lines[{i}].AliquotTypeId");
            }
            if (l.Count is < 1 or > 50)
            {
                return Result<AliquotResult>.Invalid($"Line {i + 1}: 1 to 50 aliquots.", $"Lines[{i}].Count");
            }
            if (l.VolumeUl is <= 0 or > 10_000)
            {
                return Result<AliquotResult>.Invalid($"Line {i + 1}: volume more than 0 and at most 10,000 µL.", $"Lines[{i}].VolumeUl");
            }
        }
        var total = lines.Sum(l => l.Count * l.VolumeUl);
        var taken = await c.QuerySingleOrDefaultAsync<Volume>(new CommandDefinition(TakeVolume, new { Id = parent.Id, Total = total, Now = now }, tx, cancellationToken: ct));
        if (taken is null)
        {
            return Result<AliquotResult>.Conflict($"{parent.Barcode} has {parent.RemainingUl:0.#} µL left; these aliquots need {total:0.#} µL.", "Lines");
        }
        var codes = await BarcodeAllocator.AllocateAsync(c, tx, parent.SiteId, BarcodeKind.Aliquot, lines.Sum(l => l.Count), now, ct);
        var next = 0;
        foreach (var line in lines)
        {
            var type = types[line.AliquotTypeId];
            var sprec = parent.Sprec is { Length: > 4 } ps ? type.SprecType + ps[3..] : null;
            for (var k = 0; k < line.Count; k++)
            {
                var code = codes[next++];
                var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Collections.InsertTube, new
                {
                    Barcode = code, Kind = "aliquot", ParentId = (long?)parent.Id, parent.CollectionId, parent.PatientId, SampleTypeId = type.Id,
                    parent.SiteId, VolumeUl = line.VolumeUl, parent.CollectedUtc, Sprec = sprec, Now = now,
                }, tx, cancellationToken: ct));
                await Custody.AppendAsync(c, tx, id, CustodyEvents.Created, parent.SiteId, Place.Nowhere, Place.Nowhere, "registered",
                    $"aliquoted from {parent.Barcode}: {line.VolumeUl:0.#} µL {type.Name}", caller.UserName, now, ct);
                await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "tube", id.ToString(),
                    New: new { Barcode = code, Kind = "aliquot", Parent = parent.Barcode, Type = type.Code, line.VolumeUl }, SiteId: parent.SiteId), ct);
            }
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", parent.Id.ToString(),
            Old: new { RemainingUl = taken.RemainingUl + total }, New: new { taken.RemainingUl }, Reason: "aliquoted", SiteId: parent.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<AliquotResult>.Success(new AliquotResult(codes, taken.RemainingUl));
    }

    private sealed record Volume
    {
        public decimal RemainingUl { get; init; }
    }

    private sealed record ParentRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public long SiteId { get; init; }
        public long CollectionId { get; init; }
        public long PatientId { get; init; }
        public long SampleTypeId { get; init; }
        public decimal RemainingUl { get; init; }
        public DateTime? CollectedUtc { get; init; }
        public string? Sprec { get; init; }
        public string ConsentStatus { get; init; } = "";
        public string Barcode { get; init; } = "";
    }
}
