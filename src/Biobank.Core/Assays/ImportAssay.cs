using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Biobank.Core.Assays.Formats;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Dapper;

namespace Biobank.Core.Assays;

/// <summary>
/// Imports one result file into a run: validates every row before writing anything, then writes every row in one
/// transaction. Validation streams the file once, keeping only what the write needs: a compact binary spool of
/// the parsed rows in a temporary file, the aliquots and analytes seen, and one bit per (aliquot, analyte) pair
/// to find duplicates. The write reads the spool, so a file of any size never sits in memory.
/// </summary>
public sealed partial class ImportAssay(IDb db, IAudit audit, TimeProvider clock, AssayImportSettings? settings = null)
{
    private const int ReportEvery = 16_384;

    private readonly AssayImportSettings _settings = settings ?? new AssayImportSettings();

    private const string SelectRun = """
        SELECT r.id AS Id, r.run_code AS RunCode, r.platform_id AS PlatformId, r.status AS Status FROM assay_run r WHERE r.run_code = @RunCode
        """;

    private const string SelectSha = "SELECT r.run_code FROM assay_file f JOIN assay_run r ON r.id = f.run_id WHERE f.sha256 = @Sha";

    private const string SelectSite = "SELECT id FROM site WHERE code = @Code";

    private const string SelectTube = """
        SELECT t.id, t.kind, t.status, t.site_id, t.remaining_ul, p.consent_status, p.pseudonym, st.code, t.patient_id, c.timepoint_id
        FROM tube t JOIN patient p ON p.id = t.patient_id JOIN sample_type st ON st.id = t.sample_type_id JOIN collection c ON c.id = t.collection_id
        WHERE t.barcode = @Barcode AND (@AllSites OR t.site_id = @ScopeSiteId)
        """;

    private const string SelectStored = "SELECT analyte_id FROM assay_result WHERE run_id = @RunId AND tube_id = @TubeId";

    private const string SelectInRun = "SELECT COUNT(*) FROM assay_run_aliquot WHERE run_id = @RunId AND tube_id = @TubeId";

    private const string InsertRun = """
        INSERT INTO assay_run (run_code, platform_id, run_date, operator, lab_site_id, status, created_utc, created_by)
        VALUES (@RunCode, @PlatformId, @RunDate, @Operator, @LabSiteId, 'imported', @Now, @User)
        RETURNING id
        """;

    // Locks the run for this transaction and proves it still takes results.
    private const string TouchRun = "UPDATE assay_run SET status = status WHERE id = @Id AND status = 'imported'";

    private const string InsertFile = """
        INSERT INTO assay_file (run_id, file_name, sha256, format, size_bytes, rows_read, result_rows, control_rows, options_json, import_job_id, imported_utc, imported_by)
        VALUES (@RunId, @FileName, @Sha, @Format, @Size, @RowsRead, @Results, @Controls, @Options, @JobId, @Now, @User)
        RETURNING id
        """;

    private const string InsertPanel = """
        INSERT INTO panel (platform_id, code, name, version) VALUES (@PlatformId, @Code, @Code, @Version)
        ON CONFLICT (platform_id, code) DO NOTHING
        """;

    private const string SelectPanel = "SELECT id FROM panel WHERE platform_id = @PlatformId AND code = @Code";

    private const string CountRun = """
        UPDATE assay_run SET result_rows = result_rows + @Results, control_rows = control_rows + @Controls, aliquots = aliquots + @Aliquots
        WHERE id = @Id
        """;

    private const string FinishJob = """
        UPDATE import_job SET state = 'succeeded', phase = 'done', rows_written = @Rows, sha256 = @Sha, message = @Message, finished_utc = @Now, heartbeat_utc = @Now
        WHERE id = @Id AND state = 'running'
        """;

    // Taking volume from the aliquots new to the run, set-based: a handful of statements, not four per aliquot.
    // While pending, assay_run_aliquot.consumed_ul is negative: −1 = not yet worked out, −1 − take once it is;
    // the last statement turns it into the take. Take = min(planned, remaining): an aliquot never goes below zero.
    private const string PendingRows = "FROM assay_run_aliquot ra WHERE ra.run_id = @Run AND ra.consumed_ul < 0";

    // Row locks on those tubes for the rest of the transaction: on PostgreSQL nobody takes volume meanwhile.
    private const string LockTubes = "UPDATE tube SET updated_utc = updated_utc WHERE id IN (SELECT ra.tube_id " + PendingRows + ")";

    private const string WorkOutTake = """
        UPDATE assay_run_aliquot SET consumed_ul = -1 - (
            SELECT CASE WHEN t.remaining_ul <= 0 THEN 0 WHEN t.remaining_ul < CAST(@Planned AS NUMERIC) THEN t.remaining_ul ELSE CAST(@Planned AS NUMERIC) END
            FROM tube t WHERE t.id = assay_run_aliquot.tube_id)
        WHERE run_id = @Run AND consumed_ul = -1
        """;

    // The volume taken from tube t, read from its pending row ra; and whether that uses the aliquot up.
    private const string Take = "(-(ra.consumed_ul + 1))";

    private const string UsedUp = "(t.remaining_ul - " + Take + " <= 0 AND t.status IN ('in_storage', 'checked_out', 'registered'))";

    private const string AppendCustody =
        "INSERT INTO custody_event (tube_id, event, occurred_utc, user_name, site_id, from_box_id, from_row, from_col, to_box_id, to_row, to_col, status_after, details) " +
        "SELECT t.id, 'consumed', @Now, @User, t.site_id, t.box_id, t.pos_row, t.pos_col, " +
        "CASE WHEN " + UsedUp + " THEN NULL ELSE t.box_id END, CASE WHEN " + UsedUp + " THEN NULL ELSE t.pos_row END, " +
        "CASE WHEN " + UsedUp + " THEN NULL ELSE t.pos_col END, CASE WHEN " + UsedUp + " THEN 'consumed' ELSE t.status END, " +
        "CASE WHEN " + Take + " < CAST(@Planned AS NUMERIC) THEN CAST(" + Take + " AS TEXT) || @Used || '; ' || @PlannedText || ' µL planned but only ' || " +
        "CAST(t.remaining_ul AS TEXT) || ' µL remained' ELSE @Details END " +
        "FROM assay_run_aliquot ra JOIN tube t ON t.id = ra.tube_id WHERE ra.run_id = @Run AND ra.consumed_ul < -1";

    // One audit entry per volume change, old and new values as JSON the way the audit trail writes them.
    private const string AppendAudit =
        "INSERT INTO audit_log (occurred_utc, user_name, action, table_name, row_key, site_id, old_values, new_values, reason) " +
        "SELECT @Now, @User, 'update', 'tube', CAST(t.id AS TEXT), t.site_id, " +
        "'{\"status\":\"' || t.status || '\",\"remaining_ul\":' || CAST(t.remaining_ul AS TEXT) || '}', " +
        "'{\"status\":\"' || CASE WHEN " + UsedUp + " THEN 'consumed' ELSE t.status END || '\",\"remaining_ul\":' || CAST(t.remaining_ul - " + Take + " AS TEXT) || '}', " +
        "@Reason FROM assay_run_aliquot ra JOIN tube t ON t.id = ra.tube_id WHERE ra.run_id = @Run AND ra.consumed_ul < -1";

    private const string TubeUsedUp = "(tube.remaining_ul - (-(ra.consumed_ul + 1)) <= 0 AND tube.status IN ('in_storage', 'checked_out', 'registered'))";

    private const string TakeVolume =
        "UPDATE tube SET remaining_ul = tube.remaining_ul - (-(ra.consumed_ul + 1)), " +
        "status = CASE WHEN " + TubeUsedUp + " THEN 'consumed' ELSE tube.status END, " +
        "box_id = CASE WHEN " + TubeUsedUp + " THEN NULL ELSE tube.box_id END, " +
        "pos_row = CASE WHEN " + TubeUsedUp + " THEN NULL ELSE tube.pos_row END, " +
        "pos_col = CASE WHEN " + TubeUsedUp + " THEN NULL ELSE tube.pos_col END, " +
        "updated_utc = @Now " +
        "FROM assay_run_aliquot ra WHERE ra.tube_id = tube.id AND ra.run_id = @Run AND ra.consumed_ul < -1";

    private const string SumTaken = "SELECT COALESCE(SUM(-(ra.consumed_ul + 1)), 0) " + PendingRows;

    private const string SettleTake = "UPDATE assay_run_aliquot SET consumed_ul = -(consumed_ul + 1) WHERE run_id = @Run AND consumed_ul < 0";

    private static readonly BulkColumn[] ResultColumns =
    [
        new("run_id", BulkType.BigInt), new("tube_id", BulkType.BigInt), new("analyte_id", BulkType.BigInt), new("value", BulkType.Real),
        new("lod", BulkType.Real), new("below_lod", BulkType.Boolean), new("qc_warning", BulkType.Boolean), new("raw_value", BulkType.Real),
    ];

    private static readonly BulkColumn[] ControlColumns =
    [
        new("run_id", BulkType.BigInt), new("sample_id", BulkType.Text), new("analyte_id", BulkType.BigInt), new("value", BulkType.Real),
        new("plate_id", BulkType.Text), new("qc_warning", BulkType.Boolean),
    ];

    private static readonly BulkColumn[] RunAliquotColumns =
    [
        new("run_id", BulkType.BigInt), new("tube_id", BulkType.BigInt), new("plate_id", BulkType.Text), new("consumed_ul", BulkType.Numeric),
    ];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunCodePattern();

    public async Task<ImportAssayOutcome> ExecuteAsync(Caller caller, ImportAssayCommand cmd, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        if (!caller.IsAdmin && !caller.IsInRole(Roles.Biologist))
        {
            return ImportAssayOutcome.Refused("only biologists and administrators import assay results");
        }
        if (CheckCommand(cmd) is { } bad)
        {
            return bad;
        }
        var info = new FileInfo(cmd.FilePath);
        var fileName = string.IsNullOrWhiteSpace(cmd.OriginalName) ? info.Name : Path.GetFileName(cmd.OriginalName.Trim());
        if (!info.Exists)
        {
            return ImportAssayOutcome.Refused("the file does not exist", "file", fileName);
        }
        if (info.Length > cmd.MaxBytes)
        {
            return ImportAssayOutcome.Refused($"the file is {info.Length:N0} bytes; the upload limit is {cmd.MaxBytes:N0} bytes", "file", fileName);
        }
        if (info.Length == 0)
        {
            return ImportAssayOutcome.Refused("the file is empty", "file", fileName);
        }
        progress?.Report(new ImportProgress(ImportPhase.Checking, info.Length, 0, 0, 0, 0, 0));

        var problems = new ImportProblems(cmd.MaxProblems);
        using var spool = new Spool();
        string? sha = null;
        Validation validation;
        ImportedFormat chosen;
        ImportContext context;
        await using (var lookup = await db.OpenAsync(ct))
        {
            var kind = AssayRowSource.KindOf(cmd.FilePath);
            var text = kind == FileKind.Text;
            if (!text)
            {
                sha = await HashAsync(cmd.FilePath, ct);
                if (await AlreadyImportedAsync(lookup, sha, ct) is { } run)
                {
                    return AlreadyImported(fileName, run);
                }
                if (kind == FileKind.Xlsx)
                {
                    XlsxInspector.Inspect(cmd.FilePath, cmd.Xlsx, problems);
                    if (problems.Any)
                    {
                        return ImportAssayOutcome.Refused(problems);
                    }
                }
            }
            var (format, confidence, refusal) = await ChooseFormatAsync(cmd, kind, fileName, ct);
            if (format is null)
            {
                return refusal!;
            }
            if (CheckFormat(cmd, format) is { } unfit)
            {
                return unfit;
            }
            context = await LoadContextAsync(caller, cmd, format, ct);
            if (context.Refusal is { } refused)
            {
                return refused;
            }
            using var hash = text ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            validation = new Validation(cmd, format, context, problems, spool, lookup, caller, progress, info.Length, cmd.MaxReplicateSd ?? _settings.MaxReplicateSd);
            using var queries = validation;
            using var source = OpenSource(cmd.FilePath, kind, format, hash, out var unreadable);
            if (source is null)
            {
                return ImportAssayOutcome.Refused($"not a readable {kind.ToString().ToUpperInvariant()} file: {unreadable}");
            }
            try
            {
                await validation.RunAsync(new AssayTable(source, problems, format), ct);
            }
            catch (CsvFormatException e)
            {
                problems.Add(e.Line, "file", "", e.Reason);
            }
            catch (Exception e) when (!text && e is not OperationCanceledException)
            {
                problems.Add(source.Line + 1, "file", "", $"the {(kind == FileKind.Xlsx ? "spreadsheet" : "Parquet file")} cannot be read past this row: {e.Message}");
            }
            if (source is CsvRowSource csv)
            {
                await csv.DrainAsync(ct);
            }
            if (text)
            {
                sha = Convert.ToHexStringLower(hash!.GetHashAndReset());
                if (await AlreadyImportedAsync(lookup, sha, ct) is { } run)
                {
                    return AlreadyImported(fileName, run);
                }
            }
            var mapper = validation.Mapper;
            if (mapper is not null && format.CarriesCt && cmd.References.Count == 0)
            {
                mapper.Facts["ΔCt"] = "not computed (no reference miRNAs named): the mean Ct is stored as raw value, the value left empty";
            }
            chosen = new ImportedFormat(format.Name, cmd.Format.IsAuto, confidence, mapper?.Unstored ?? [],
                mapper?.Facts ?? new Dictionary<string, string>(), validation.ControlSamples.Select(c => c.Sample).Distinct(StringComparer.Ordinal).Count());
        }
        validation.Finish();
        if (problems.Any)
        {
            return ImportAssayOutcome.Refused(problems);
        }
        return await WriteAsync(caller, cmd, context, validation, chosen, spool, fileName, info.Length, sha!, progress, watch, ct);
    }

    private static ImportAssayOutcome? CheckCommand(ImportAssayCommand cmd)
    {
        if (!RunCodePattern().IsMatch(cmd.RunCode ?? ""))
        {
            return ImportAssayOutcome.Refused("a run code is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit", "run", cmd.RunCode ?? "");
        }
        if (cmd.ConsumeUl is < 0 or > 10_000)
        {
            return ImportAssayOutcome.Refused("the volume used per aliquot is between 0 and 10,000 µL", "consume-ul", cmd.ConsumeUl.ToString(CultureInfo.InvariantCulture));
        }
        if (!cmd.Format.IsAuto && cmd.Format.Format is null)
        {
            return ImportAssayOutcome.Refused($"not a format; the formats are {AssayFormatRegistry.Choices.Replace('|', ',')}", "format", cmd.Format.Name);
        }
        if (cmd.MaxReplicateSd is < 0 or > 50 || cmd.MaxReplicateSd is double.NaN)
        {
            return ImportAssayOutcome.Refused("the largest replicate SD is between 0 and 50 cycles", "max-replicate-sd", cmd.MaxReplicateSd.Value.ToString(CultureInfo.InvariantCulture));
        }
        try
        {
            _ = new Regex(cmd.ControlPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            return ImportAssayOutcome.Refused($"the control pattern is not a regular expression: {e.Message}", "control-pattern", cmd.ControlPattern);
        }
        return null;
    }


    /// <summary>Checks that depend on the format: our own qPCR layout names its reference miRNAs.</summary>
    private static ImportAssayOutcome? CheckFormat(ImportAssayCommand cmd, IAssayFormat format) =>
        format.RequiresReferences && cmd.References.Count == 0
            ? ImportAssayOutcome.Refused("a qPCR import names its reference miRNAs (e.g. hsa-miR-16-5p,hsa-miR-93-5p): ΔCt is computed against them", "references")
            : null;

    /// <summary>The format asked for, or — for auto — the one most sure of the file; else the refusal listing every format.</summary>
    private static async Task<(IAssayFormat? Format, int Confidence, ImportAssayOutcome? Refusal)> ChooseFormatAsync(ImportAssayCommand cmd, FileKind kind, string fileName,
        CancellationToken ct)
    {
        if (!cmd.Format.IsAuto)
        {
            return (cmd.Format.Format, 100, null);
        }
        FileSniff sniff;
        try
        {
            sniff = await FileSniffer.SniffAsync(cmd.FilePath, kind, fileName, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, 0, ImportAssayOutcome.Refused($"not a readable {kind.ToString().ToUpperInvariant()} file: {e.Message}", "file", fileName));
        }
        var (format, confidence) = AssayFormatRegistry.Detect(sniff);
        return format is null
            ? (null, confidence, ImportAssayOutcome.Refused(AssayFormatRegistry.Undetected(sniff), "format", fileName))
            : (format, confidence, null);
    }

    private static AssayRowSource? OpenSource(string path, FileKind kind, IAssayFormat format, IncrementalHash? hash, out string unreadable)
    {
        unreadable = "";
        try
        {
            return AssayRowSource.Open(path, kind, hash, format.ForceDelimiter ? format.Delimiters[0] : null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            unreadable = e.Message;
            return null;
        }
    }
    private static ImportAssayOutcome AlreadyImported(string fileName, string run) =>
        ImportAssayOutcome.Refused($"this file was already imported (same SHA-256) into run {run}; nothing was written", "file", fileName);

    private static async Task<string?> AlreadyImportedAsync(DbConnection c, string sha, CancellationToken ct) =>
        await c.ExecuteScalarAsync<string?>(new CommandDefinition(SelectSha, new { Sha = sha }, cancellationToken: ct));

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(f, ct));
    }

    private async Task<ImportContext> LoadContextAsync(Caller caller, ImportAssayCommand cmd, IAssayFormat format, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var platforms = (await c.QueryAsync<PlatformView>(new CommandDefinition(AssayCatalogue.SelectPlatforms, cancellationToken: ct))).AsList();
        PlatformView? platform;
        if (cmd.PlatformCode is { Length: > 0 } code)
        {
            platform = platforms.FirstOrDefault(p => string.Equals(p.Code, code, StringComparison.OrdinalIgnoreCase));
            if (platform is null)
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused(
                    $"no platform has this code; the platforms are {string.Join(", ", platforms.Select(p => p.Code))}", "platform", code));
            }
            if (!format.Fits(platform.ValueKind))
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused(
                    $"platform {platform.Code} measures {platform.ValueKind}; a {format.Name} file cannot hold its results", "platform", code));
            }
        }
        else
        {
            var kind = format.ValueKind;
            var fitting = platforms.Where(p => p.ValueKind == kind).ToList();
            if (fitting.Count != 1)
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused(fitting.Count == 0
                    ? $"no platform measures {kind}: add one to the catalogue first"
                    : $"several platforms measure {kind} ({string.Join(", ", fitting.Select(p => p.Code))}): name one with --platform", "platform"));
            }
            platform = fitting[0];
        }
        var run = await c.QuerySingleOrDefaultAsync<RunHead>(new CommandDefinition(SelectRun, new { cmd.RunCode }, cancellationToken: ct));
        if (run is not null)
        {
            if (run.Status != "imported")
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused(
                    $"run {run.RunCode} is {run.Status}: its results are final. Import the file under a new run code", "run", cmd.RunCode));
            }
            if (run.PlatformId != platform.Id)
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused(
                    $"run {run.RunCode} belongs to another platform than {platform.Code}", "run", cmd.RunCode));
            }
        }
        long? labSiteId = null;
        if (cmd.LabSiteCode is { Length: > 0 } site)
        {
            labSiteId = await c.ExecuteScalarAsync<long?>(new CommandDefinition(SelectSite, new { Code = site }, cancellationToken: ct));
            if (labSiteId is null)
            {
                return ImportContext.Refuse(ImportAssayOutcome.Refused("no site has this code", "lab", site));
            }
        }
        var analytes = (await c.QueryAsync<AnalyteView>(new CommandDefinition(AssayCatalogue.SelectAnalytes, cancellationToken: ct))).AsList();
        return new ImportContext(platform, run, labSiteId, analytes, null);
    }

    private async Task<ImportAssayOutcome> WriteAsync(Caller caller, ImportAssayCommand cmd, ImportContext context, Validation v, ImportedFormat format, Spool spool, string fileName,
        long size, string sha, IProgress<ImportProgress>? progress, Stopwatch watch, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var toWrite = v.Results + v.Controls;
        progress?.Report(new ImportProgress(ImportPhase.Writing, size, size, v.RowsRead, v.RowsValidated, 0, toWrite));
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        try
        {
            long runId;
            var newRun = context.Run is null;
            if (newRun)
            {
                runId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertRun, new
                {
                    cmd.RunCode,
                    PlatformId = context.Platform.Id,
                    RunDate = cmd.RunDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    cmd.Operator,
                    LabSiteId = context.LabSiteId,
                    Now = now,
                    User = caller.UserName,
                }, tx, cancellationToken: ct));
                await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "assay_run", runId.ToString(CultureInfo.InvariantCulture),
                    New: new { cmd.RunCode, Platform = context.Platform.Code, RunDate = cmd.RunDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cmd.Operator, cmd.LabSiteCode, Status = "imported" },
                    SiteId: context.LabSiteId), ct);
            }
            else
            {
                runId = context.Run!.Id;
                if (await c.ExecuteAsync(new CommandDefinition(TouchRun, new { Id = runId }, tx, cancellationToken: ct)) != 1)
                {
                    return ImportAssayOutcome.Refused($"run {cmd.RunCode} was reviewed while the file was being checked; its results are final now", "run", cmd.RunCode);
                }
            }

            var analyteIds = await AddAnalytesAsync(c, tx, caller, context, v, now, ct);
            var options = JsonSerializer.Serialize(new
            {
                format = format.Name,
                format_detected = format.Detected,
                format_confidence = format.Confidence,
                facts = format.Facts,
                not_stored = format.Unstored,
                control_samples = format.ControlSamples,
                max_replicate_sd = v.Replicates.Count > 0 ? v.MaxReplicateSd : (double?)null,
                platform = context.Platform.Code,
                add_analytes = cmd.AddAnalytes,
                references = cmd.References,
                consume_ul = cmd.ConsumeUl,
                control_pattern = cmd.ControlPattern,
            });
            var fileId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertFile, new
            {
                RunId = runId,
                FileName = fileName,
                Sha = sha,
                Format = format.Name,
                Size = size,
                RowsRead = v.RowsRead,
                v.Results,
                v.Controls,
                Options = options,
                cmd.JobId,
                Now = now,
                User = caller.UserName,
            }, tx, cancellationToken: ct));

            // A new run's matrix is packed from the rows as they are written; a file added to an open run repacks the
            // whole run from what is stored.
            var matrix = context.Run is null ? new RunMatrix.Builder() : null;
            var written = await WriteRowsAsync(c, tx, runId, v, spool, analyteIds, matrix, progress, size, toWrite, ct);
            await WriteReplicatesAsync(c, tx, runId, v, analyteIds, ct);
            if (matrix is null)
            {
                await RunMatrix.RebuildAsync(c, tx, runId, now, ct);
            }
            else
            {
                await RunMatrix.SaveAsync(c, tx, runId, matrix, now, ct);
            }
            var (newToRun, consumed) = await RecordAliquotsAsync(c, tx, caller, cmd, runId, fileName, v, now, ct);
            await c.ExecuteAsync(new CommandDefinition(CountRun, new { Id = runId, v.Results, v.Controls, Aliquots = newToRun }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "assay_file", fileId.ToString(CultureInfo.InvariantCulture),
                New: new
                {
                    cmd.RunCode, FileName = fileName, Sha256 = sha, Format = format.Name, RowsRead = v.RowsRead, v.Results, v.Controls,
                    Aliquots = v.Tubes.Count, AliquotsNewToRun = newToRun, AnalytesAdded = v.NewAnalytes.Count, ConsumedUl = consumed,
                }, Reason: "assay import", SiteId: context.LabSiteId), ct);
            var summary = new ImportAssaySummary(cmd.RunCode, runId, fileId, fileName, sha, v.RowsRead, v.Results, v.Controls, v.Tubes.Count, newToRun,
                v.AnalytesUsed, v.NewAnalytes.Count, consumed, watch.Elapsed, format);
            if (cmd.JobId is { } jobId)
            {
                var message = $"{v.Results:N0} results and {v.Controls:N0} controls into run {cmd.RunCode}; {format.Describe()}";
                if (await c.ExecuteAsync(new CommandDefinition(FinishJob, new { Id = jobId, Rows = written, Sha = sha, Message = message, Now = now }, tx, cancellationToken: ct)) != 1)
                {
                    await tx.RollbackAsync(ct);
                    return ImportAssayOutcome.Refused($"import job {jobId} is no longer running (cancelled or taken over); nothing was written", "job");
                }
            }
            ct.ThrowIfCancellationRequested();
            await tx.CommitAsync(CancellationToken.None);
            summary = summary with { Elapsed = watch.Elapsed };
            progress?.Report(new ImportProgress(ImportPhase.Done, size, size, v.RowsRead, v.RowsValidated, written, toWrite));
            return new ImportAssayOutcome(summary, [], 0);
        }
        catch (Exception e) when (db.Dialect.IsUniqueViolation(e))
        {
            await tx.RollbackAsync(CancellationToken.None);
            return ImportAssayOutcome.Refused(
                "another import wrote into this run, or imported this file, while it was being checked; nothing was written — import it again to see what remains", "file", fileName);
        }
    }

    private async Task<long[]> AddAnalytesAsync(DbConnection c, DbTransaction tx, Caller caller, ImportContext context, Validation v, DateTime now, CancellationToken ct)
    {
        var ids = new long[v.Analytes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = v.Analytes[i].Id ?? 0;
        }
        if (v.NewAnalytes.Count == 0)
        {
            return ids;
        }
        var saliva = v.Tubes.Count > 0 && v.Tubes.All(t => t.SampleType.StartsWith("SAL", StringComparison.OrdinalIgnoreCase));
        var panels = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var local in v.NewAnalytes)
        {
            var slot = v.Analytes[local];
            long? panelId = null;
            if (slot.Panel is { Length: > 0 } panel)
            {
                if (!panels.TryGetValue(panel, out var pid))
                {
                    var created = await c.ExecuteAsync(new CommandDefinition(InsertPanel, new { PlatformId = context.Platform.Id, Code = panel, Version = slot.PanelVersion }, tx, cancellationToken: ct));
                    pid = await c.ExecuteScalarAsync<long>(new CommandDefinition(SelectPanel, new { PlatformId = context.Platform.Id, Code = panel }, tx, cancellationToken: ct));
                    if (created > 0)
                    {
                        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "panel", pid.ToString(CultureInfo.InvariantCulture),
                            New: new { Platform = context.Platform.Code, Code = panel, Version = slot.PanelVersion }, Reason: "new analytes added by an assay import"), ct);
                    }
                    panels[panel] = pid;
                }
                panelId = pid;
            }
            var kind = AnalyteCodes.KindOf(slot.Code);
            var cls = kind == "mirna" ? BiomarkerClasses.Mirna : saliva ? BiomarkerClasses.SalivaProtein : BiomarkerClasses.PlasmaProtein;
            var unit = context.Platform.ValueKind == ValueKinds.Concentration ? slot.Unit ?? context.Platform.DefaultUnit : null;
            ids[local] = await AssayCatalogue.InsertAsync(c, tx, new AnalyteInput(slot.Code, slot.Name ?? slot.Code, cls, unit), panelId, caller.UserName, now, audit, ct);
        }
        return ids;
    }

    private async Task<long> WriteRowsAsync(DbConnection c, DbTransaction tx, long runId, Validation v, Spool spool, long[] analyteIds,
        RunMatrix.Builder? matrix, IProgress<ImportProgress>? progress, long size, long toWrite, CancellationToken ct)
    {
        long written = 0;
        var refMean = v.ReferenceMeans();
        await using (var results = await db.Dialect.BeginBulkInsertAsync(c, tx, "assay_result", ResultColumns, ct))
        {
            foreach (var r in spool.Read(Spool.Result))
            {
                var tube = v.Tubes[r.Index];
                var value = r.Value;
                var belowLod = (r.Flags & Spool.BelowLod) != 0;
                if (refMean is not null)
                {
                    // ΔCt = Ct − mean Ct of this sample's reference miRNAs; an undetermined Ct is below detection.
                    value = double.IsNaN(r.Raw) ? double.NaN : r.Raw - refMean[r.Index];
                    belowLod = double.IsNaN(r.Raw);
                }
                results.StartRow();
                results.Write(runId);
                results.Write(tube.Id);
                results.Write(analyteIds[r.Analyte]);
                WriteDouble(results, value);
                WriteDouble(results, r.Lod);
                results.Write(belowLod);
                results.Write((r.Flags & Spool.QcWarning) != 0);
                WriteDouble(results, r.Raw);
                results.EndRow();
                matrix?.Add(analyteIds[r.Analyte], tube.Id, tube.PatientId, tube.TimepointId, value, r.Lod, belowLod);
                if (++written % ReportEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Report(new ImportProgress(ImportPhase.Writing, size, size, v.RowsRead, v.RowsValidated, written, toWrite));
                }
            }
            await results.CompleteAsync(ct);
        }
        if (v.Controls > 0)
        {
            await using var controls = await db.Dialect.BeginBulkInsertAsync(c, tx, "assay_control", ControlColumns, ct);
            foreach (var r in spool.Read(Spool.Control))
            {
                var (sample, plate) = v.ControlSamples[r.Index];
                controls.StartRow();
                controls.Write(runId);
                controls.Write(sample);
                controls.Write(analyteIds[r.Analyte]);
                WriteDouble(controls, double.IsNaN(r.Value) ? r.Raw : r.Value);
                if (plate is null)
                {
                    controls.WriteNull();
                }
                else
                {
                    controls.Write(plate);
                }
                controls.Write((r.Flags & Spool.QcWarning) != 0);
                controls.EndRow();
                if (++written % ReportEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Report(new ImportProgress(ImportPhase.Writing, size, size, v.RowsRead, v.RowsValidated, written, toWrite));
                }
            }
            await controls.CompleteAsync(ct);
        }
        return written;
    }

    private const string InsertReplicates = """
        INSERT INTO assay_result_replicates (run_id, tube_id, analyte_id, replicates, detected, sd, wells)
        VALUES (@RunId, @TubeId, @AnalyteId, @Replicates, @Detected, @Sd, @Wells)
        """;

    /// <summary>What each averaged result was averaged from: only replicate formats have any, and their files are one plate.</summary>
    private static async Task WriteReplicatesAsync(DbConnection c, DbTransaction tx, long runId, Validation v, long[] analyteIds, CancellationToken ct)
    {
        if (v.Replicates.Count == 0)
        {
            return;
        }
        var rows = v.Replicates.Select(r => new
        {
            RunId = runId,
            TubeId = v.Tubes[r.Tube].Id,
            AnalyteId = analyteIds[r.Analyte],
            r.Replicates,
            r.Detected,
            Sd = double.IsNaN(r.Sd) ? (double?)null : r.Sd,
            r.Wells,
        });
        await c.ExecuteAsync(new CommandDefinition(InsertReplicates, rows, tx, cancellationToken: ct));
    }

    private static void WriteDouble(IBulkInsert bulk, double value)
    {
        if (double.IsNaN(value))
        {
            bulk.WriteNull();
        }
        else
        {
            bulk.Write(value);
        }
    }

    /// <summary>
    /// The aliquots new to the run: recorded with their plate and the volume taken, which lowers the remaining volume
    /// (never below zero; an aliquot used up leaves its box) with a 'consumed' custody event and an audit entry each.
    /// </summary>
    private async Task<(int NewToRun, decimal Consumed)> RecordAliquotsAsync(DbConnection c, DbTransaction tx, Caller caller, ImportAssayCommand cmd, long runId,
        string fileName, Validation v, DateTime now, CancellationToken ct)
    {
        var fresh = v.Tubes.Where(t => !t.AlreadyInRun).ToList();
        if (fresh.Count == 0)
        {
            return (0, 0m);
        }
        var consume = cmd.ConsumeUl > 0;
        await using (var runAliquots = await db.Dialect.BeginBulkInsertAsync(c, tx, "assay_run_aliquot", RunAliquotColumns, ct))
        {
            foreach (var tube in fresh)
            {
                runAliquots.StartRow();
                runAliquots.Write(runId);
                runAliquots.Write(tube.Id);
                if (tube.Plate is { } plate)
                {
                    runAliquots.Write(plate);
                }
                else
                {
                    runAliquots.WriteNull();
                }
                runAliquots.Write(consume ? -1m : 0m);
                runAliquots.EndRow();
            }
            await runAliquots.CompleteAsync(ct);
        }
        if (!consume)
        {
            return (fresh.Count, 0m);
        }
        var planned = cmd.ConsumeUl.ToString("0.##", CultureInfo.InvariantCulture);
        var args = new
        {
            Run = runId,
            Planned = cmd.ConsumeUl,
            PlannedText = planned,
            Now = now,
            User = caller.UserName,
            Used = $" µL used by assay run {cmd.RunCode} ({fileName})",
            Details = $"{planned} µL used by assay run {cmd.RunCode} ({fileName})",
            Reason = $"assay run {cmd.RunCode}",
        };
        foreach (var sql in new[] { LockTubes, WorkOutTake, AppendCustody, AppendAudit })
        {
            await c.ExecuteAsync(new CommandDefinition(sql, args, tx, commandTimeout: 600, cancellationToken: ct));
        }
        var total = await c.ExecuteScalarAsync<decimal>(new CommandDefinition(SumTaken, args, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(TakeVolume, args, tx, commandTimeout: 600, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(SettleTake, args, tx, cancellationToken: ct));
        return (fresh.Count, total);
    }

    internal sealed record RunHead
    {
        public long Id { get; init; }
        public string RunCode { get; init; } = "";
        public long PlatformId { get; init; }
        public string Status { get; init; } = "";
    }

    internal sealed record ImportContext(PlatformView Platform, RunHead? Run, long? LabSiteId, IReadOnlyList<AnalyteView> Analytes, ImportAssayOutcome? Refusal)
    {
        public static ImportContext Refuse(ImportAssayOutcome outcome) => new(new PlatformView(), null, null, [], outcome);
    }
}
