using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Accounts;
using Biobank.Core.Analysis;
using Biobank.Core.Assays;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Assays;
using Biobank.Core.Tests.Registry;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Audit;

/// <summary>
/// Walks the live schema: every table is either written by the use cases below and leaves audit rows for what they
/// wrote, or is named in <see cref="Exempt"/> with the reason. A new table fails here until someone decides which.
/// </summary>
public sealed class AuditCompletenessTests
{
    /// <summary>Tables that need no audit rows of their own, each with why. Keep it short and honest.</summary>
    private static readonly Dictionary<string, string> Exempt = new(StringComparer.Ordinal)
    {
        ["audit_log"] = "the audit trail itself (append-only by trigger)",
        ["schema_migrations"] = "the migration journal, written only by the migrator at deployment",
        ["custody_event"] = "itself an append-only trail (triggers refuse UPDATE/DELETE/TRUNCATE), written in the transaction of the audited tube change it records",
        ["barcode_sequence"] = "a per-site counter; every barcode it hands out appears in the audited row (tube, box, shipment) that carries it",
        ["barcode"] = "the registry of issued barcodes; each is written with, and named in the new values of, the audited tube, box or shipment row",
        ["data_protection_key"] = "ASP.NET Data Protection key ring (web only); copying key XML into audit_log would leak the keys",
        ["organ"] = "reference data inserted by migrations; no use case writes it",
        ["dose_metric"] = "reference data inserted by migrations; no use case writes it",
        ["platform"] = "reference data: only migrations and the demo seeder (audited there, one entry per table) write it",
        ["organ_dose"] = "bulk rows of one dose import: audited as one dose_version insert entry naming file, counts and reason",
        ["assay_result"] = "bulk rows of one import file: audited as one assay_file insert entry (rows, file hash) per file",
        ["assay_control"] = "bulk rows of one import file: audited with the assay_file entry of that file",
        ["assay_run_aliquot"] = "which aliquots a run measured, written with the file's results; the assay_file entry names them by count",
        ["assay_run_matrix"] = "derived from assay_result in the same transaction (a packed copy for the association scan)",
        ["import_job"] = "the background queue and progress of an assay import; the import it runs is audited (assay_run, assay_file)",
        ["maintenance_run"] = "the last outcome of each nightly job (integrity check, backup, overdue scan), replaced every night; it changes no record of the lab",
        ["label_batch"] = "the background queue of labels for a printer; the print itself is audited per tube or box (action print) when the batch is sent",
        ["assay_result_replicates"] = "the technical replicates behind bulk assay_result rows of one file, audited with that file's assay_file entry",
    };

    [Theory, Providers]
    public async Task Every_table_written_by_a_use_case_has_audit_rows_or_a_stated_exemption(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tables = await TablesAsync(db);
        var failures = new List<string>();
        var written = new HashSet<string>(StringComparer.Ordinal);

        // Phase 1: the demo seeder is a use case too (the web app runs it at first start in Development).
        var before = await SnapshotAsync(db, tables);
        var mark = await LastAuditIdAsync(db);
        await LabData.SeedAsync(db, patients: 8);
        await CheckPhaseAsync(db, tables, before, mark, "seed-demo", failures, written);

        // Phase 2: the use cases a lab runs, each through its Core service.
        before = await SnapshotAsync(db, tables);
        mark = await LastAuditIdAsync(db);
        await WalkUseCasesAsync(db);
        var seedOnly = new HashSet<string>(written, StringComparer.Ordinal);
        written.Clear();
        await CheckPhaseAsync(db, tables, before, mark, "use cases", failures, written);

        foreach (var table in tables)
        {
            var isExempt = Exempt.ContainsKey(table);
            if (!isExempt && !written.Contains(table))
            {
                failures.Add(seedOnly.Contains(table)
                    ? $"{table}: only the demo seeder writes it here; add the use case that writes it to the walk, or exempt it with a reason"
                    : $"{table}: no use case in the walk writes it; add the use case that does to the walk, or exempt it with a reason");
            }
        }
        foreach (var name in Exempt.Keys.Where(k => !tables.Contains(k)))
        {
            failures.Add($"{name}: exempted but no longer in the schema; remove the exemption");
        }
        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures));
    }

    private static async Task WalkUseCasesAsync(TestDatabase db)
    {
        var admin = await LabData.CallerAsync(db, "admin");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var receiver = await LabData.CallerAsync(db, "tech.sto");
        var biologist = await LabData.CallerAsync(db, "biologist");
        var bru = tech.SiteId!.Value;

        // Sites, accounts and tokens.
        var sites = db.Get<SiteDirectory>();
        var siteId = Ok(await sites.CreateAsync(admin, new SiteInput("WLK", "Walk hospital", "BE", SiteKinds.Collection, "WLK"), default));
        Ok(await sites.UpdateAsync(admin, siteId, new SiteInput("WLK", "Walk university hospital", "BE", SiteKinds.Collection, "WLK"), "renamed", default));
        var accounts = db.Get<UserAccounts>();
        var userId = Ok(await accounts.CreateAsync(admin, new NewUser("walk.tech", "Walk technician", "a-long-enough-password", bru, [Roles.Technician]), default));
        Ok(await accounts.ChangeAsync(admin, new UserChange(userId, "Walk technician", bru, [Roles.Technician, Roles.SiteStaff], false, "covers shipping"), default));
        Ok(await accounts.ResetPasswordAsync(admin, userId, "another-long-password", default));
        await accounts.SignInAsync("walk.tech", "wrong password!!", default);
        await accounts.SignInAsync("walk.tech", "another-long-password", default);
        var tokens = db.Get<ApiTokens>();
        var token = Ok(await tokens.CreateAsync(admin, userId, "scanner", default));
        Ok(await tokens.RevokeAsync(admin, token.Id, default));

        // Study protocol.
        var protocol = db.Get<Protocol>();
        Ok(await protocol.AddTimepointAsync(admin, new Timepoint { Code = "M24", Name = "24 months", SortOrder = 90 }, default));
        var typeId = Ok(await protocol.AddSampleTypeAsync(admin, new SampleType
        {
            Code = "SERUM2", Name = "Serum (walk)", Kind = "aliquot", SprecType = "SER", SprecContainer = "PED", DefaultVolumeUl = 200m, Colour = "#ffcc00",
        }, default));
        var edta = (await protocol.SampleTypesAsync(default)).Single(t => t.Code == "EDTA").Id;
        var seededPlan = (await protocol.PlansAsync(default))[0];
        Ok(await protocol.SetPlanAsync(admin, edta, typeId, 2, 200m, default));
        Ok(await protocol.SetPlanAsync(admin, edta, typeId, 3, 150m, default));
        Ok(await protocol.RemovePlanAsync(admin, seededPlan.Id, default));

        // Patients, collections, aliquots, processing (the withdrawn patient goes through Patients.UpdateAsync).
        var patients = db.Get<Patients>();
        var patientId = Ok(await patients.CreateAsync(tech, new PatientInput("BRU-9001", bru, "F", 6m, "given", "2025-01-05"), default));
        Ok(await patients.UpdateAsync(tech, patientId, new PatientInput("BRU-9001", bru, "F", 6.5m, "given", "2025-01-05"), "age corrected", default));
        var tubes = await LabData.NewAliquotsAsync(db, tech, 16);
        var withdrawn = await LabData.NewAliquotsAsync(db, tech, 1, withdrawnPatient: true);
        var primary = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, tubes[0], default))!.ParentId!.Value;
        Ok(await db.Get<Collections>().RecordProcessingAsync(tech, new ProcessingInput(primary, db.Clock.GetUtcNow().UtcDateTime.AddHours(-1), "RT", 4m, 2000, 10, true, null,
            db.Clock.GetUtcNow().UtcDateTime, -80m), default));

        // Storage: freezer, rack, boxes, storing, moving, tube actions, destruction after withdrawal.
        var storage = db.Get<StorageSetup>();
        var freezer = Ok(await storage.AddFreezerAsync(tech, bru, "Walk freezer", -80m, null, default));
        var rack = Ok(await storage.AddRackAsync(tech, freezer, "Walk rack", default));
        var box = Ok(await storage.AddBoxAsync(tech, bru, rack, "walk box", 9, 9, null, default));
        var looseBox = await LabData.NewBoxAsync(db, tech);
        Ok(await storage.MoveBoxAsync(tech, looseBox, rack, "reorganised", default));
        var store = db.Get<StoreTube>();
        foreach (var t in tubes.Take(8))
        {
            Ok(await store.ExecuteAsync(tech, new StoreCommand(box, t), default));
        }
        Ok(await store.ExecuteAsync(tech, new StoreCommand(looseBox, tubes[8]), default));
        var actions = db.Get<TubeActions>();
        Ok(await actions.CheckOutAsync(tech, tubes[8], default));
        Ok(await actions.CheckInAsync(tech, tubes[8], default));
        Ok(await actions.ConsumeAsync(tech, tubes[8], 1m, "qc", default));
        Ok(await actions.DestroyAsync(tech, tubes[15], "dropped", default));
        Ok(await db.Get<DestructionList>().DestroyAsync(tech, [withdrawn[0]], "consent withdrawn", default));

        // Printers.
        var printers = db.Get<Printers>();
        var printer = Ok(await printers.AddAsync(admin, new PrinterInput(bru, "Walk printer", "10.20.30.40"), default));
        Ok(await printers.DeactivateAsync(admin, printer, "replaced", default));

        // Shipments: build, pack, dispatch, receive with discrepancies, resolve, reconcile.
        var sto = (await sites.ListAllAsync(default)).Single(s => s.Code == "STO");
        var build = db.Get<BuildShipment>();
        var shipment = Ok(await build.CreateAsync(staff, sto.Id, default));
        Ok(await build.AddAsync(staff, shipment, box, default));
        Ok(await build.AddAsync(staff, shipment, tubes[8], default));
        Ok(await build.RemoveAsync(staff, shipment, tubes[8], default));
        Ok(await build.PackAsync(staff, shipment, new PackInput("World Courier", "WC1", 10m, "LOG-1", 1), default));
        var move = db.Get<MoveShipment>();
        Ok(await move.DispatchAsync(staff, shipment, default));
        for (var i = 0; i < 7; i++)
        {
            Ok(await move.ScanAsync(receiver, shipment, tubes[i], false, null, default));
        }
        Ok(await move.ScanAsync(receiver, shipment, tubes[9], false, null, default));
        Ok(await move.FinishReceivingAsync(receiver, shipment, true, true, "fine", default));
        var view = await db.Get<ShipmentQueries>().ByBarcodeAsync(receiver, shipment, default);
        var discrepancy = (await db.Get<ShipmentQueries>().DiscrepanciesAsync(receiver, view!.Id, default))[0];
        // The first discrepancy is the sender's tube scanned unexpectedly: not the receiver's to decide, so a central user does.
        Ok(await move.ResolveAsync(admin, discrepancy.Id, "found", "found in the dry ice", default));
        Ok(await move.ReconcileAsync(receiver, shipment, "checked", default));

        // Registry and doses.
        var central = admin;
        var registry = await db.Get<ImportRegistry>().ExecuteAsync(central, new RegistryImportCommand(
            RegistryFiles.Stream(RegistryFiles.RegistryCsv(RegistryFiles.Patient("BRU-0100"), RegistryFiles.Patient("BRU-9001", age: "6.6")) ), "registry.csv"), default);
        registry.Imported.ShouldBeTrue(string.Join("; ", registry.Problems.Select(p => p.ToString())));
        var doses = await db.Get<ImportDoses>().ExecuteAsync(central, new DoseImportCommand(
            RegistryFiles.Stream(RegistryFiles.DosesCsv(RegistryFiles.Dose("BRU-0100"), RegistryFiles.Dose("BRU-9001", value: "7.1"))), "doses.csv", "walk-v1", Note: "walk"), default);
        doses.Imported.ShouldBeTrue(string.Join("; ", doses.Problems.Select(p => p.ToString())));

        // Assays: a queued import job, then review of the run; an analysis saved.
        var dir = Directory.CreateTempSubdirectory("biobank-walk-").FullName;
        try
        {
            // A protein the catalogue does not know yet, on a panel it does not know: --add-analytes creates both.
            var newProtein = string.Concat(tubes.Skip(10).Take(4).Select(t =>
                string.Join(',', t, "1", "OID09999", "Q9Z9Z9", "WALK1", "0", "Olink Target 96 Walk", "v.1", "PLATE1", "Pass", "0.5", "2.00") + "\n"));
            var path = await AssayFiles.WriteAsync(dir, "walk.csv", AssayFiles.Npx(tubes.Skip(10).Take(4).ToList()) + newProtein);
            var jobs = db.Get<ImportJobs>();
            var job = (await jobs.EnqueueAsync(biologist, new ImportJobRequest(path, "walk.csv", AssayFileFormat.Npx, "RUN-WALK", AddAnalytes: true, ConsumeUl: 1m), default)).Value;
            var done = (await db.Get<RunImportJob>().ExecuteAsync(job, "node-walk", default))!;
            done.State.ShouldBe(ImportJobStates.Succeeded, string.Join("; ", done.ProblemList().Select(p => $"{p.Row}/{p.Column}: {p.Reason}")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Ok(await db.Get<ReviewAssayRun>().ApproveAsync(admin, "RUN-WALK", "controls fine", default));   // a second person reviews
        var analysis = Ok(await db.Get<AssociationAnalysis>().RunAsync(admin, new AnalysisRequest { MinN = 5, ApprovedRunsOnly = false }, default));
        Ok(await db.Get<SavedAnalyses>().SaveAsync(admin, "walk analysis", analysis, default));
    }

    private static T Ok<T>(Result<T> result)
    {
        result.Ok.ShouldBeTrue(result.Problem?.Message);
        return result.Value!;
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        var sql = db.Provider == "Postgres"
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var tables = (await c.QueryAsync<string>(sql)).ToList();
        tables.ShouldContain("audit_log");
        return tables;
    }

    private static async Task<long> LastAuditIdAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM audit_log") ?? 0;
    }

    /// <summary>
    /// Every row of every table: keyed by <c>id</c> where the table has one (so inserts, updates and deletes are told
    /// apart), otherwise as a multiset of whole rows (a changed row shows as one removed and one added).
    /// </summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> SnapshotAsync(TestDatabase db, IReadOnlyList<string> tables)
    {
        await using var c = await db.Db.OpenAsync(default);
        var snapshot = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var rows = new Dictionary<string, string>(StringComparer.Ordinal);
            var duplicates = 0;
            // Names come from the schema catalogue, not from input.
            foreach (IDictionary<string, object?> row in await c.QueryAsync($"SELECT * FROM {table}"))
            {
                var text = new StringBuilder();
                foreach (var (column, value) in row.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    text.Append(column).Append('=').Append(value switch
                    {
                        null => "∅",
                        byte[] b => Convert.ToHexString(SHA256.HashData(b)),
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => value.ToString(),
                    }).Append('\u001f');
                }
                var content = text.ToString();
                var key = row.TryGetValue("id", out var id) && id is not null
                    ? "id:" + Convert.ToString(id, CultureInfo.InvariantCulture)
                    : rows.ContainsKey("row:" + content) ? $"row:{content}#{++duplicates}" : "row:" + content;
                rows[key] = content;
            }
            snapshot[table] = rows;
        }
        return snapshot;
    }

    private static async Task CheckPhaseAsync(TestDatabase db, IReadOnlyList<string> tables, Dictionary<string, Dictionary<string, string>> before, long mark,
        string phase, List<string> failures, HashSet<string> written)
    {
        var after = await SnapshotAsync(db, tables);
        IReadOnlyList<AuditLine> audits;
        await using (var c = await db.Db.OpenAsync(default))
        {
            audits = (await c.QueryAsync<AuditLine>(
                "SELECT table_name AS TableName, action AS Action, old_values AS OldValues, new_values AS NewValues FROM audit_log WHERE id > @Mark",
                new { Mark = mark })).AsList();
        }
        foreach (var table in tables.Where(t => t != "audit_log"))
        {
            var (was, now) = (before[table], after[table]);
            var inserted = now.Keys.Count(k => !was.ContainsKey(k));
            var deleted = was.Keys.Count(k => !now.ContainsKey(k));
            var updated = now.Count(kv => was.TryGetValue(kv.Key, out var old) && old != kv.Value);
            if (inserted + deleted + updated == 0)
            {
                continue;
            }
            written.Add(table);
            if (Exempt.ContainsKey(table))
            {
                continue;
            }
            var mine = audits.Where(a => a.TableName == table).ToList();
            var keyed = now.Keys.Concat(was.Keys).Any(k => k.StartsWith("id:", StringComparison.Ordinal));
            if (inserted > 0 && !mine.Any(a => a.Action == AuditActions.Insert && Filled(a.NewValues)))
            {
                failures.Add(keyed
                    ? $"{table}: {phase} inserted {inserted} row(s) but left no '{AuditActions.Insert}' audit row with new values"
                    : $"{table}: {phase} added {inserted} row(s) but left no '{AuditActions.Insert}' audit row with new values");
            }
            if (updated > 0 && !mine.Any(a => a.Action == AuditActions.Update && Filled(a.OldValues) && Filled(a.NewValues)))
            {
                failures.Add($"{table}: {phase} updated {updated} row(s) but left no '{AuditActions.Update}' audit row with old and new values");
            }
            if (deleted > 0 && !mine.Any(a => Filled(a.OldValues) && (a.Action == AuditActions.Delete || (!keyed && a.Action == AuditActions.Update))))
            {
                failures.Add(keyed
                    ? $"{table}: {phase} deleted {deleted} row(s) but left no '{AuditActions.Delete}' audit row with old values"
                    : $"{table}: {phase} changed or deleted {deleted} row(s) but left no audit row with old values");
            }
        }
    }

    private static bool Filled(string? json) => json is { Length: > 0 } s && s is not ("{}" or "null" or "[]");

    private sealed record AuditLine
    {
        public string TableName { get; init; } = "";
        public string Action { get; init; } = "";
        public string? OldValues { get; init; }
        public string? NewValues { get; init; }
    }
}
