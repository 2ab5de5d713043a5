using System.Diagnostics;
using Biobank.Core.Demo;
using Biobank.Core.Registry;
using Biobank.Core.Tests.Support;
using Dapper;
using Xunit.Abstractions;

namespace Biobank.Core.Tests.Registry;

public sealed class RegistryDemoDataTests(ITestOutputHelper output)
{
    private static readonly string[] SiteCodes = ["BRU", "AAR", "LYO", "ESS"];

    /// <summary>
    /// Sites and users from the demo seeder, patients as the lab-bench part makes them (pseudonym, site, sometimes sex
    /// and age), then the registry part on its own; returns how long the registry part took.
    /// </summary>
    private static async Task<TimeSpan> SeedAsync(TestDatabase db, int patients, int seed = 20261122)
    {
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 0), default);
        await using var c = await db.Db.OpenAsync(default);
        await using var tx = await db.Db.BeginWriteAsync(c, default);
        var sites = (await c.QueryAsync<(long Id, string Code)>("SELECT id, code FROM site", transaction: tx)).ToDictionary(s => s.Code, s => s.Id);
        var now = db.Clock.GetUtcNow().UtcDateTime;
        await c.ExecuteAsync("""
            INSERT INTO patient (pseudonym, site_id, sex, age_at_rt_years, consent_status, created_utc, updated_utc)
            VALUES (@Pseudonym, @SiteId, @Sex, @Age, 'given', @Now, @Now)
            """,
            Enumerable.Range(1, patients).Select(i => new
            {
                Pseudonym = $"{SiteCodes[i % 4]}-{i:D4}",
                SiteId = sites[SiteCodes[i % 4]],
                Sex = i % 3 == 0 ? null : i % 2 == 0 ? "F" : "M",
                Age = i % 3 == 0 ? (decimal?)null : 1 + (i % 17),
                Now = now,
            }), tx);
        var context = new DemoContext(c, tx, new DemoOptions(patients, Seed: seed), now, db.Db.Dialect);
        var timer = Stopwatch.StartNew();
        await new RegistryDemoData().SeedAsync(context, default);
        timer.Stop();
        await tx.CommitAsync();
        return timer.Elapsed;
    }

    private sealed record DemoDose
    {
        public string Pseudonym { get; init; } = "";
        public string DiagnosisGroup { get; init; } = "";
        public string Modality { get; init; } = "";
        public string Organ { get; init; } = "";
        public string Metric { get; init; } = "";
        public decimal ValueGy { get; init; }
        public decimal? UncertaintySdGy { get; init; }
    }

    private static async Task<List<DemoDose>> DosesAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        return (await c.QueryAsync<DemoDose>("""
            SELECT p.pseudonym AS Pseudonym, p.diagnosis_group AS DiagnosisGroup, p.modality AS Modality, d.organ AS Organ, d.metric AS Metric,
                   d.value_gy AS ValueGy, d.uncertainty_sd_gy AS UncertaintySdGy
            FROM organ_dose d JOIN patient p ON p.id = d.patient_id
            ORDER BY p.pseudonym, d.organ, d.metric
            """)).AsList();
    }

    [Theory, Providers]
    public async Task Every_demo_patient_gets_treatment_data_and_mean_and_max_doses_for_every_organ(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var took = await SeedAsync(db, 40);
        output.WriteLine($"registry demo part, 40 patients, {provider}: {took.TotalMilliseconds:F0} ms");
        took.ShouldBeLessThan(TimeSpan.FromSeconds(1));

        var patients = await Callers.PatientsOf(db).ListAsync(Callers.Central, null, 500, 0, default);
        patients.Count.ShouldBe(40);
        foreach (var p in patients)
        {
            new object?[] { p.Sex, p.AgeAtRtYears, p.DiagnosisGroup, p.Modality, p.RtStart, p.RtEnd, p.PrescribedDoseGy, p.Fractions }
                .ShouldAllBe(v => v != null, $"{p.Pseudonym} lacks registry data");
            string.CompareOrdinal(p.RtEnd, p.RtStart).ShouldBeGreaterThan(0);
        }
        var version = (await db.Get<DoseQueries>().LatestVersionAsync(default))!;
        version.Label.ShouldBe(RegistryDemoData.VersionLabel);
        var organs = (await db.Get<DoseQueries>().OrgansAsync(default)).Select(o => o.Code).ToList();
        var doses = await DosesAsync(db);
        version.RowCount.ShouldBe(doses.Count);
        foreach (var group in doses.GroupBy(d => d.Pseudonym))
        {
            foreach (var organ in organs)
            {
                var mean = group.Single(d => d.Organ == organ && d.Metric == "mean").ValueGy;
                var max = group.Single(d => d.Organ == organ && d.Metric == "max").ValueGy;
                max.ShouldBeGreaterThanOrEqualTo(mean, $"{group.Key} {organ}");
            }
        }
        doses.ShouldAllBe(d => d.ValueGy >= 0);
    }

    [Theory, Providers]
    public async Task The_same_seed_gives_the_same_demo_doses(string provider)
    {
        await using var one = await TestDatabase.CreateAsync(provider);
        await using var two = await TestDatabase.CreateAsync(provider);
        await SeedAsync(one, 12);
        await SeedAsync(two, 12);
        (await DosesAsync(two)).ShouldBe(await DosesAsync(one));
        await using var three = await TestDatabase.CreateAsync(provider);
        await SeedAsync(three, 12, seed: 7);
        (await DosesAsync(three)).ShouldNotBe(await DosesAsync(one));
    }

    [Fact]
    public async Task Doses_follow_diagnosis_and_modality()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        await SeedAsync(db, 600);
        var means = (await DosesAsync(db)).Where(d => d.Metric == "mean").ToList();
        double Average(string organ, Func<DemoDose, bool> which) =>
            means.Where(d => d.Organ == organ && which(d)).Select(d => (double)d.ValueGy).DefaultIfEmpty(double.NaN).Average();

        // Craniospinal irradiation: high brain and hippocampus dose; mediastinal Hodgkin fields: heart and thyroid.
        Average("brain", d => d.DiagnosisGroup == "medulloblastoma").ShouldBeGreaterThan(20);
        Average("hippocampus", d => d.DiagnosisGroup == "medulloblastoma").ShouldBeGreaterThan(20);
        Average("brain", d => d.DiagnosisGroup == "hodgkin_lymphoma").ShouldBeLessThan(1);
        Average("heart", d => d.DiagnosisGroup == "hodgkin_lymphoma").ShouldBeGreaterThan(5);
        Average("thyroid", d => d.DiagnosisGroup == "hodgkin_lymphoma").ShouldBeGreaterThan(8);
        Average("heart", d => d.DiagnosisGroup is "ependymoma" or "craniopharyngioma").ShouldBeLessThan(0.5);
        Average("kidneys", d => d.DiagnosisGroup == "wilms_tumour").ShouldBeGreaterThan(4);
        Average("parotid_glands", d => d.DiagnosisGroup == "rhabdomyosarcoma_head_neck").ShouldBeGreaterThan(15);

        // Protons: about the same in the field, far less outside it.
        var photonHeart = Average("heart", d => d.DiagnosisGroup == "medulloblastoma" && d.Modality == "photon");
        var protonHeart = Average("heart", d => d.DiagnosisGroup == "medulloblastoma" && d.Modality == "proton");
        protonHeart.ShouldBeLessThan(photonHeart / 3);
        var photonBrain = Average("brain", d => d.DiagnosisGroup == "medulloblastoma" && d.Modality == "photon");
        var protonBrain = Average("brain", d => d.DiagnosisGroup == "medulloblastoma" && d.Modality == "proton");
        protonBrain.ShouldBeGreaterThan(photonBrain * 0.6);

        // The organs of the planted effects span a range of doses the analysis can regress on.
        foreach (var effect in SyntheticEffects.All)
        {
            var values = means.Where(d => d.Organ == effect.Organ && d.Metric == effect.Metric).Select(d => (double)d.ValueGy).ToList();
            (values.Max() - values.Min()).ShouldBeGreaterThan(10, effect.Analyte);
        }
    }

    [Theory, Providers]
    public async Task Full_scale_2300_patients_works(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var took = await SeedAsync(db, 2300);
        output.WriteLine($"registry demo part, 2300 patients, {provider}: {took.TotalSeconds:F1} s");
        took.ShouldBeLessThan(TimeSpan.FromSeconds(60));
        (await db.Get<DoseQueries>().LatestVersionAsync(default))!.PatientCount.ShouldBe(2300);
    }

    [Fact]
    public async Task The_synthetic_effects_name_organs_and_metrics_of_the_controlled_lists()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        var organs = (await db.Get<DoseQueries>().OrgansAsync(default)).Select(o => o.Code).ToHashSet();
        var metrics = (await db.Get<DoseQueries>().MetricsAsync(default)).Select(m => m.Name).ToHashSet();
        SyntheticEffects.All.Count.ShouldBeGreaterThanOrEqualTo(6);
        SyntheticEffects.All.Select(e => e.Analyte).ShouldBeUnique();
        foreach (var e in SyntheticEffects.All)
        {
            organs.ShouldContain(e.Organ);
            metrics.ShouldContain(e.Metric);
            e.EffectPerGy.ShouldNotBe(0);
            e.FromTimepoint.ShouldNotBe(e.ToTimepoint);
        }
        SyntheticEffects.All.ShouldContain(e => e.Analyte == "NPPB" && e.Organ == "heart");
        SyntheticEffects.All.ShouldContain(e => e.Analyte == "AMY1A" && e.Organ == "parotid_glands" && e.EffectPerGy < 0);
        SyntheticEffects.All.ShouldContain(e => e.Analyte == "hsa-miR-34a-5p" && e.Organ == "brain");
    }
}
