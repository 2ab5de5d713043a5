using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

/// <summary>What was recorded about a primary tube's processing, as the processing form shows it again.</summary>
public sealed record TubeProcessing
{
    public long TubeId { get; init; }
    public DateTime? ProcessingStartUtc { get; init; }
    public string? PreCentrifugeTemp { get; init; }
    public decimal? CentrifugeTempC { get; init; }
    public int? CentrifugeG { get; init; }
    public int? CentrifugeMinutes { get; init; }
    public bool? Braking { get; init; }
    public int? SecondCentrifugeG { get; init; }
    public DateTime? FrozenUtc { get; init; }
    public decimal? StorageTempC { get; init; }
}

/// <summary>Reads the processing records of a collection's primary tubes, scoped to the caller's site.</summary>
public sealed class ProcessingRecords(IDb db)
{
    private const string OfCollection = """
        SELECT t.id AS TubeId, t.processing_start_utc AS ProcessingStartUtc, t.pre_centrifuge_temp AS PreCentrifugeTemp,
               t.centrifuge_temp_c AS CentrifugeTempC, t.centrifuge_g AS CentrifugeG, t.centrifuge_minutes AS CentrifugeMinutes,
               t.centrifuge_braking AS Braking, t.second_centrifuge_g AS SecondCentrifugeG, t.frozen_utc AS FrozenUtc, t.storage_temp_c AS StorageTempC
        FROM tube t
        WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND t.collection_id = @Id AND t.kind = 'primary'
        ORDER BY t.id
        """;

    public async Task<IReadOnlyList<TubeProcessing>> OfCollectionAsync(Caller caller, long collectionId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeProcessing>(OfCollection, caller, new { Id = collectionId }, ct: ct)).AsList();
    }
}
