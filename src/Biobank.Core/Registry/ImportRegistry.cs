using System.Data.Common;
using System.Globalization;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Sites;
using Dapper;

namespace Biobank.Core.Registry;

/// <param name="File">The CSV or XLSX file; read twice, so a stream that cannot seek is copied to a temporary file.</param>
/// <param name="FileName">The name the user gave it, kept with the batch.</param>
/// <param name="IgnoreExtraColumns">Read only the documented columns instead of refusing a file with more.</param>
public sealed record RegistryImportCommand(Stream File, string FileName, bool IgnoreExtraColumns = false);

/// <summary>
/// Creates or updates patients from the registry's export, by pseudonym. The whole file is checked before anything
/// is written, every problem is reported with its row and column, and the rows land in one transaction with an audit
/// entry (old and new values) for every patient created or changed — or nothing lands at all.
/// </summary>
public sealed class ImportRegistry(IDb db, IAudit audit, TimeProvider clock)
{
    public const string Kind = "registry";

    public static readonly IReadOnlyList<string> Columns =
    [
        "pseudonym", "site", "sex", "age_at_rt_years", "diagnosis_group", "modality", "rt_start", "rt_end",
        "prescribed_dose_gy", "fractions", "consent_status", "consent_date",
    ];

    // Every patient, unscoped: the import must know whether a pseudonym is taken at any site (the unique key), and it
    // tells a site user no more than "registered at another site". Not "IN @ids": Dapper sends a list to Npgsql as one
    // array parameter, which IN does not take.
    private const string AllPatients = Patients.Columns;

    private const string InsertPatient = """
        INSERT INTO patient (pseudonym, site_id, sex, age_at_rt_years, diagnosis_group, modality, rt_start, rt_end,
                             prescribed_dose_gy, fractions, consent_status, consent_date, withdrawn_utc, created_utc, updated_utc)
        VALUES (@Pseudonym, @SiteId, @Sex, @AgeAtRtYears, @DiagnosisGroup, @Modality, @RtStart, @RtEnd,
                @PrescribedDoseGy, @Fractions, @ConsentStatus, @ConsentDate, @WithdrawnUtc, @Now, @Now)
        RETURNING id
        """;

    private const string UpdatePatient = """
        UPDATE patient SET sex = @Sex, age_at_rt_years = @AgeAtRtYears, diagnosis_group = @DiagnosisGroup, modality = @Modality,
               rt_start = @RtStart, rt_end = @RtEnd, prescribed_dose_gy = @PrescribedDoseGy, fractions = @Fractions,
               consent_status = @ConsentStatus, consent_date = @ConsentDate, withdrawn_utc = @WithdrawnUtc, updated_utc = @Now
        WHERE id = @Id
        """;

    internal const string InsertBatch = """
        INSERT INTO import_batch (kind, file_name, file_sha256, imported_by, imported_utc, site_id, row_count, status, problems, dose_version_id)
        VALUES (@Kind, @FileName, @Sha256, @ImportedBy, @Now, @SiteId, @RowCount, @Status, @Problems, @DoseVersionId)
        RETURNING id
        """;

    public Task<RegistryImportResult> ExecuteAsync(Caller caller, RegistryImportCommand command, CancellationToken ct) =>
        SeekableFile.UseAsync(command.File, file => ImportAsync(caller, command, file, ct), ct);

    private async Task<RegistryImportResult> ImportAsync(Caller caller, RegistryImportCommand command, Stream file, CancellationToken ct)
    {
        var info = await TableReader.InspectAsync(file, ct);
        var problems = new ImportProblems();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using var c = await db.OpenAsync(ct);
        var sites = await RegistryData.SitesAsync(c, null, ct);

        // Pass 1: the file alone. Every row is checked; none is written.
        var records = new List<RegistryRecord>();
        var firstRowOf = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var dataRows = ImportTable.Read(file, info, Columns, command.IgnoreExtraColumns, problems, row =>
        {
            if (Check(row, info.Separator, sites, caller, today, firstRowOf, problems) is { } record)
            {
                records.Add(record);
            }
        }, ct);
        var result = new RegistryImportResult { FileName = command.FileName, Sha256 = info.Sha256, DataRows = Math.Max(0, dataRows) };
        if (dataRows < 0)
        {
            return Refused(result, problems);
        }

        // Pass 2: against the database. When the file is already refused this only adds to the list; otherwise it
        // runs inside the write transaction, so nobody changes a patient between the check and the write.
        if (problems.Any)
        {
            await CheckAgainstDatabaseAsync(c, null, caller, records, problems, ct);
            return Refused(result, problems);
        }
        await using var tx = await db.BeginWriteAsync(c, ct);
        var existing = await CheckAgainstDatabaseAsync(c, tx, caller, records, problems, ct);
        if (problems.Any)
        {
            await tx.RollbackAsync(ct);
            return Refused(result, problems);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var reason = $"registry import {command.FileName} (sha256 {info.Sha256[..12]})";
        int created = 0, updated = 0, unchanged = 0;
        var withdrawn = new List<string>();
        foreach (var r in records)
        {
            if (existing.TryGetValue(r.Pseudonym, out var before))
            {
                var changes = Changes(before, r);
                if (changes.Old.Count == 0)
                {
                    unchanged++;
                    continue;
                }
                // As Patients.UpdateAsync: the first withdrawal keeps its time; consent given again clears it.
                var withdrawnUtc = r.ConsentStatus == "withdrawn" ? before.WithdrawnUtc ?? now : (DateTime?)null;
                await c.ExecuteAsync(new CommandDefinition(UpdatePatient, Parameters(r, withdrawnUtc, now, before.Id), tx, cancellationToken: ct));
                await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "patient", before.Id.ToString(CultureInfo.InvariantCulture),
                    Old: changes.Old, New: changes.New, Reason: reason, SiteId: r.SiteId), ct);
                if (r.ConsentStatus == "withdrawn" && !before.Withdrawn)
                {
                    withdrawn.Add(r.Pseudonym);
                }
                updated++;
            }
            else
            {
                var withdrawnUtc = r.ConsentStatus == "withdrawn" ? now : (DateTime?)null;
                var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertPatient, Parameters(r, withdrawnUtc, now, 0), tx, cancellationToken: ct));
                await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "patient", id.ToString(CultureInfo.InvariantCulture),
                    New: Values(r), Reason: reason, SiteId: r.SiteId), ct);
                if (r.ConsentStatus == "withdrawn")
                {
                    withdrawn.Add(r.Pseudonym);
                }
                created++;
            }
        }
        var batch = new
        {
            Kind,
            command.FileName,
            info.Sha256,
            ImportedBy = caller.UserName,
            Now = now,
            caller.SiteId,
            RowCount = dataRows,
            Status = "imported",
            Problems = (string?)null,
            DoseVersionId = (long?)null,
        };
        var batchId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertBatch, batch, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "import_batch", batchId.ToString(CultureInfo.InvariantCulture),
            New: new { batch.Kind, batch.FileName, batch.Sha256, batch.RowCount, Created = created, Updated = updated, Unchanged = unchanged },
            SiteId: caller.SiteId), ct);
        await tx.CommitAsync(ct);
        return result with
        {
            Imported = true,
            BatchId = batchId,
            Created = created,
            Updated = updated,
            Unchanged = unchanged,
            NewlyWithdrawn = withdrawn,
            Summary = $"{command.FileName}: {dataRows} row(s): {created} patient(s) created, {updated} updated, {unchanged} unchanged" +
                (withdrawn.Count > 0 ? $"; consent withdrawn for {withdrawn.Count}: {string.Join(", ", withdrawn.Take(20))}{(withdrawn.Count > 20 ? ", …" : "")}" : "") + ".",
        };
    }

    /// <summary>Pseudonyms already registered: the patients when they match exactly and at the same site, problems otherwise.</summary>
    private static async Task<Dictionary<string, Patient>> CheckAgainstDatabaseAsync(DbConnection c, DbTransaction? tx, Caller caller,
        List<RegistryRecord> records, ImportProblems problems, CancellationToken ct)
    {
        var registered = new Dictionary<string, Patient>(StringComparer.OrdinalIgnoreCase);
        await foreach (var p in c.QueryUnbufferedAsync<Patient>(AllPatients, transaction: tx).WithCancellation(ct))
        {
            registered.TryAdd(p.Pseudonym, p);
        }
        var matched = new Dictionary<string, Patient>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            if (!registered.TryGetValue(r.Pseudonym, out var known))
            {
                continue;
            }
            if (!string.Equals(known.Pseudonym, r.Pseudonym, StringComparison.Ordinal))
            {
                problems.Add(r.Row, "pseudonym", r.Pseudonym, $"registered as {(caller.CanSee(known.SiteId) ? known.Pseudonym : "a pseudonym")} that differs only in upper/lower case: write it exactly as registered");
            }
            else if (known.SiteId != r.SiteId)
            {
                problems.Add(r.Row, "site", r.SiteCode, caller.CanSee(known.SiteId)
                    ? $"{r.Pseudonym} is registered at site {known.SiteCode}: an import does not move a patient to another site"
                    : $"{r.Pseudonym} is registered at another site");
            }
            else
            {
                matched[r.Pseudonym] = known;
            }
        }
        return matched;
    }

    private static RegistryImportResult Refused(RegistryImportResult result, ImportProblems problems) => result with
    {
        Problems = problems.Listed,
        ProblemCount = problems.Total,
        Summary = $"{result.FileName} was refused with {problems.Total} problem(s); nothing was imported.",
    };

    /// <summary>One row checked on its own and against the rows before it; null when it has a problem.</summary>
    private static RegistryRecord? Check(ImportTable.Row row, char separator, Dictionary<string, SiteKey> sites, Caller caller, DateOnly today,
        Dictionary<string, int> firstRowOf, ImportProblems problems)
    {
        var before = problems.Total;
        var n = row.Number;

        string? pseudonym = null;
        if (row.TryGet("pseudonym", out var p))
        {
            if (p.Length == 0)
            {
                problems.Add(n, "pseudonym", p, "required: the registry pseudonym");
            }
            else if (Patients.CheckPseudonym(p) is { } bad)
            {
                problems.Add(n, "pseudonym", p, bad);
            }
            else if (!firstRowOf.TryAdd(p, n))
            {
                problems.Add(n, "pseudonym", p, $"duplicate pseudonym: already on row {firstRowOf[p]}");
            }
            else
            {
                pseudonym = p;
            }
        }

        SiteKey? site = null;
        if (row.TryGet("site", out var code))
        {
            if (code.Length == 0)
            {
                problems.Add(n, "site", code, "required: the site code (e.g. BRU)");
            }
            else if (!sites.TryGetValue(code, out site))
            {
                var hospitals = sites.Values.Where(s => s.Kind == SiteKinds.Collection).Select(s => s.Code).Order(StringComparer.Ordinal).ToList();
                problems.Add(n, "site", code, hospitals.Count == 0
                    ? "no site has this code (no hospital site is registered yet)"
                    : $"no site has this code (hospital sites: {string.Join(", ", hospitals)})");
            }
            else if (site.Kind != SiteKinds.Collection)
            {
                problems.Add(n, "site", code, $"{site.Code} is not a hospital site: patients belong to the site that treats them");
                site = null;
            }
            else if (!caller.CanSee(site.Id))
            {
                problems.Add(n, "site", code, $"you may import patients of your own site ({caller.SiteCode}) only");
                site = null;
            }
        }

        string? sex = null;
        if (row.TryGet("sex", out var s) && s.Length > 0)
        {
            sex = s.ToUpperInvariant() switch
            {
                "F" => "F",
                "M" => "M",
                _ => null,
            };
            if (sex is null)
            {
                problems.Add(n, "sex", s, "F or M (or empty when unknown)");
            }
        }

        decimal? age = null;
        if (row.TryGet("age_at_rt_years", out var a) && a.Length > 0)
        {
            if (!CellParsing.TryDecimal(a, separator, out var v))
            {
                problems.Add(n, "age_at_rt_years", a, "not a number: age in years, e.g. 7.5");
            }
            else if (v is < 0 or > 25)
            {
                problems.Add(n, "age_at_rt_years", a, "age at start of radiotherapy must be 0 to 25 years (the study is paediatric)");
            }
            else
            {
                age = v;
            }
        }

        string? diagnosis = null;
        if (row.TryGet("diagnosis_group", out var d) && d.Length > 0)
        {
            if (d.Length > 100)
            {
                problems.Add(n, "diagnosis_group", d, "at most 100 characters");
            }
            else if ((TextRules.RefuseLine(d) ?? TextRules.RefuseFormula(d) ?? TextRules.RefuseMarkup(d)) is { } why)
            {
                problems.Add(n, "diagnosis_group", d, why);
            }
            else
            {
                diagnosis = d;
            }
        }

        string? modality = null;
        if (row.TryGet("modality", out var m) && m.Length > 0)
        {
            modality = m.ToLowerInvariant() switch
            {
                "photon" => "photon",
                "proton" => "proton",
                "both" => "both",
                _ => null,
            };
            if (modality is null)
            {
                problems.Add(n, "modality", m, "photon, proton or both (or empty when unknown)");
            }
        }

        var rtStart = OptionalDate(row, "rt_start", problems);
        var rtEnd = OptionalDate(row, "rt_end", problems);
        if (rtStart is { } start && rtEnd is { } end && end < start)
        {
            problems.Add(n, "rt_end", CellParsing.Iso(end), $"radiotherapy ends before it starts ({CellParsing.Iso(start)})");
        }

        decimal? dose = null;
        if (row.TryGet("prescribed_dose_gy", out var g) && g.Length > 0)
        {
            if (!CellParsing.TryDecimal(g, separator, out var v))
            {
                problems.Add(n, "prescribed_dose_gy", g, "not a number: the prescribed dose in Gy, e.g. 54 or 19.8");
            }
            else if (v is <= 0 or > 100)
            {
                problems.Add(n, "prescribed_dose_gy", g, v < 0 ? "a dose cannot be negative" : "a prescribed dose is more than 0 and at most 100 Gy");
            }
            else
            {
                dose = v;
            }
        }

        int? fractions = null;
        if (row.TryGet("fractions", out var f) && f.Length > 0)
        {
            if (!CellParsing.TryWhole(f, separator, out var v))
            {
                problems.Add(n, "fractions", f, "not a whole number of fractions");
            }
            else if (v is < 1 or > 100)
            {
                problems.Add(n, "fractions", f, "fractions must be 1 to 100");
            }
            else
            {
                fractions = v;
            }
        }

        string? consent = null;
        if (row.TryGet("consent_status", out var cs))
        {
            consent = cs.ToLowerInvariant() switch
            {
                "given" => "given",
                "withdrawn" => "withdrawn",
                _ => null,
            };
            if (consent is null)
            {
                problems.Add(n, "consent_status", cs, cs.Length == 0 ? "required: given or withdrawn" : "given or withdrawn");
            }
        }

        var consentDate = OptionalDate(row, "consent_date", problems);
        if (consentDate is { } cd && cd > today)
        {
            problems.Add(n, "consent_date", CellParsing.Iso(cd), "in the future");
        }

        if (problems.Total > before || pseudonym is null || site is null || consent is null)
        {
            return null;
        }
        return new RegistryRecord(n, pseudonym, site.Code, site.Id, sex, age, diagnosis, modality,
            rtStart is { } rs ? CellParsing.Iso(rs) : null, rtEnd is { } re ? CellParsing.Iso(re) : null,
            dose, fractions, consent, consentDate is { } c ? CellParsing.Iso(c) : null);
    }

    private static DateOnly? OptionalDate(ImportTable.Row row, string column, ImportProblems problems)
    {
        if (!row.TryGet(column, out var text) || text.Length == 0)
        {
            return null;
        }
        if (CellParsing.TryIsoDate(text, out var date))
        {
            return date;
        }
        problems.Add(row.Number, column, text, CellParsing.DateReason(text));
        return null;
    }

    private static object Parameters(RegistryRecord r, DateTime? withdrawnUtc, DateTime now, long id) => new
    {
        Id = id,
        r.Pseudonym,
        r.SiteId,
        r.Sex,
        r.AgeAtRtYears,
        r.DiagnosisGroup,
        r.Modality,
        r.RtStart,
        r.RtEnd,
        r.PrescribedDoseGy,
        r.Fractions,
        r.ConsentStatus,
        r.ConsentDate,
        WithdrawnUtc = withdrawnUtc,
        Now = now,
    };

    /// <summary>The registry values by their column names, as the audit trail records them.</summary>
    private static Dictionary<string, object?> Values(RegistryRecord r) => new(StringComparer.Ordinal)
    {
        ["pseudonym"] = r.Pseudonym,
        ["site"] = r.SiteCode,
        ["sex"] = r.Sex,
        ["age_at_rt_years"] = r.AgeAtRtYears,
        ["diagnosis_group"] = r.DiagnosisGroup,
        ["modality"] = r.Modality,
        ["rt_start"] = r.RtStart,
        ["rt_end"] = r.RtEnd,
        ["prescribed_dose_gy"] = r.PrescribedDoseGy,
        ["fractions"] = r.Fractions,
        ["consent_status"] = r.ConsentStatus,
        ["consent_date"] = r.ConsentDate,
    };

    /// <summary>The columns whose value the file changes, before and after; empty when the row changes nothing.</summary>
    private static (Dictionary<string, object?> Old, Dictionary<string, object?> New) Changes(Patient before, RegistryRecord r)
    {
        var old = new Dictionary<string, object?>(StringComparer.Ordinal);
        var @new = new Dictionary<string, object?>(StringComparer.Ordinal);
        void Compare<T>(string column, T was, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(was, now))
            {
                old[column] = was;
                @new[column] = now;
            }
        }
        Compare("sex", before.Sex, r.Sex);
        Compare("age_at_rt_years", before.AgeAtRtYears, r.AgeAtRtYears);
        Compare("diagnosis_group", before.DiagnosisGroup, r.DiagnosisGroup);
        Compare("modality", before.Modality, r.Modality);
        Compare("rt_start", before.RtStart, r.RtStart);
        Compare("rt_end", before.RtEnd, r.RtEnd);
        Compare("prescribed_dose_gy", before.PrescribedDoseGy, r.PrescribedDoseGy);
        Compare("fractions", before.Fractions, r.Fractions);
        Compare("consent_status", before.ConsentStatus, r.ConsentStatus);
        Compare("consent_date", before.ConsentDate, r.ConsentDate);
        return (old, @new);
    }

    private sealed record RegistryRecord(int Row, string Pseudonym, string SiteCode, long SiteId, string? Sex, decimal? AgeAtRtYears,
        string? DiagnosisGroup, string? Modality, string? RtStart, string? RtEnd, decimal? PrescribedDoseGy, int? Fractions,
        string ConsentStatus, string? ConsentDate);
}
