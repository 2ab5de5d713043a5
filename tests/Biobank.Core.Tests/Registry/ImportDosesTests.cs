using Biobank.Core.Registry;
using Biobank.Core.Tests.Support;
using Dapper;
using static Biobank.Core.Tests.Registry.RegistryFiles;

namespace Biobank.Core.Tests.Registry;

public sealed class ImportDosesTests
{
    private static Task<DoseImportResult> ImportAsync(TestDatabase db, string csv, string label,
        UnknownPseudonyms unknown = UnknownPseudonyms.Refuse, Biobank.Core.Common.Caller? caller = null) =>
        db.Get<ImportDoses>().ExecuteAsync(caller ?? Callers.Central, new DoseImportCommand(Stream(csv), $"{label}.csv", label, unknown), default);

    [Theory, Providers]
    public async Task A_good_file_becomes_a_labelled_version_with_every_dose(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var result = await ImportAsync(db, FirstDoses, "v1");
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        (result.DosesWritten, result.Patients, result.SkippedRows, result.Label).ShouldBe((10, 4, 0, "v1"));

        var queries = db.Get<DoseQueries>();
        var latest = (await queries.LatestVersionAsync(default))!;
        (latest.Id, latest.Label, latest.RowCount, latest.PatientCount, latest.SourceFile, latest.ImportedBy).ShouldBe(
            (result.VersionId!.Value, "v1", 10L, 4L, "v1.csv", Callers.Central.UserName));
        latest.FileSha256.ShouldBe(result.Sha256);
        var doses = (await queries.PatientDosesAsync(Callers.Central, "BRU-0001", null, default))!;
        doses.IsLatest.ShouldBeTrue();
        doses.Doses.Select(d => (d.Organ, d.Metric, d.ValueGy, d.UncertaintySdGy, d.Unit)).ShouldBe(
            [("heart", "mean", 5.1m, 0.3m, "Gy"), ("heart", "max", 9.8m, 0.3m, "Gy"), ("brain", "mean", 35.2m, 1.2m, "Gy")]);
        doses.Doses[0].OrganName.ShouldBe("Heart");
        (doses.Doses[0].Source, doses.Doses[0].ComputedDate).ShouldBe(("TPS", "2025-06-01"));
    }

    [Theory, Providers]
    public async Task A_good_workbook_lands_like_the_same_CSV(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var workbook = XlsxWriter.FromCsv(DosesCsv(Dose(value: "4.25", sd: ""), Dose(metric: "V20Gy", value: "12.5", sd: "")));
        var result = await db.Get<ImportDoses>().ExecuteAsync(Callers.Central, new DoseImportCommand(Stream(workbook), "doses.xlsx", "x1"), default);
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        var doses = (await db.Get<DoseQueries>().PatientDosesAsync(Callers.Central, "BRU-0001", null, default))!;
        doses.Doses.Select(d => (d.Metric, d.ValueGy, d.UncertaintySdGy, d.Unit, d.ComputedDate)).ShouldBe(
            [("mean", 4.25m, (decimal?)null, "Gy", "2025-06-01"), ("V20Gy", 12.5m, null, "%", "2025-06-01")]);
    }

    [Theory, Providers]
    public async Task Metric_and_organ_names_are_matched_without_case_and_stored_as_listed(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var result = await ImportAsync(db, DosesCsv(Dose(organ: "Parotid_Glands", metric: "d2%"), Dose(organ: "HEART", metric: "v5gy", value: "40")), "v1");
        result.Imported.ShouldBeTrue(string.Join("\n", result.Problems));
        var doses = (await db.Get<DoseQueries>().PatientDosesAsync(Callers.Central, "BRU-0001", null, default))!;
        doses.Doses.Select(d => (d.Organ, d.Metric)).ShouldBe([("heart", "V5Gy"), ("parotid_glands", "D2%")]);
    }

    [Theory, Providers]
    public async Task Unknown_pseudonyms_refuse_the_file_by_default_and_are_skipped_when_asked(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var csv = DosesCsv(Dose(), Dose("BRU-9001"), Dose("BRU-0002"), Dose("BRU-9001", metric: "max"), Dose("ESS-9002"));
        var before = await DatabaseSnapshot.TakeAsync(db);

        var refused = await ImportAsync(db, csv, "v1");
        refused.Imported.ShouldBeFalse();
        refused.CanSkipUnknown.ShouldBeTrue();
        refused.UnknownPseudonyms.ShouldBe([new UnknownPseudonym("BRU-9001", 3, 2), new UnknownPseudonym("ESS-9002", 6, 1)]);
        refused.Problems.Select(p => (p.Row, p.Column, p.Value)).ShouldBe([(3, "pseudonym", "BRU-9001"), (5, "pseudonym", "BRU-9001"), (6, "pseudonym", "ESS-9002")]);
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));

        var skipped = await ImportAsync(db, csv, "v1", UnknownPseudonyms.SkipUnknown);
        skipped.Imported.ShouldBeTrue(string.Join("\n", skipped.Problems));
        (skipped.DosesWritten, skipped.Patients, skipped.SkippedRows, skipped.UnknownPseudonyms.Count).ShouldBe((2, 2, 3, 2));
        skipped.Summary.ShouldContain("skipped 3 row(s) of 2 unknown pseudonym(s)");

        // The choice is on record: in the audit trail and on the batch.
        await using var c = await db.Db.OpenAsync(default);
        var audit = await c.QuerySingleAsync<(string New, string Reason)>("SELECT new_values, reason FROM audit_log WHERE table_name = 'dose_version'");
        audit.New.ShouldContain("\"unknown_pseudonyms\":\"skip-unknown\"");
        audit.New.ShouldContain("\"skipped_pseudonyms\":[\"BRU-9001\",\"ESS-9002\"]");
        audit.Reason.ShouldContain("skipped by choice");
        var batch = await c.QuerySingleAsync<(string Status, string Problems)>("SELECT status, problems FROM import_batch WHERE kind = 'doses'");
        batch.Status.ShouldBe("partial");
        batch.Problems.ShouldContain("BRU-9001, ESS-9002");
    }

    [Theory, Providers]
    public async Task Skipping_unknown_pseudonyms_does_not_hide_other_problems(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var result = await ImportAsync(db, DosesCsv(Dose(), Dose("BRU-9001"), Dose("BRU-0002", organ: "spleen")), "v1", UnknownPseudonyms.SkipUnknown);
        result.Imported.ShouldBeFalse();
        result.CanSkipUnknown.ShouldBeFalse();
        result.Problems.ShouldHaveSingleItem().Column.ShouldBe("organ");
    }

    [Theory, Providers]
    public async Task The_same_file_again_is_refused_as_already_imported(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider);
        var before = await DatabaseSnapshot.TakeAsync(db);
        var again = await ImportAsync(db, FirstDoses, "v1-again");
        again.Imported.ShouldBeFalse();
        again.AlreadyImportedAs.ShouldBe("v1");
        again.Summary.ShouldContain("imported before as dose version 'v1'");
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));
    }

    [Theory, Providers]
    public async Task A_second_version_keeps_the_first_and_becomes_the_latest(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider);
        var queries = db.Get<DoseQueries>();
        var v1 = (await queries.LatestVersionAsync(default))!;
        db.Clock.Advance(TimeSpan.FromDays(90));
        var second = await ImportAsync(db, FirstDoses.Replace("BRU-0001,heart,mean,5.1", "BRU-0001,heart,mean,5.6", StringComparison.Ordinal), "v2");
        second.Imported.ShouldBeTrue(string.Join("\n", second.Problems));

        (await queries.ListVersionsAsync(default)).Select(v => v.Label).ShouldBe(["v2", "v1"]);
        (await queries.LatestVersionAsync(default))!.Label.ShouldBe("v2");
        (await queries.FindVersionAsync("v1", default))!.Id.ShouldBe(v1.Id);
        var latest = (await queries.PatientDosesAsync(Callers.Central, "BRU-0001", null, default))!;
        (latest.Version!.Label, latest.IsLatest, latest.Doses[0].ValueGy).ShouldBe(("v2", true, 5.6m));
        var first = (await queries.PatientDosesAsync(Callers.Central, "BRU-0001", v1.Id, default))!;
        (first.Version!.Label, first.IsLatest, first.Doses[0].ValueGy).ShouldBe(("v1", false, 5.1m));
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organ_dose")).ShouldBe(20);
    }

    [Theory, Providers]
    public async Task The_diff_between_versions_lists_added_removed_and_changed_doses(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider);
        var v2 = DosesCsv(
            Dose("BRU-0001", "heart", "mean", "5.1"), Dose("BRU-0001", "heart", "max", "9.8"), Dose("BRU-0001", "brain", "mean", "36.0", "1.2"),
            Dose("BRU-0002", "heart", "mean", "12.4", "0.5"), Dose("BRU-0002", "heart", "max", "21.0"), Dose("BRU-0002", "brain", "mean", "0.2", "0.05"),
            Dose("AAR-0001", "heart", "mean", "0.12", "0.04"), Dose("AAR-0001", "kidneys", "mean", "8.3", "0.4"), Dose("AAR-0001", "liver", "mean", "4.1", "0.3"),
            Dose("LYO-0001", "brain", "mean", "18.0", "0.9"));
        var imported = await ImportAsync(db, v2, "v2");
        imported.Imported.ShouldBeTrue(string.Join("\n", imported.Problems));
        var queries = db.Get<DoseQueries>();
        var ids = (await queries.ListVersionsAsync(default)).ToDictionary(v => v.Label, v => v.Id);

        var diff = (await queries.DiffAsync(Callers.Central, ids["v1"], ids["v2"], 100, 0, default))!;
        (diff.From.Label, diff.To.Label).ShouldBe(("v1", "v2"));
        (diff.Added, diff.Removed, diff.Changed, diff.Unchanged).ShouldBe((1L, 1L, 2L, 7L));
        diff.Changes.Select(ch => (ch.Pseudonym, ch.Organ, ch.Metric, ch.Kind, ch.OldValueGy, ch.NewValueGy)).ShouldBe(
        [
            ("AAR-0001", "liver", "mean", DoseChangeKinds.Added, null, 4.1m),
            ("BRU-0001", "brain", "mean", DoseChangeKinds.Changed, 35.2m, 36.0m),
            ("BRU-0002", "heart", "mean", DoseChangeKinds.Changed, 12.4m, 12.4m),
            ("LYO-0001", "heart", "mean", DoseChangeKinds.Removed, 0.4m, null),
        ]);
        var sdChange = diff.Changes[2];
        (sdChange.OldUncertaintySdGy, sdChange.NewUncertaintySdGy).ShouldBe((0.3m, 0.5m));
        diff.More.ShouldBeFalse();

        var page = (await queries.DiffAsync(Callers.Central, ids["v1"], ids["v2"], 3, 0, default))!;
        (page.Changes.Count, page.More).ShouldBe((3, true));

        // A site user sees the differences of their own patients only.
        var staff = await Callers.SiteUserAsync(db, "staff.bru");
        var own = (await queries.DiffAsync(staff, ids["v1"], ids["v2"], 100, 0, default))!;
        own.Changes.Select(ch => ch.Pseudonym).Distinct().ShouldBe(["BRU-0001", "BRU-0002"]);
        (own.Added, own.Removed, own.Changed).ShouldBe((0L, 0L, 2L));
        (await queries.DiffAsync(Callers.Central, ids["v1"], 99_999, 100, 0, default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task A_site_user_reads_the_doses_of_their_own_patients_only(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider);
        var staff = await Callers.SiteUserAsync(db, "staff.bru");
        (await db.Get<DoseQueries>().PatientDosesAsync(staff, "BRU-0001", null, default))!.Doses.Count.ShouldBe(3);
        (await db.Get<DoseQueries>().PatientDosesAsync(staff, "AAR-0001", null, default)).ShouldBeNull();
        var batches = await db.Get<DoseQueries>().ImportBatchesAsync(staff, null, 10, default);
        batches.ShouldBeEmpty("the central imports are not a site's");
        (await db.Get<DoseQueries>().ImportBatchesAsync(Callers.Central, ImportDoses.Kind, 10, default)).ShouldHaveSingleItem().FileName.ShouldBe("doses-v1.csv");
    }

    [Theory, Providers]
    public async Task Before_any_version_a_patient_has_no_doses_and_no_version(string provider)
    {
        await using var db = await RegistryDatabases.StartingDatabaseAsync(provider, withDoses: false);
        var doses = (await db.Get<DoseQueries>().PatientDosesAsync(Callers.Central, "BRU-0001", null, default))!;
        (doses.Version, doses.Doses.Count).ShouldBe((null, 0));
        (await db.Get<DoseQueries>().LatestVersionAsync(default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task The_controlled_lists_hold_the_organs_and_metrics_the_dosimetry_export_uses(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var organs = (await db.Get<DoseQueries>().OrgansAsync(default)).Select(o => o.Code).ToList();
        string[] required =
        [
            "heart", "thyroid", "brain", "hippocampus", "lungs", "breast", "parotid_glands", "submandibular_glands", "kidneys", "liver",
            "active_bone_marrow", "whole_body", "spinal_cord", "oesophagus", "pituitary", "cochlea", "gonads",
        ];
        required.ShouldBeSubsetOf(organs);
        (await db.Get<DoseQueries>().MetricsAsync(default)).Select(m => m.Name).ShouldBe(
            ["mean", "max", "min", "D2%", "D50%", "D98%", "V5Gy", "V10Gy", "V20Gy", "V30Gy"]);
    }
}
