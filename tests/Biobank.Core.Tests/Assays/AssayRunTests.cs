using Biobank.Core.Assays;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

public sealed class AssayRunTests
{
    [Theory, Providers]
    public async Task QC_summary_gives_quartiles_below_LOD_fraction_and_flagged_samples(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var a = w.Aliquots;
        var text = AssayFiles.NpxHeader + "\n" +
            AssayFiles.NpxRow(a[0], "P05231", "IL6", "1", lod: "2.5") + "\n" +
            AssayFiles.NpxRow(a[1], "P05231", "IL6", "2", lod: "2.5", qc: "Warning") + "\n" +
            AssayFiles.NpxRow(a[2], "P05231", "IL6", "3", lod: "2.5") + "\n" +
            AssayFiles.NpxRow(a[3], "P05231", "IL6", "4", lod: "2.5") + "\n" +
            AssayFiles.NpxRow(a[3], "P01375", "TNF", "NA") + "\n" +
            AssayFiles.NpxRow("IPC-1", "P05231", "IL6", "5") + "\n" + AssayFiles.NpxRow("IPC-1", "P01375", "TNF", "7") + "\n";
        (await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, "qc.csv", text), AssayFileFormat.Npx, "RUN-QC")).Ok.ShouldBeTrue();
        var qc = (await w.Db.Get<AssayRuns>().QcAsync(w.Biologist, "RUN-QC", 100, default))!;
        qc.Run.Status.ShouldBe(RunStatuses.Imported);
        qc.Run.ResultRows.ShouldBe(5);
        qc.Run.ControlRows.ShouldBe(2);
        var il6 = qc.Analytes.Single(x => x.Code == "P05231");
        (il6.N, il6.Min, il6.Q1, il6.Median, il6.Q3, il6.Max).ShouldBe((4L, 1.0, 1.75, 2.5, 3.25, 4.0));
        il6.BelowLodFraction.ShouldBe(0.5);
        il6.QcWarnings.ShouldBe(1);
        var tnf = qc.Analytes.Single(x => x.Code == "P01375");
        (tnf.Rows, tnf.N, tnf.Median).ShouldBe((1L, 0L, (double?)null));
        qc.FlaggedSamples.ShouldBe(1);
        qc.Flagged.Single().Barcode.ShouldBe(a[1]);
        qc.Controls.Single().ShouldBe(new ControlQc { SampleId = "IPC-1", N = 2, Mean = 6, Min = 5, Max = 7 });
        (await w.Db.Get<AssayRuns>().FilesAsync(qc.Run.Id, default)).Single().FileName.ShouldBe("qc.csv");
    }

    [Theory, Providers]
    public async Task Approving_and_rejecting_are_audited_final_and_for_biologists_only(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = await AssayFiles.WriteAsync(w.Dir, "one.csv", AssayFiles.Npx([w.Aliquots[0]], control: false));
        (await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-REVIEW")).Ok.ShouldBeTrue();
        var review = w.Db.Get<ReviewAssayRun>();
        var tech = await LabData.CallerAsync(w.Db, "tech.bru");
        (await review.ApproveAsync(tech, "RUN-REVIEW", null, default)).Problem!.Kind.ShouldBe(ProblemKind.Forbidden);
        var reviewer = await LabData.CallerAsync(w.Db, "bio.bru");
        (await review.RejectAsync(reviewer, "RUN-REVIEW", " ", default)).Problem!.Field.ShouldBe("Reason");
        var approved = await review.ApproveAsync(reviewer, "RUN-REVIEW", "controls fine", default);
        approved.Value!.Status.ShouldBe(RunStatuses.Approved);
        approved.Value.ReviewedBy.ShouldBe("bio.bru");
        (await review.RejectAsync(reviewer, "RUN-REVIEW", "too late", default)).Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        (await review.ApproveAsync(reviewer, "NO-SUCH-RUN", null, default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<string>("SELECT new_values FROM audit_log WHERE table_name = 'assay_run' AND action = 'update'"))!.ShouldContain("approved");
        var more = await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, "two.csv", AssayFiles.Npx([w.Aliquots[1]], control: false)), AssayFileFormat.Npx, "RUN-REVIEW");
        more.Problems.Single().Reason.ShouldContain("is approved: its results are final");
    }

    [Theory, Providers]
    public async Task The_importer_cannot_approve_their_own_run_and_another_labs_user_finds_no_run(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = await AssayFiles.WriteAsync(w.Dir, "own.csv", AssayFiles.Npx([w.Aliquots[0]], control: false));
        (await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-OWN", cmd => cmd with { LabSiteCode = "BRU" })).Ok.ShouldBeTrue();
        var review = w.Db.Get<ReviewAssayRun>();
        var own = await review.ApproveAsync(w.Biologist, "RUN-OWN", "looks fine to me", default);
        own.Problem!.Kind.ShouldBe(ProblemKind.Forbidden);
        own.Problem.Message.ShouldContain("second person");
        (await review.RejectAsync(w.Biologist, "RUN-OWN", "mine", default)).Problem!.Kind.ShouldBe(ProblemKind.Forbidden);
        // The run is lab BRU's: LYO's biologist is told it does not exist, BRU's reviews it.
        (await review.ApproveAsync(await LabData.CallerAsync(w.Db, "bio.lyo"), "RUN-OWN", null, default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await review.ApproveAsync(await LabData.CallerAsync(w.Db, "bio.bru"), "RUN-OWN", null, default)).Value!.ReviewedBy.ShouldBe("bio.bru");
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE table_name = 'assay_run' AND action = 'update'")).ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Analyses_read_approved_runs_by_default_and_never_rejected_runs_or_withdrawn_patients(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var results = w.Db.Get<AssayResults>();
        async Task<List<AssayResultRow>> ReadAsync(bool unapproved) =>
            await results.StreamAsync(Caller.System, new AssayResultQuery(["P05231"], IncludeUnapproved: unapproved), default).ToListAsync();
        var approved = await ReadAsync(false);
        approved.ShouldNotBeEmpty();
        approved.ShouldAllBe(r => r.RunCode.StartsWith("OLINK-PL-0", StringComparison.Ordinal));
        var withPending = await ReadAsync(true);
        withPending.Select(r => r.RunCode).ShouldContain("OLINK-PL-REPEAT-001");
        withPending.ShouldNotContain(r => r.RunCode.StartsWith("OLINK-PL-FAILED", StringComparison.Ordinal));
        await using var c = await w.Db.Db.OpenAsync(default);
        // The world's last patient withdrew after the demo runs measured them: their results stay stored but out of analyses.
        var withdrawn = (await c.QueryAsync<string>("""
            SELECT DISTINCT p.pseudonym FROM assay_result r JOIN tube t ON t.id = r.tube_id JOIN patient p ON p.id = t.patient_id WHERE p.consent_status = 'withdrawn'
            """)).AsList();
        withdrawn.ShouldNotBeEmpty();
        withPending.ShouldNotContain(r => withdrawn.Contains(r.Pseudonym));
        var approvedIds = await w.Db.Get<AssayRuns>().ApprovedRunIdsAsync(default);
        approvedIds.Count.ShouldBe((int)await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_run WHERE status = 'approved'"));
        var bySite = await results.StreamAsync(await LabData.CallerAsync(w.Db, "bio.aar"), new AssayResultQuery(["P05231"]), default).ToListAsync();
        bySite.ShouldAllBe(r => r.Pseudonym.StartsWith("AAR-", StringComparison.Ordinal));
    }

    [Theory, Providers]
    public async Task The_demo_carries_the_documented_dose_effects(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db, 40);
        var results = db.Get<AssayResults>();
        // The demo's effects follow the registry's organ doses (mean, demo dose version), read back here.
        Dictionary<string, double> doses;
        await using (var c = await db.Db.OpenAsync(default))
        {
            doses = (await Dapper.SqlMapper.QueryAsync<(string Key, double Dose)>(c,
                "SELECT p.pseudonym || ':' || d.organ, CAST(d.value_gy AS DOUBLE PRECISION) FROM organ_dose d JOIN patient p ON p.id = d.patient_id WHERE d.metric = 'mean' AND d.organ IN ('heart', 'parotid_glands', 'brain')"
                    .Replace("DOUBLE PRECISION", provider == "Sqlite" ? "REAL" : "DOUBLE PRECISION", StringComparison.Ordinal)))
                .ToDictionary(x => x.Key, x => x.Dose);
        }
        Func<string, double> Heart = p => doses.GetValueOrDefault(p + ":heart");
        Func<string, double> Parotid = p => doses.GetValueOrDefault(p + ":parotid_glands");
        Func<string, double> Brain = p => doses.GetValueOrDefault(p + ":brain");
        async Task<double> CorrelationAsync(string code, Func<string, double> dose)
        {
            var rows = await results.StreamAsync(Caller.System, new AssayResultQuery([code]), default).ToListAsync();
            var change = rows.GroupBy(r => r.Pseudonym)
                .Select(g => (Dose: dose(g.Key), Base: g.FirstOrDefault(r => r.Timepoint == "BASELINE")?.Value, M3: g.FirstOrDefault(r => r.Timepoint == "M3")?.Value))
                .Where(x => x.Base is not null && x.M3 is not null)
                .Select(x => (x.Dose, Delta: x.M3!.Value - x.Base!.Value)).ToList();
            change.Count.ShouldBeGreaterThan(15, code);
            return Pearson(change.Select(x => x.Dose).ToArray(), change.Select(x => x.Delta).ToArray());
        }
        (await CorrelationAsync("P16860", Heart)).ShouldBeGreaterThan(0.4, "NPPB rises with heart dose");
        (await CorrelationAsync("P45379", Heart)).ShouldBeGreaterThan(0.4, "TNNT2 rises with heart dose");
        (await CorrelationAsync("P04745", Parotid)).ShouldBeLessThan(-0.4, "AMY1A falls with parotid dose");
        (await CorrelationAsync("hsa-miR-1-3p", Heart)).ShouldBeLessThan(-0.4, "miR-1 expression rises: its ΔCt falls");
        (await CorrelationAsync("hsa-miR-133a-3p", Heart)).ShouldBeLessThan(-0.4);
        (await CorrelationAsync("hsa-miR-34a-5p", Brain)).ShouldBeLessThan(-0.4);
        Math.Abs(await CorrelationAsync("P05231", Heart)).ShouldBeLessThan(0.5, "IL6 carries no effect");
    }

    [Fact]
    public void Synthetic_doses_are_deterministic_and_in_range()
    {
        SyntheticDose.HeartMeanGy("BRU-0001").ShouldBe(SyntheticDose.HeartMeanGy("BRU-0001"));
        SyntheticDose.HeartMeanGy("BRU-0001").ShouldNotBe(SyntheticDose.HeartMeanGy("BRU-0002"));
        var doses = Enumerable.Range(1, 500).Select(i => SyntheticDose.BrainMeanGy($"AAR-{i:D4}")).ToList();
        doses.ShouldAllBe(d => d >= 0 && d <= SyntheticDose.BrainMaxGy);
        doses.Average().ShouldBe(SyntheticDose.BrainMaxGy / 2, 3.0);
        // The registry seed reproduces these exact values from the documented definition.
        var u = BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData("biobank-demo-dose:heart:BRU-0001"u8).Take(8).Reverse().ToArray()) / Math.Pow(2, 64);
        SyntheticDose.HeartMeanGy("BRU-0001").ShouldBe(Math.Round(u * 30, 2));
    }

    [Fact]
    public void The_demo_catalogue_has_90_plasma_40_saliva_and_750_unique_miRNAs()
    {
        var mirnas = AssaysDemo.Mirnas();
        mirnas.Count.ShouldBe(750);
        mirnas.Select(m => m.Name).Distinct().Count().ShouldBe(750);
        mirnas.ShouldAllBe(m => AnalyteCodes.IsMirna(m.Name));
        mirnas.Where(m => m.Mimat is not null).ShouldAllBe(m => AnalyteCodes.IsMimat(m.Mimat!));
    }

    [Theory, Providers]
    public async Task The_demo_seeds_the_catalogue_and_approved_runs(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var catalogue = db.Get<AssayCatalogue>();
        (await catalogue.AnalytesAsync(BiomarkerClasses.PlasmaProtein, null, default)).Count.ShouldBe(90);
        (await catalogue.AnalytesAsync(BiomarkerClasses.SalivaProtein, null, default)).Count.ShouldBe(40);
        (await catalogue.AnalytesAsync(BiomarkerClasses.Mirna, null, default)).Count.ShouldBe(750);
        (await catalogue.AnalytesAsync(null, null, default)).ShouldAllBe(a => AnalyteCodes.KindOf(a.Code) == a.Kind);
        (await catalogue.PlatformsAsync(default)).Select(p => p.Code).ShouldBe(["ELISA", "MIR-QPCR", "OLINK-PEA", "SRNA-SEQ"]);
        var runs = await db.Get<AssayRuns>().ListAsync(null, null, 100, default);
        runs.Select(r => r.Status).Distinct().Order().ShouldBe(["approved", "imported", "rejected"]);
        var run = runs.First(r => r.RunCode == "OLINK-PL-001");
        (await db.Get<AssayRuns>().QcAsync(Biobank.Core.Common.Caller.System, run.RunCode, 10, default))!.Analytes.Count.ShouldBe(90);
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    private static double Pearson(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return sxy / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
