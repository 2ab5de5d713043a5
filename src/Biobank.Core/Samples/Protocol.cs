using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record Timepoint
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public int SortOrder { get; init; }
    public string? Description { get; init; }
}

public sealed record SampleType
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string SprecType { get; init; } = "";
    public string SprecContainer { get; init; } = "";
    public bool Centrifuged { get; init; }
    public decimal DefaultVolumeUl { get; init; }
    public string Colour { get; init; } = "";
}

public sealed record AliquotPlan
{
    public long Id { get; init; }
    public long PrimaryTypeId { get; init; }
    public string PrimaryType { get; init; } = "";
    public long AliquotTypeId { get; init; }
    public string AliquotType { get; init; } = "";
    public int Count { get; init; }
    public decimal VolumeUl { get; init; }
}

/// <summary>The study protocol: timepoints, sample types with their SPREC codes, aliquot plans. Reference data; admins change it.</summary>
public sealed class Protocol(IDb db, IAudit audit)
{
    private const string Timepoints = "SELECT id AS Id, code AS Code, name AS Name, sort_order AS SortOrder, description AS Description FROM study_timepoint ORDER BY sort_order, id";

    private const string Types = """
        SELECT id AS Id, code AS Code, name AS Name, kind AS Kind, sprec_type AS SprecType, sprec_container AS SprecContainer,
               centrifuged AS Centrifuged, default_volume_ul AS DefaultVolumeUl, colour AS Colour
        FROM sample_type ORDER BY kind DESC, name
        """;

    private const string Plans = """
        SELECT p.id AS Id, p.primary_type_id AS PrimaryTypeId, pt.name AS PrimaryType, p.aliquot_type_id AS AliquotTypeId, at.name AS AliquotType,
               p.count AS Count, p.volume_ul AS VolumeUl
        FROM aliquot_plan p JOIN sample_type pt ON pt.id = p.primary_type_id JOIN sample_type at ON at.id = p.aliquot_type_id
        ORDER BY pt.name, at.name
        """;

    private const string InsertTimepoint = "INSERT INTO study_timepoint (code, name, sort_order, description) VALUES (@Code, @Name, @SortOrder, @Description) RETURNING id";

    private const string InsertType = """
        INSERT INTO sample_type (code, name, kind, sprec_type, sprec_container, centrifuged, default_volume_ul, colour)
        VALUES (@Code, @Name, @Kind, @SprecType, @SprecContainer, @Centrifuged, @DefaultVolumeUl, @Colour)
        RETURNING id
        """;

    private const string UpsertPlan = """
        INSERT INTO aliquot_plan (primary_type_id, aliquot_type_id, count, volume_ul) VALUES (@PrimaryTypeId, @AliquotTypeId, @Count, @VolumeUl)
        ON CONFLICT (primary_type_id, aliquot_type_id) DO UPDATE SET count = excluded.count, volume_ul = excluded.volume_ul
        RETURNING id
        """;

    private const string DeletePlan = "DELETE FROM aliquot_plan WHERE id = @Id";

    public async Task<IReadOnlyList<Timepoint>> TimepointsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Timepoint>(new CommandDefinition(Timepoints, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<SampleType>> SampleTypesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<SampleType>(new CommandDefinition(Types, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<AliquotPlan>> PlansAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AliquotPlan>(new CommandDefinition(Plans, cancellationToken: ct))).AsList();
    }

    private const string CentralOnly = "Only a central administrator changes the study protocol: it is the same for every site of the consortium.";

    // The protocol (timepoints, sample types, aliquoting plans) is consortium-wide: a site's administrator changing it
    // would change every other site's collections, so only an administrator of no site (central) may.
    private static bool MayChange(Caller caller) => caller.IsAdmin && caller.AllSites;

    public async Task<Result<long>> AddTimepointAsync(Caller caller, Timepoint t, CancellationToken ct)
    {
        if (!MayChange(caller))
        {
            return Result<long>.Fail(new Problem(CentralOnly, null, ProblemKind.Forbidden));
        }
        if (string.IsNullOrWhiteSpace(t.Code) || t.Code.Length > 20 || !t.Code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-'))
        {
            return Result<long>.Invalid("Code: 1 to 20 letters, digits, - or _ (e.g. BASELINE, M3).", "Code");
        }
        if (string.IsNullOrWhiteSpace(t.Name) || t.Name.Length > 100)
        {
            return Result<long>.Invalid("Name: required, at most 100 characters.", "Name");
        }
        return await InsertAuditedAsync(caller, "study_timepoint", InsertTimepoint, new { Code = t.Code.Trim().ToUpperInvariant(), Name = t.Name.Trim(), t.SortOrder, t.Description }, ct);
    }

    public async Task<Result<long>> AddSampleTypeAsync(Caller caller, SampleType t, CancellationToken ct)
    {
        if (!MayChange(caller))
        {
            return Result<long>.Fail(new Problem(CentralOnly, null, ProblemKind.Forbidden));
        }
        if (string.IsNullOrWhiteSpace(t.Code) || t.Code.Length > 20)
        {
            return Result<long>.Invalid("Code: 1 to 20 characters.", "Code");
        }
        if (string.IsNullOrWhiteSpace(t.Name) || t.Name.Length > 100)
        {
            return Result<long>.Invalid("Name: required, at most 100 characters.", "Name");
        }
        if (t.Kind is not ("primary" or "aliquot"))
        {
            return Result<long>.Invalid("Kind: primary (collection tube) or aliquot (cryovial).", "Kind");
        }
        // SPREC type codes mix capitals and digits (PL1, PL2), so digits are allowed here.
        if (t.SprecType.Length != 3 || !t.SprecType.All(ch => char.IsAsciiLetterUpper(ch) || char.IsAsciiDigit(ch)))
        {
            return Result<long>.Invalid("SPREC sample type: three capital letters or digits, such as PL1, SER, BFF, BLD or SAL.", "SprecType");
        }
        if (t.SprecContainer.Length != 3 || !t.SprecContainer.All(char.IsAsciiLetterUpper))
        {
            return Result<long>.Invalid("SPREC container: three capital letters, such as PED, SST, PAX or ORG.", "SprecContainer");
        }
        if (t.DefaultVolumeUl < 0 || t.DefaultVolumeUl > 100_000)
        {
            return Result<long>.Invalid("Default volume: 0 to 100,000 µL.", "DefaultVolumeUl");
        }
        var colour = string.IsNullOrWhiteSpace(t.Colour) ? "#6c757d" : t.Colour;
        if (colour.Length != 7 || colour[0] != '#' || !colour[1..].All(char.IsAsciiHexDigit))
        {
            return Result<long>.Invalid("Colour: a hex colour such as #d63384.", "Colour");
        }
        return await InsertAuditedAsync(caller, "sample_type", InsertType, new
        {
            Code = t.Code.Trim().ToUpperInvariant(), Name = t.Name.Trim(), t.Kind, t.SprecType, t.SprecContainer, t.Centrifuged, t.DefaultVolumeUl, Colour = colour,
        }, ct);
    }

    public async Task<Result<long>> SetPlanAsync(Caller caller, long primaryTypeId, long aliquotTypeId, int count, decimal volumeUl, CancellationToken ct)
    {
        if (!MayChange(caller))
        {
            return Result<long>.Fail(new Problem(CentralOnly, null, ProblemKind.Forbidden));
        }
        var types = await SampleTypesAsync(ct);
        if (types.FirstOrDefault(t => t.Id == primaryTypeId) is not { Kind: "primary" })
        {
            return Result<long>.Invalid("Choose a primary tube type.", "PrimaryTypeId");
        }
        if (types.FirstOrDefault(t => t.Id == aliquotTypeId) is not { Kind: "aliquot" })
        {
            return Result<long>.Invalid("Choose an aliquot type.", "AliquotTypeId");
        }
        if (count is < 1 or > 50)
        {
            return Result<long>.Invalid("Count: 1 to 50 aliquots.", "Count");
        }
        if (volumeUl is <= 0 or > 10_000)
        {
            return Result<long>.Invalid("Volume: more than 0 and at most 10,000 µL per aliquot.", "VolumeUl");
        }
        // The upsert may change an existing plan: then the audit row is an update with the plan as it was.
        var before = (await PlansAsync(ct)).FirstOrDefault(p => p.PrimaryTypeId == primaryTypeId && p.AliquotTypeId == aliquotTypeId);
        return await InsertAuditedAsync(caller, "aliquot_plan", UpsertPlan, new { PrimaryTypeId = primaryTypeId, AliquotTypeId = aliquotTypeId, Count = count, VolumeUl = volumeUl }, ct, before);
    }

    public async Task<Result<bool>> RemovePlanAsync(Caller caller, long planId, CancellationToken ct)
    {
        if (!MayChange(caller))
        {
            return Result<bool>.Fail(new Problem(CentralOnly, null, ProblemKind.Forbidden));
        }
        var before = (await PlansAsync(ct)).FirstOrDefault(p => p.Id == planId);
        if (before is null)
        {
            return Result<bool>.NotFound("No such aliquot plan.");
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(DeletePlan, new { Id = planId }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Delete, "aliquot_plan", planId.ToString(), Old: before), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }

    private async Task<Result<long>> InsertAuditedAsync(Caller caller, string table, string sql, object args, CancellationToken ct, object? before = null)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict("Another entry already has that code.", "Code");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(before is null ? AuditActions.Insert : AuditActions.Update, table, id.ToString(), Old: before, New: args), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }
}
