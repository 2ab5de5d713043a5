using System.Data.Common;
using System.Globalization;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Registry;

/// <param name="File">The dosimetry tool's CSV or XLSX export; read twice, so a stream that cannot seek is copied first.</param>
/// <param name="FileName">The name the user gave it, kept with the version.</param>
/// <param name="VersionLabel">The new version's label, unique (e.g. "v2-2027-03").</param>
/// <param name="UnknownPseudonyms">Refuse a file naming unregistered pseudonyms, or import the known patients' rows.</param>
/// <param name="IgnoreExtraColumns">Read only the documented columns instead of refusing a file with more.</param>
/// <param name="Note">Free text kept with the version (what changed in the reconstruction).</param>
public sealed record DoseImportCommand(
    Stream File,
    string FileName,
    string VersionLabel,
    UnknownPseudonyms UnknownPseudonyms = UnknownPseudonyms.Refuse,
    bool IgnoreExtraColumns = false,
    string? Note = null);

/// <summary>
/// Imports organ doses as a new dose version. Earlier versions stay; the new one becomes the latest, the default
/// everywhere. The file is checked whole before anything is written and lands in one transaction or not at all.
/// A version covers the cohort, so only a central user imports one (a site user's file would hide other sites'
/// doses behind a newer "latest").
/// </summary>
public sealed class ImportDoses(IDb db, IAudit audit, TimeProvider clock)
{
    public const string Kind = "doses";

    public static readonly IReadOnlyList<string> Columns =
        ["pseudonym", "organ", "metric", "value_gy", "uncertainty_sd_gy", "source", "computed_date"];

    /// <summary>Doses above this are typing errors (a radiotherapy prescription stays well below it).</summary>
    public const decimal MaxDoseGy = 200m;

    internal static readonly string[] DoseColumns =
        ["version_id", "patient_id", "organ", "metric", "value_gy", "uncertainty_sd_gy", "source", "computed_date"];

    private const string Organs = "SELECT code FROM organ";
    private const string Metrics = "SELECT name AS Name, unit AS Unit FROM dose_metric";
    private const string VersionBySha = "SELECT label FROM dose_version WHERE file_sha256 = @Sha256";
    private const string VersionByLabel = "SELECT COUNT(*) FROM dose_version WHERE label = @Label";

    internal const string InsertVersion = """
        INSERT INTO dose_version (label, imported_utc, imported_by, file_sha256, source_file, row_count, patient_count, note)
        VALUES (@Label, @Now, @ImportedBy, @Sha256, @SourceFile, @RowCount, @PatientCount, @Note)
        RETURNING id
        """;

    public Task<DoseImportResult> ExecuteAsync(Caller caller, DoseImportCommand command, CancellationToken ct) =>
        SeekableFile.UseAsync(command.File, file => ImportAsync(caller, command, file, ct), ct);

    private async Task<DoseImportResult> ImportAsync(Caller caller, DoseImportCommand command, Stream file, CancellationToken ct)
    {
        var info = await TableReader.InspectAsync(file, ct);
        var label = command.VersionLabel?.Trim() ?? "";
        var result = new DoseImportResult { FileName = command.FileName, Sha256 = info.Sha256, Label = label, UnknownPolicy = command.UnknownPseudonyms };
        var problems = new ImportProblems();
        if (!caller.AllSites)
        {
            problems.Add(0, "", "", "a dose version covers every site's patients: only a central user can import one");
            return Refused(result, problems);
        }
        await using var c = await db.OpenAsync(ct);
        if (await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(VersionBySha, new { info.Sha256 }, cancellationToken: ct)) is { } earlier)
        {
            problems.Add(0, "", command.FileName, $"this file was already imported as dose version '{earlier}' (same SHA-256): nothing to do");
            return Refused(result with { AlreadyImportedAs = earlier }, problems);
        }
        CheckLabel(label, problems);
        if (label.Length > 0 && await c.ExecuteScalarAsync<long>(new CommandDefinition(VersionByLabel, new { Label = label }, cancellationToken: ct)) > 0)
        {
            problems.Add(0, "version label", label, "a dose version with this label exists already: choose a new label");
        }

        var organs = (await c.QueryAsync<string>(new CommandDefinition(Organs, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        var metrics = (await c.QueryAsync<MetricUnit>(new CommandDefinition(Metrics, cancellationToken: ct))).ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

        // Pass 1: the file alone.
        var records = new List<DoseRecord>();
        var checker = new RowChecker(info.Separator, organs, metrics, today, problems);
        var dataRows = ImportTable.Read(file, info, Columns, command.IgnoreExtraColumns, problems, row =>
        {
            if (checker.Check(row) is { } record)
            {
                records.Add(record);
            }
        }, ct);
        result = result with { DataRows = Math.Max(0, dataRows) };
        if (dataRows < 0)
        {
            return Refused(result, problems);
        }

        // Pass 2: pseudonyms against the registry, in the write transaction when the file is otherwise good.
        var fileProblems = problems.Total;
        DbTransaction? tx = null;
        try
        {
            if (!problems.Any)
            {
                tx = await db.BeginWriteAsync(c, ct);
            }
            var keys = await RegistryData.PatientKeysAsync(c, tx, ct);
            var unknown = new Dictionary<string, (int First, int Rows)>(StringComparer.Ordinal);
            var known = new List<DoseRecord>(records.Count);
            foreach (var r in records)
            {
                if (!keys.TryGetValue(r.Pseudonym, out var key))
                {
                    unknown[r.Pseudonym] = unknown.TryGetValue(r.Pseudonym, out var u) ? (u.First, u.Rows + 1) : (r.Row, 1);
                    if (command.UnknownPseudonyms == UnknownPseudonyms.Refuse)
                    {
                        problems.Add(r.Row, "pseudonym", r.Pseudonym, "no registered patient has this pseudonym (import the registry first, or import the known patients only)");
                    }
                }
                else if (!string.Equals(key.Pseudonym, r.Pseudonym, StringComparison.Ordinal))
                {
                    problems.Add(r.Row, "pseudonym", r.Pseudonym, $"registered as {key.Pseudonym}, which differs only in upper/lower case: write it exactly as registered");
                }
                else
                {
                    known.Add(r with { PatientId = key.Id });
                }
            }
            var unknownList = unknown.Select(u => new UnknownPseudonym(u.Key, u.Value.First, u.Value.Rows)).OrderBy(u => u.FirstRow).ToList();
            var skipped = unknownList.Sum(u => u.Rows);
            result = result with { UnknownPseudonyms = unknownList };
            if (!problems.Any && known.Count == 0)
            {
                problems.Add(0, "pseudonym", "", $"none of the {unknownList.Count} pseudonym(s) in the file is registered: there is nothing to import");
            }
            if (problems.Any)
            {
                var onlyUnknown = fileProblems == 0 && unknownList.Count > 0 && known.Count > 0 &&
                    problems.Listed.All(p => p.Column == "pseudonym" && unknown.ContainsKey(p.Value));
                if (tx is not null)
                {
                    await tx.RollbackAsync(ct);
                }
                return Refused(result with { CanSkipUnknown = onlyUnknown }, problems);
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var patients = known.Select(k => k.PatientId).Distinct().Count();
            var partial = skipped > 0;
            var skippedSummary = partial
                ? $"unknown pseudonyms skipped by choice: {skipped} row(s) of {unknownList.Count} pseudonym(s): " +
                  string.Join(", ", unknownList.Take(50).Select(u => u.Pseudonym)) + (unknownList.Count > 50 ? ", …" : "")
                : null;
            long versionId;
            try
            {
                versionId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertVersion, new
                {
                    Label = label,
                    Now = now,
                    ImportedBy = caller.UserName,
                    info.Sha256,
                    SourceFile = command.FileName,
                    RowCount = known.Count,
                    PatientCount = patients,
                    command.Note,
                }, tx, cancellationToken: ct));
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // Another import took the label or the file in the moment between the check and the write.
                await tx!.RollbackAsync(ct);
                problems.Add(0, "version label", label, "a dose version with this label, or from this very file, was imported a moment ago");
                return Refused(result, problems);
            }
            await db.Dialect.BulkInsertAsync(c, tx!, "organ_dose", DoseColumns,
                known.Select(k => new object?[] { versionId, k.PatientId, k.Organ, k.Metric, k.ValueGy, k.UncertaintySdGy, k.Source, k.ComputedDate }), ct);
            var batchId = await c.ExecuteScalarAsync<long>(new CommandDefinition(ImportRegistry.InsertBatch, new
            {
                Kind,
                command.FileName,
                info.Sha256,
                ImportedBy = caller.UserName,
                Now = now,
                caller.SiteId,
                RowCount = dataRows,
                Status = partial ? "partial" : "imported",
                Problems = skippedSummary,
                DoseVersionId = versionId,
            }, tx, cancellationToken: ct));
            var policy = command.UnknownPseudonyms == UnknownPseudonyms.SkipUnknown ? "skip-unknown" : "refuse";
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "dose_version", versionId.ToString(CultureInfo.InvariantCulture),
                New: new
                {
                    Label = label,
                    SourceFile = command.FileName,
                    info.Sha256,
                    Rows = known.Count,
                    Patients = patients,
                    UnknownPseudonyms = policy,
                    SkippedRows = skipped,
                    SkippedPseudonyms = unknownList.Take(200).Select(u => u.Pseudonym).ToList(),
                    BatchId = batchId,
                    command.Note,
                },
                Reason: partial ? $"dose import; {skippedSummary}" : $"dose import; unknown pseudonyms: {policy}"), ct);
            await tx!.CommitAsync(ct);
            return result with
            {
                Imported = true,
                BatchId = batchId,
                VersionId = versionId,
                DosesWritten = known.Count,
                Patients = patients,
                SkippedRows = skipped,
                Summary = $"{command.FileName}: dose version '{label}' with {known.Count} dose(s) for {patients} patient(s)" +
                    (partial ? $"; skipped {skipped} row(s) of {unknownList.Count} unknown pseudonym(s)" : "") + ".",
            };
        }
        finally
        {
            if (tx is not null)
            {
                await tx.DisposeAsync();
            }
        }
    }

    private static void CheckLabel(string label, ImportProblems problems)
    {
        if (label.Length == 0)
        {
            problems.Add(0, "version label", label, "required: a label for the new dose version (e.g. v2-2027-03)");
        }
        else if (label.Length > 60 || TextRules.RefuseLine(label) is not null)
        {
            problems.Add(0, "version label", label, "at most 60 printable characters");
        }
    }

    private static DoseImportResult Refused(DoseImportResult result, ImportProblems problems) => result with
    {
        Problems = problems.Listed,
        ProblemCount = problems.Total,
        Summary = result.AlreadyImportedAs is { } earlier
            ? $"{result.FileName} was imported before as dose version '{earlier}'; nothing was imported."
            : $"{result.FileName} was refused with {problems.Total} problem(s); nothing was imported." +
              (result.CanSkipUnknown ? " The only problem is unknown pseudonyms: the rows of known patients can be imported on their own." : ""),
    };

    private sealed record MetricUnit
    {
        public string Name { get; init; } = "";
        public string Unit { get; init; } = "";
    }

    private sealed record DoseRecord(int Row, string Pseudonym, string Organ, string Metric, decimal ValueGy, decimal? UncertaintySdGy,
        string? Source, string? ComputedDate)
    {
        public long PatientId { get; init; }
    }

    /// <summary>Checks one row at a time, remembering what it has seen for duplicates; repeated text is shared.</summary>
    private sealed class RowChecker(char separator, HashSet<string> organs, Dictionary<string, MetricUnit> metrics, DateOnly today, ImportProblems problems)
    {
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

        public DoseRecord? Check(ImportTable.Row row)
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
                else if (Samples.Patients.CheckPseudonym(p) is { } bad)
                {
                    problems.Add(n, "pseudonym", p, bad);
                }
                else
                {
                    pseudonym = Intern(p);
                }
            }

            string? organ = null;
            if (row.TryGet("organ", out var o))
            {
                var code = o.ToLowerInvariant();
                if (o.Length == 0)
                {
                    problems.Add(n, "organ", o, "required: an organ code such as heart or parotid_glands");
                }
                else if (organs.Contains(code))
                {
                    organ = Intern(code);
                }
                else
                {
                    var guess = string.Join('_', code.Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries));
                    problems.Add(n, "organ", o, organs.Contains(guess)
                        ? $"unknown organ: did you mean {guess}?"
                        : $"unknown organ: not in the controlled list ({string.Join(", ", organs.Order(StringComparer.Ordinal))})");
                }
            }

            MetricUnit? metric = null;
            if (row.TryGet("metric", out var m))
            {
                if (m.Length == 0)
                {
                    problems.Add(n, "metric", m, "required: a dose metric such as mean or D2%");
                }
                else if (!metrics.TryGetValue(m, out metric))
                {
                    problems.Add(n, "metric", m, $"unknown metric: not in the controlled list ({string.Join(", ", metrics.Keys)})");
                }
            }

            decimal? value = null;
            if (row.TryGet("value_gy", out var v))
            {
                value = Amount(n, "value_gy", v, required: true);
                if (value is { } x && metric?.Unit == "%" && x > 100)
                {
                    problems.Add(n, "value_gy", v, $"{metric.Name} is a percentage of the organ volume: 0 to 100");
                    value = null;
                }
            }

            decimal? sd = null;
            if (row.TryGet("uncertainty_sd_gy", out var u) && u.Length > 0)
            {
                sd = Amount(n, "uncertainty_sd_gy", u, required: false);
            }

            string? source = null;
            if (row.TryGet("source", out var s) && s.Length > 0)
            {
                if (s.Length > 200)
                {
                    problems.Add(n, "source", s, "at most 200 characters");
                }
                else if ((TextRules.RefuseLine(s) ?? TextRules.RefuseFormula(s) ?? TextRules.RefuseMarkup(s)) is { } why)
                {
                    problems.Add(n, "source", s, why);
                }
                else
                {
                    source = Intern(s);
                }
            }

            string? computed = null;
            if (row.TryGet("computed_date", out var d) && d.Length > 0)
            {
                if (!CellParsing.TryIsoDate(d, out var date))
                {
                    problems.Add(n, "computed_date", d, CellParsing.DateReason(d));
                }
                else if (date > today)
                {
                    problems.Add(n, "computed_date", d, "in the future");
                }
                else
                {
                    computed = Intern(CellParsing.Iso(date));
                }
            }

            if (pseudonym is not null && organ is not null && metric is not null)
            {
                var key = $"{pseudonym.ToUpperInvariant()}\u001f{organ}\u001f{metric.Name}";
                if (!_seen.TryAdd(key, n))
                {
                    problems.Add(n, "metric", m, $"duplicate: {pseudonym} {organ} {metric.Name} is already on row {_seen[key]}");
                }
            }
            if (problems.Total > before || pseudonym is null || organ is null || metric is null || value is null)
            {
                return null;
            }
            return new DoseRecord(n, pseudonym, organ, metric.Name, value.Value, sd, source, computed);
        }

        private decimal? Amount(int n, string column, string text, bool required)
        {
            if (text.Length == 0)
            {
                if (required)
                {
                    problems.Add(n, column, text, "required: the value in Gy");
                }
                return null;
            }
            if (!CellParsing.TryDecimal(text, separator, out var x))
            {
                problems.Add(n, column, text, "not a number: write it like 12.5");
                return null;
            }
            if (x < 0)
            {
                problems.Add(n, column, text, "a dose cannot be negative");
                return null;
            }
            if (x > MaxDoseGy)
            {
                problems.Add(n, column, text, $"more than {MaxDoseGy} Gy: a typing error?");
                return null;
            }
            return x;
        }

        private string Intern(string s)
        {
            if (_strings.TryGetValue(s, out var shared))
            {
                return shared;
            }
            _strings[s] = s;
            return s;
        }
    }
}
