using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record PrimaryTubeInput(long SampleTypeId, string? ExternalBarcode, decimal? VolumeUl);

public sealed record CollectionInput(long PatientId, long TimepointId, DateTime CollectedUtc, string? Notes, IReadOnlyList<PrimaryTubeInput> Tubes);

public sealed record RegisteredCollection(long CollectionId, IReadOnlyList<string> Barcodes);

public sealed record CollectionView
{
    public long Id { get; init; }
    public long PatientId { get; init; }
    public string Pseudonym { get; init; } = "";
    public string ConsentStatus { get; init; } = "";
    public string TimepointCode { get; init; } = "";
    public string Timepoint { get; init; } = "";
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public DateTime CollectedUtc { get; init; }
    public string CollectedBy { get; init; } = "";
    public string? Notes { get; init; }
    public int Tubes { get; init; }
}

public sealed record ProcessingInput(long TubeId, DateTime? ProcessingStartUtc, string? PreCentrifugeTemp, decimal? CentrifugeTempC, int? CentrifugeG,
    int? CentrifugeMinutes, bool? Braking, int? SecondCentrifugeG, DateTime? FrozenUtc, decimal? StorageTempC);

/// <summary>Registers collections (a visit) with their primary tubes, and records how each tube was processed (SPREC).</summary>
public sealed class Collections(IDb db, IAudit audit, TimeProvider clock)
{
    private const string Select = """
        SELECT c.id AS Id, c.patient_id AS PatientId, p.pseudonym AS Pseudonym, p.consent_status AS ConsentStatus, tp.code AS TimepointCode,
               tp.name AS Timepoint, c.site_id AS SiteId, s.code AS SiteCode, c.collected_utc AS CollectedUtc, c.collected_by AS CollectedBy,
               c.notes AS Notes, (SELECT COUNT(*) FROM tube t WHERE t.collection_id = c.id) AS Tubes
        FROM collection c JOIN patient p ON p.id = c.patient_id JOIN study_timepoint tp ON tp.id = c.timepoint_id JOIN site s ON s.id = c.site_id
        """;

    private const string ById = Select + " WHERE (@AllSites OR c.site_id = @ScopeSiteId) AND c.id = @Id";

    private const string OfPatient = Select + " WHERE (@AllSites OR c.site_id = @ScopeSiteId) AND c.patient_id = @PatientId ORDER BY c.collected_utc";

    private const string Recent = Select + " WHERE (@AllSites OR c.site_id = @ScopeSiteId) ORDER BY c.id DESC LIMIT @Limit";

    private const string PatientRow = "SELECT id AS Id, site_id AS SiteId, consent_status AS ConsentStatus, pseudonym AS Pseudonym FROM patient WHERE id = @Id AND (@AllSites OR site_id = @ScopeSiteId)";

    private const string InsertCollection = """
        INSERT INTO collection (patient_id, timepoint_id, site_id, collected_utc, collected_by, notes, created_utc, created_by)
        VALUES (@PatientId, @TimepointId, @SiteId, @CollectedUtc, @CollectedBy, @Notes, @Now, @User)
        RETURNING id
        """;

    internal const string InsertTube = """
        INSERT INTO tube (barcode, kind, parent_id, collection_id, patient_id, sample_type_id, site_id, status, volume_ul, remaining_ul,
                          collected_utc, sprec, created_utc, updated_utc)
        VALUES (@Barcode, @Kind, @ParentId, @CollectionId, @PatientId, @SampleTypeId, @SiteId, 'registered', @VolumeUl, @VolumeUl,
                @CollectedUtc, @Sprec, @Now, @Now)
        RETURNING id
        """;

    private const string TubeForProcessing = """
        SELECT t.id AS Id, t.kind AS Kind, t.site_id AS SiteId, t.collected_utc AS CollectedUtc, st.sprec_type AS SprecType,
               st.sprec_container AS SprecContainer, st.centrifuged AS Centrifuged
        FROM tube t JOIN sample_type st ON st.id = t.sample_type_id
        WHERE t.id = @Id AND (@AllSites OR t.site_id = @ScopeSiteId)
        """;

    private const string SaveProcessing = """
        UPDATE tube SET processing_start_utc = @ProcessingStartUtc, pre_centrifuge_temp = @PreCentrifugeTemp, centrifuge_temp_c = @CentrifugeTempC,
               centrifuge_g = @CentrifugeG, centrifuge_minutes = @CentrifugeMinutes, centrifuge_braking = @Braking,
               second_centrifuge_g = @SecondCentrifugeG, frozen_utc = @FrozenUtc, storage_temp_c = @StorageTempC, sprec = @Sprec, updated_utc = @Now
        WHERE id = @TubeId
        """;

    // Aliquots carry the parent's pre-analytical history with their own sample type in element 1.
    private const string ChildSprec = """
        SELECT t.id AS Id, st.sprec_type AS SprecType, t.sprec AS Sprec FROM tube t JOIN sample_type st ON st.id = t.sample_type_id WHERE t.parent_id = @Id
        """;

    private const string SetSprec = "UPDATE tube SET sprec = @Sprec, updated_utc = @Now WHERE id = @Id";

    public async Task<CollectionView?> FindAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<CollectionView>(ById, caller, new { Id = id }, ct: ct);
    }

    public async Task<IReadOnlyList<CollectionView>> OfPatientAsync(Caller caller, long patientId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<CollectionView>(OfPatient, caller, new { PatientId = patientId }, ct: ct)).AsList();
    }

    public async Task<IReadOnlyList<CollectionView>> RecentAsync(Caller caller, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<CollectionView>(Recent, caller, new { Limit = limit }, ct: ct)).AsList();
    }

    public async Task<Result<RegisteredCollection>> RegisterAsync(Caller caller, CollectionInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (input.Tubes.Count is 0 or > 20)
        {
            return Result<RegisteredCollection>.Invalid("Register 1 to 20 primary tubes per collection.", "Tubes");
        }
        if (input.CollectedUtc > now.AddMinutes(5))
        {
            return Result<RegisteredCollection>.Invalid("The collection time is in the future.", "CollectedUtc");
        }
        if (input.CollectedUtc < new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc))
        {
            return Result<RegisteredCollection>.Invalid("The collection time is before 2000: check the date.", "CollectedUtc");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var patient = await c.QuerySingleScopedAsync<PatientHead>(PatientRow, caller, new { Id = input.PatientId }, tx, ct);
        if (patient is null)
        {
            return Result<RegisteredCollection>.NotFound("No such patient.", "PatientId");
        }
        if (patient.ConsentStatus == "withdrawn")
        {
            return Result<RegisteredCollection>.Conflict($"Patient {patient.Pseudonym} has withdrawn consent: no new collections may be registered.", "PatientId");
        }
        var types = (await c.QueryAsync<SampleType>(new CommandDefinition(
            "SELECT id AS Id, code AS Code, name AS Name, kind AS Kind, sprec_type AS SprecType, sprec_container AS SprecContainer, centrifuged AS Centrifuged, default_volume_ul AS DefaultVolumeUl, colour AS Colour FROM sample_type",
            transaction: tx, cancellationToken: ct))).ToDictionary(t => t.Id);
        for (var i = 0; i < input.Tubes.Count; i++)
        {
            var t = input.Tubes[i];
            if (!types.TryGetValue(t.SampleTypeId, out var type) || type.Kind != "primary")
            {
                return Result<RegisteredCollection>.Invalid($"Tube {i + 1}: choose a primary tube type.", $"Tubes[{i}].SampleTypeId");
            }
            if (t.VolumeUl is < 0 or > 100_000)
            {
                return Result<RegisteredCollection>.Invalid($"Tube {i + 1}: volume 0 to 100,000 µL.", $"Tubes[{i}].VolumeUl");
            }
            if (!string.IsNullOrWhiteSpace(t.ExternalBarcode) && Barcodes.Check(Barcodes.Normalize(t.ExternalBarcode)) != BarcodeCheck.External)
            {
                return Result<RegisteredCollection>.Invalid($"Tube {i + 1}: '{t.ExternalBarcode}' is not a pre-printed tube code. Leave it empty to have a barcode allocated.", $"Tubes[{i}].ExternalBarcode");
            }
        }
        var collectionId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertCollection, new
        {
            input.PatientId, input.TimepointId, patient.SiteId, input.CollectedUtc, CollectedBy = caller.UserName,
            Notes = string.IsNullOrWhiteSpace(input.Notes) ? null : input.Notes.Trim(), Now = now, User = caller.UserName,
        }, tx, cancellationToken: ct));
        var barcodes = new List<string>();
        for (var i = 0; i < input.Tubes.Count; i++)
        {
            var t = input.Tubes[i];
            var type = types[t.SampleTypeId];
            string code;
            if (!string.IsNullOrWhiteSpace(t.ExternalBarcode))
            {
                code = Barcodes.Normalize(t.ExternalBarcode);
                try
                {
                    await BarcodeAllocator.RegisterExternalAsync(c, tx, code, BarcodeKind.Sample, patient.SiteId, now, ct);
                }
                catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
                {
                    return Result<RegisteredCollection>.Conflict($"Tube {i + 1}: barcode {code} is already in use in this system.", $"Tubes[{i}].ExternalBarcode");
                }
            }
            else
            {
                code = (await BarcodeAllocator.AllocateAsync(c, tx, patient.SiteId, BarcodeKind.Sample, 1, now, ct))[0];
            }
            var volume = t.VolumeUl ?? type.DefaultVolumeUl;
            var tubeId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertTube, new
            {
                Barcode = code, Kind = "primary", ParentId = (long?)null, CollectionId = collectionId, input.PatientId,
                SampleTypeId = type.Id, patient.SiteId, VolumeUl = volume, input.CollectedUtc, Sprec = (string?)null, Now = now,
            }, tx, cancellationToken: ct));
            await Custody.AppendAsync(c, tx, tubeId, CustodyEvents.Created, patient.SiteId, Place.Nowhere, Place.Nowhere, "registered", $"collected {input.CollectedUtc:yyyy-MM-dd HH:mm} UTC", caller.UserName, now, ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "tube", tubeId.ToString(),
                New: new { Barcode = code, Kind = "primary", Type = type.Code, CollectionId = collectionId, VolumeUl = volume }, SiteId: patient.SiteId), ct);
            barcodes.Add(code);
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "collection", collectionId.ToString(),
            New: new { input.PatientId, input.TimepointId, input.CollectedUtc, Tubes = barcodes }, SiteId: patient.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<RegisteredCollection>.Success(new RegisteredCollection(collectionId, barcodes));
    }

    public async Task<Result<string>> RecordProcessingAsync(Caller caller, ProcessingInput p, CancellationToken ct)
    {
        if (p.PreCentrifugeTemp is not (null or "RT" or "2-10"))
        {
            return Result<string>.Invalid("Temperature before processing: RT (room temperature) or 2-10 (refrigerated).", "PreCentrifugeTemp");
        }
        if (p.CentrifugeG is < 0 or > 50_000)
        {
            return Result<string>.Invalid("Centrifugation force: 0 to 50,000 g.", "CentrifugeG");
        }
        if (p.CentrifugeMinutes is < 0 or > 240)
        {
            return Result<string>.Invalid("Centrifugation time: 0 to 240 minutes.", "CentrifugeMinutes");
        }
        if (p.StorageTempC is < -200 or > 30)
        {
            return Result<string>.Invalid("Storage temperature: −200 to 30 °C.", "StorageTempC");
        }
        if (p.ProcessingStartUtc is { } start && p.FrozenUtc is { } frozen && frozen < start)
        {
            return Result<string>.Invalid("The tube cannot be frozen before processing started.", "FrozenUtc");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var tube = await c.QuerySingleScopedAsync<TubeHead>(TubeForProcessing, caller, new { Id = p.TubeId }, tx, ct);
        if (tube is null)
        {
            return Result<string>.NotFound("No such tube.");
        }
        if (tube.Kind != "primary")
        {
            return Result<string>.Invalid("Processing is recorded on the primary tube; its aliquots inherit it.", "TubeId");
        }
        if (p.ProcessingStartUtc is { } s && tube.CollectedUtc is { } collected && s < collected)
        {
            return Result<string>.Invalid("Processing cannot start before the blood was collected.", "ProcessingStartUtc");
        }
        var input = new SprecInput(tube.SprecType, tube.SprecContainer, tube.Centrifuged, tube.CollectedUtc, p.ProcessingStartUtc,
            p.PreCentrifugeTemp, p.CentrifugeTempC, p.CentrifugeG, p.CentrifugeMinutes, p.Braking, p.SecondCentrifugeG, p.FrozenUtc, p.StorageTempC);
        var sprec = Sprec.Derive(input);
        await c.ExecuteAsync(new CommandDefinition(SaveProcessing, new
        {
            p.TubeId, p.ProcessingStartUtc, p.PreCentrifugeTemp, p.CentrifugeTempC, p.CentrifugeG, p.CentrifugeMinutes, p.Braking,
            p.SecondCentrifugeG, p.FrozenUtc, p.StorageTempC, Sprec = sprec, Now = now,
        }, tx, cancellationToken: ct));
        foreach (var child in await c.QueryAsync<(long Id, string SprecType, string? Sprec)>(new CommandDefinition(ChildSprec, new { Id = p.TubeId }, tx, cancellationToken: ct)))
        {
            var derived = Sprec.Derive(input with { SampleType = child.SprecType });
            await c.ExecuteAsync(new CommandDefinition(SetSprec, new { child.Id, Sprec = derived, Now = now }, tx, cancellationToken: ct));
            // Each aliquot's SPREC code is its own record (it goes on its label and into exports): its change is audited on that aliquot.
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", child.Id.ToString(),
                Old: new { child.Sprec }, New: new { Sprec = derived }, Reason: $"processing of primary tube {p.TubeId} recorded", SiteId: tube.SiteId), ct);
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", p.TubeId.ToString(), New: new { Processing = p, Sprec = sprec }, SiteId: tube.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<string>.Success(sprec);
    }

    private sealed record PatientHead
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public string ConsentStatus { get; init; } = "";
        public string Pseudonym { get; init; } = "";
    }

    private sealed record TubeHead
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public long SiteId { get; init; }
        public DateTime? CollectedUtc { get; init; }
        public string SprecType { get; init; } = "";
        public string SprecContainer { get; init; } = "";
        public bool Centrifuged { get; init; }
    }
}
