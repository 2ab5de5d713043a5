using System.Data.Common;
using System.Text.RegularExpressions;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Samples;

public sealed record Patient
{
    public long Id { get; init; }
    public string Pseudonym { get; init; } = "";
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
    public string? Sex { get; init; }
    public decimal? AgeAtRtYears { get; init; }
    public string? DiagnosisGroup { get; init; }
    public string? Modality { get; init; }
    public string? RtStart { get; init; }
    public string? RtEnd { get; init; }
    public decimal? PrescribedDoseGy { get; init; }
    public int? Fractions { get; init; }
    public string ConsentStatus { get; init; } = "given";
    public string? ConsentDate { get; init; }
    public DateTime? WithdrawnUtc { get; init; }

    public bool Withdrawn => ConsentStatus == "withdrawn";
}

public sealed record PatientInput(string Pseudonym, long SiteId, string? Sex, decimal? AgeAtRtYears, string ConsentStatus, string? ConsentDate);

/// <summary>Patients by registry pseudonym only: never a name, birth date, address or national ID.</summary>
public sealed partial class Patients(IDb db, IAudit audit, TimeProvider clock)
{
    internal const string Columns = """
        SELECT p.id AS Id, p.pseudonym AS Pseudonym, p.site_id AS SiteId, s.code AS SiteCode, p.sex AS Sex, p.age_at_rt_years AS AgeAtRtYears,
               p.diagnosis_group AS DiagnosisGroup, p.modality AS Modality, p.rt_start AS RtStart, p.rt_end AS RtEnd,
               p.prescribed_dose_gy AS PrescribedDoseGy, p.fractions AS Fractions, p.consent_status AS ConsentStatus,
               p.consent_date AS ConsentDate, p.withdrawn_utc AS WithdrawnUtc
        FROM patient p JOIN site s ON s.id = p.site_id
        """;

    private const string List = Columns + """
         WHERE (@AllSites OR p.site_id = @ScopeSiteId)
          AND (@Search IS NULL OR p.pseudonym LIKE @Search)
        ORDER BY p.pseudonym
        LIMIT @Limit OFFSET @Offset
        """;

    private const string ById = Columns + " WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.id = @Id";

    private const string ByPseudonym = Columns + " WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.pseudonym = @Pseudonym";

    private const string Insert = """
        INSERT INTO patient (pseudonym, site_id, sex, age_at_rt_years, consent_status, consent_date, withdrawn_utc, created_utc, updated_utc)
        VALUES (@Pseudonym, @SiteId, @Sex, @AgeAtRtYears, @ConsentStatus, @ConsentDate, @WithdrawnUtc, @Now, @Now)
        RETURNING id
        """;

    private const string Update = """
        UPDATE patient SET sex = @Sex, age_at_rt_years = @AgeAtRtYears, consent_status = @ConsentStatus, consent_date = @ConsentDate,
               withdrawn_utc = @WithdrawnUtc, updated_utc = @Now
        WHERE id = @Id
        """;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{2,39}$", RegexOptions.CultureInvariant)]
    public static partial Regex PseudonymPattern();

    public static string? CheckPseudonym(string? pseudonym) =>
        pseudonym is not null && PseudonymPattern().IsMatch(pseudonym) && pseudonym.Any(char.IsAsciiDigit)
            ? null
            : "A pseudonym is the registry code: 3 to 40 letters, digits and hyphens, with at least one digit (e.g. BE-0042). This system holds pseudonyms only, never names.";

    public async Task<IReadOnlyList<Patient>> ListAsync(Caller caller, string? search, int limit, int offset, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<Patient>(List, caller, new
        {
            Search = string.IsNullOrWhiteSpace(search) ? null : $"%{search.Trim()}%",
            Limit = Math.Clamp(limit, 1, 500),
            Offset = Math.Max(0, offset),
        }, ct: ct)).AsList();
    }

    public async Task<Patient?> FindAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<Patient>(ById, caller, new { Id = id }, ct: ct);
    }

    public async Task<Patient?> FindByPseudonymAsync(Caller caller, string pseudonym, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleScopedAsync<Patient>(ByPseudonym, caller, new { Pseudonym = pseudonym }, ct: ct);
    }

    public static Problem? Validate(PatientInput p)
    {
        if (CheckPseudonym(p.Pseudonym) is { } bad)
        {
            return new Problem(bad, "Pseudonym");
        }
        if (p.Sex is not (null or "F" or "M"))
        {
            return new Problem("Sex: F or M (or leave empty).", "Sex");
        }
        if (p.AgeAtRtYears is < 0 or > 25)
        {
            return new Problem("Age at start of radiotherapy: 0 to 25 years (the study is paediatric).", "AgeAtRtYears");
        }
        if (p.ConsentStatus is not ("given" or "withdrawn"))
        {
            return new Problem("Consent status: given or withdrawn.", "ConsentStatus");
        }
        if (p.ConsentDate is { Length: > 0 } d && !DateOnly.TryParseExact(d, "yyyy-MM-dd", out _))
        {
            return new Problem("Consent date: YYYY-MM-DD.", "ConsentDate");
        }
        return null;
    }

    public async Task<Result<long>> CreateAsync(Caller caller, PatientInput input, CancellationToken ct)
    {
        if (Validate(input) is { } problem)
        {
            return problem;
        }
        if (!caller.CanSee(input.SiteId))
        {
            return Result<long>.Invalid("You can only register patients of your own site.", "SiteId");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(Insert, new
            {
                input.Pseudonym, input.SiteId, input.Sex, input.AgeAtRtYears, input.ConsentStatus,
                ConsentDate = string.IsNullOrEmpty(input.ConsentDate) ? null : input.ConsentDate,
                WithdrawnUtc = input.ConsentStatus == "withdrawn" ? now : (DateTime?)null,
                Now = now,
            }, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Result<long>.Conflict($"Pseudonym {input.Pseudonym} is already registered.", "Pseudonym");
        }
        catch (DbException e) when (db.Dialect.IsForeignKeyViolation(e))
        {
            return Result<long>.Invalid("That site does not exist.", "SiteId");
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "patient", id.ToString(), New: input, SiteId: input.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<long>.Success(id);
    }

    public async Task<Result<bool>> UpdateAsync(Caller caller, long id, PatientInput input, string? reason, CancellationToken ct)
    {
        var before = await FindAsync(caller, id, ct);
        if (before is null)
        {
            return Result<bool>.NotFound("No such patient.");
        }
        if (Validate(input with { Pseudonym = before.Pseudonym }) is { } problem)
        {
            return problem;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var withdrawnUtc = input.ConsentStatus == "withdrawn" ? before.WithdrawnUtc ?? now : (DateTime?)null;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(Update, new
        {
            Id = id, input.Sex, input.AgeAtRtYears, input.ConsentStatus,
            ConsentDate = string.IsNullOrEmpty(input.ConsentDate) ? null : input.ConsentDate,
            WithdrawnUtc = withdrawnUtc, Now = now,
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "patient", id.ToString(),
            Old: new { before.Sex, before.AgeAtRtYears, before.ConsentStatus, before.ConsentDate },
            New: new { input.Sex, input.AgeAtRtYears, input.ConsentStatus, input.ConsentDate }, Reason: reason, SiteId: before.SiteId), ct);
        await tx.CommitAsync(ct);
        return Result<bool>.Success(true);
    }
}
