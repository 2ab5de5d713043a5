using System.Text;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Tests.Support;
using Dapper;
using static Biobank.Core.Tests.Registry.RegistryFiles;

namespace Biobank.Core.Tests.Registry;

public sealed class ImportRegistryTests
{
    private static Task<RegistryImportResult> ImportAsync(TestDatabase db, string csv, Biobank.Core.Common.Caller? caller = null, bool ignoreExtra = false) =>
        db.Get<ImportRegistry>().ExecuteAsync(caller ?? Callers.Central, new RegistryImportCommand(Stream(csv), "registry.csv", ignoreExtra), default);

    private static async Task<Patient> PatientAsync(TestDatabase db, string pseudonym) =>
        (await Callers.PatientsOf(db).FindByPseudonymAsync(Callers.Central, pseudonym, default))!;

    [Theory, Providers]
    public async Task A_good_file_creates_patients_with_every_registry_field_and_audits_each(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var result = await ImportAsync(db, RegistryCsv(
            Patient("BRU-0100"),
            Patient("ESS-0007", site: "ess", sex: "m", age: "16.25", diagnosis: "ewing_sarcoma", modality: "Photon", consent: "Given", consentDate: "")));
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        (result.Created, result.Updated, result.Unchanged, result.DataRows).ShouldBe((2, 0, 0, 2));
        result.Summary.ShouldContain("2 patient(s) created");

        var p = await PatientAsync(db, "ESS-0007");
        (p.SiteCode, p.Sex, p.AgeAtRtYears, p.DiagnosisGroup, p.Modality).ShouldBe(("ESS", "M", 16.25m, "ewing_sarcoma", "photon"));
        (p.RtStart, p.RtEnd, p.PrescribedDoseGy, p.Fractions, p.ConsentStatus, p.ConsentDate).ShouldBe(("2025-05-05", "2025-06-13", 54m, 30, "given", null));
        await using var c = await db.Db.OpenAsync(default);
        var audit = await c.QuerySingleAsync<(string User, string New, string Reason)>(
            "SELECT user_name, new_values, reason FROM audit_log WHERE table_name = 'patient' AND row_key = @Key AND action = 'insert'", new { Key = p.Id.ToString() });
        audit.User.ShouldBe(Callers.Central.UserName);
        audit.New.ShouldContain("\"diagnosis_group\":\"ewing_sarcoma\"");
        audit.Reason.ShouldContain("registry import registry.csv");
        (await c.ExecuteScalarAsync<string>("SELECT status FROM import_batch WHERE id = @Id", new { Id = result.BatchId })).ShouldBe("imported");
    }

    [Theory, Providers]
    public async Task A_good_workbook_lands_like_the_same_CSV(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var workbook = XlsxWriter.FromCsv(RegistryCsv(Patient("BRU-0200", age: "6.5", start: "2025-01-06", end: "2025-02-14", dose: "55.8", fractions: "31")));
        var result = await db.Get<ImportRegistry>().ExecuteAsync(Callers.Central, new RegistryImportCommand(Stream(workbook), "registry.xlsx"), default);
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        var p = await PatientAsync(db, "BRU-0200");
        (p.AgeAtRtYears, p.RtStart, p.RtEnd, p.PrescribedDoseGy, p.Fractions).ShouldBe((6.5m, "2025-01-06", "2025-02-14", 55.8m, 31));
    }

    [Theory, Providers]
    public async Task A_semicolon_file_with_decimal_commas_lands(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var csv = RegistryCsv(Patient("LYO-0300", site: "LYO", age: "3,5", dose: "19,8", fractions: "11")).Replace(',', ';').Replace("3;5", "3,5").Replace("19;8", "19,8");
        var result = await ImportAsync(db, csv);
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        var p = await PatientAsync(db, "LYO-0300");
        (p.AgeAtRtYears, p.PrescribedDoseGy).ShouldBe((3.5m, 19.8m));
    }

    [Theory, Providers]
    public async Task Updating_patients_audits_old_and_new_values_of_what_changed_only(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var before = await PatientAsync(db, "BRU-0001");
        var changed = StartingRegistry.Replace("BRU-0001,BRU,F,7.5,medulloblastoma,photon,2025-01-10,2025-02-20,54,30",
            "BRU-0001,BRU,F,7.5,medulloblastoma,both,2025-01-10,2025-02-21,54,30", StringComparison.Ordinal);
        var result = await ImportAsync(db, changed + "\n");
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        (result.Created, result.Updated, result.Unchanged).ShouldBe((0, 1, 3));
        var after = await PatientAsync(db, "BRU-0001");
        (after.Modality, after.RtEnd).ShouldBe(("both", "2025-02-21"));
        await using var c = await db.Db.OpenAsync(default);
        var audit = await c.QuerySingleAsync<(string Old, string New)>(
            "SELECT old_values, new_values FROM audit_log WHERE table_name = 'patient' AND row_key = @Key AND action = 'update'", new { Key = before.Id.ToString() });
        audit.Old.ShouldBe("""{"modality":"photon","rt_end":"2025-02-20"}""");
        audit.New.ShouldBe("""{"modality":"both","rt_end":"2025-02-21"}""");
    }

    [Theory, Providers]
    public async Task The_same_file_twice_changes_nothing_the_second_time(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var auditBefore = (await DatabaseSnapshot.TakeAsync(db)).Counts["audit_log"];
        var result = await ImportAsync(db, StartingRegistry);
        result.Imported.ShouldBeTrue();
        (result.Created, result.Updated, result.Unchanged).ShouldBe((0, 0, 4));
        // Only the batch itself is recorded: no patient row was touched.
        (await DatabaseSnapshot.TakeAsync(db)).Counts["audit_log"].ShouldBe(auditBefore + 1);
    }

    [Theory, Providers]
    public async Task Consent_withdrawn_by_the_registry_marks_the_patient_as_the_patient_page_would(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var withdrawn = StartingRegistry.Replace("LYO-0001,LYO,F,11,ependymoma,both,2025-04-01,2025-05-14,54,30,given,2025-03-01",
            "LYO-0001,LYO,F,11,ependymoma,both,2025-04-01,2025-05-14,54,30,withdrawn,2025-09-30", StringComparison.Ordinal);
        var result = await ImportAsync(db, withdrawn);
        result.NewlyWithdrawn.ShouldBe(["LYO-0001"]);
        var p = await PatientAsync(db, "LYO-0001");
        (p.Withdrawn, p.ConsentDate, p.WithdrawnUtc).ShouldBe((true, "2025-09-30", db.Clock.GetUtcNow().UtcDateTime));

        // Imported again later: the first withdrawal keeps its time.
        db.Clock.Advance(TimeSpan.FromDays(3));
        var again = await ImportAsync(db, withdrawn.Replace("2025-09-30", "2025-10-01", StringComparison.Ordinal));
        again.NewlyWithdrawn.ShouldBeEmpty();
        (await PatientAsync(db, "LYO-0001")).WithdrawnUtc.ShouldBe(p.WithdrawnUtc);
    }

    [Theory, Providers]
    public async Task Extra_columns_are_read_past_when_the_import_is_told_to(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var csv = RegistryHeader + ",registry_note\n" + Patient("BRU-0400") + ",first visit\n";
        (await ImportAsync(db, csv)).Imported.ShouldBeFalse();
        var result = await ImportAsync(db, csv, ignoreExtra: true);
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        (await PatientAsync(db, "BRU-0400")).ShouldNotBeNull();
    }

    [Theory, Providers]
    public async Task A_site_user_imports_their_own_sites_patients_and_no_others(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var staff = await Callers.SiteUserAsync(db, "staff.bru");
        var before = await DatabaseSnapshot.TakeAsync(db);
        var refused = await ImportAsync(db, RegistryCsv(Patient("BRU-0500"), Patient("AAR-0500", site: "AAR")), staff);
        refused.Imported.ShouldBeFalse();
        refused.Problems.ShouldHaveSingleItem().ShouldBe(new ImportProblem(3, "site", "AAR", "you may import patients of your own site (BRU) only"));
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));

        var own = await ImportAsync(db, RegistryCsv(Patient("BRU-0500")), staff);
        own.Imported.ShouldBeTrue(string.Join("\n", own.Problems));
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<string>("SELECT user_name FROM audit_log WHERE table_name = 'patient' ORDER BY id DESC LIMIT 1")).ShouldBe("staff.bru");
    }

    [Theory, Providers]
    public async Task A_file_with_three_different_problems_lists_all_three(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var before = await DatabaseSnapshot.TakeAsync(db);
        var result = await ImportAsync(db, RegistryCsv(
            Patient("BRU-0600"),
            Patient("BRU-0601", site: "XYZ"),
            Patient("BRU-0602", start: "2025-13-01"),
            Patient("BRU-0603", sex: "X")));
        result.Imported.ShouldBeFalse();
        result.Problems.Select(p => (p.Row, p.Column, p.Value)).ShouldBe([(3, "site", "XYZ"), (4, "rt_start", "2025-13-01"), (5, "sex", "X")]);
        result.ProblemCount.ShouldBe(3);
        result.Summary.ShouldContain("nothing was imported");
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));
    }

    [Theory, Providers]
    public async Task Thousands_of_problems_are_capped_and_the_rest_counted(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var rows = Enumerable.Range(1, 1500).Select(i => Patient($"BRU-{i + 1000}", sex: "X")).ToArray();
        var result = await ImportAsync(db, RegistryCsv(rows));
        result.Problems.Count.ShouldBe(ImportProblems.DefaultCap);
        result.ProblemCount.ShouldBe(1500);
        result.ProblemsNotListed.ShouldBe(500);
    }

    [Theory, Providers]
    public async Task A_full_registry_of_2300_patients_imports_in_one_go(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var text = new StringBuilder(RegistryHeader).Append('\n');
        string[] sites = ["BRU", "AAR", "LYO", "ESS"];
        for (var i = 0; i < 2300; i++)
        {
            text.Append(Patient($"{sites[i % 4]}-{i + 5000}", site: sites[i % 4], age: (i % 18).ToString(), dose: "54")).Append('\n');
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await ImportAsync(db, text.ToString());
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems.Take(5)));
        result.Created.ShouldBe(2300);
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60));
    }
}
