using System.Globalization;
using Biobank.Core.Registry;
using Dapper;

namespace Biobank.Core.Demo;

/// <summary>
/// Demo registry and dosimetry: treatment data for every demo patient (created by the lab-bench part, which runs
/// before this one) and a first dose version, <see cref="VersionLabel"/>, with organ doses shaped by diagnosis and
/// modality — craniospinal irradiation gives the brain and hippocampus high doses, mediastinal fields the heart and
/// thyroid, protons far less dose out of the field. Deterministic: the same seed gives the same numbers.
/// </summary>
public sealed class RegistryDemoData : IDemoSeedPart
{
    public const string VersionLabel = "v1-demo";

    private const string PatientsToFill = """
        SELECT p.id AS Id, s.code AS SiteCode, p.sex AS Sex, p.age_at_rt_years AS AgeAtRtYears
        FROM patient p JOIN site s ON s.id = p.site_id
        ORDER BY p.id
        """;

    private const string FillRegistry = """
        UPDATE patient SET sex = COALESCE(sex, @Sex), age_at_rt_years = COALESCE(age_at_rt_years, @AgeAtRtYears),
               diagnosis_group = @DiagnosisGroup, modality = @Modality, rt_start = @RtStart, rt_end = @RtEnd,
               prescribed_dose_gy = @PrescribedDoseGy, fractions = @Fractions, updated_utc = @Now
        WHERE id = @Id
        """;

    // The proton centres of the demo consortium treat mostly with protons; the others mostly with photons.
    private static readonly HashSet<string> ProtonCentres = new(StringComparer.OrdinalIgnoreCase) { "AAR", "ESS" };

    private static readonly string[] OrganCodes =
    [
        "heart", "left_ventricle", "thyroid", "brain", "hippocampus", "pituitary", "cochlea", "eye_lenses", "lungs", "breast",
        "parotid_glands", "submandibular_glands", "oesophagus", "spinal_cord", "kidneys", "liver", "gonads", "active_bone_marrow", "whole_body",
    ];

    // Organs whose dose-volume histogram is reported as V metrics too (the usual constraints of paediatric plans).
    private static readonly HashSet<string> WithVolumeMetrics = new(StringComparer.Ordinal) { "heart", "left_ventricle", "lungs", "kidneys", "liver" };

    private static readonly (string Metric, decimal Threshold)[] VolumeMetrics = [("V5Gy", 5), ("V10Gy", 10), ("V20Gy", 20), ("V30Gy", 30)];

    /// <summary>Photon mean dose range per organ (Gy) and whether the organ lies in the treated field.</summary>
    private sealed record OrganDoseRange(double Low, double High, bool InField);

    private sealed record Diagnosis(string Group, double Weight, double AgeLow, double AgeHigh, decimal[] Prescriptions, decimal DosePerFraction,
        IReadOnlyDictionary<string, OrganDoseRange> Organs);

    private static OrganDoseRange In(double low, double high) => new(low, high, true);

    private static OrganDoseRange Out(double low, double high) => new(low, high, false);

    // Far out of field, for organs a diagnosis does not name: scatter and leakage only.
    private static readonly OrganDoseRange Far = Out(0.02, 0.3);

    private static readonly Diagnosis[] Diagnoses =
    [
        new("medulloblastoma", 0.20, 3, 16, [54m, 55.8m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            // Craniospinal irradiation: the whole brain and spine, a posterior-fossa boost; photon exit dose reaches the neck and chest.
            ["brain"] = In(30, 42), ["hippocampus"] = In(30, 48), ["pituitary"] = In(30, 45), ["cochlea"] = In(25, 50),
            ["eye_lenses"] = In(4, 12), ["spinal_cord"] = In(23, 36), ["parotid_glands"] = In(10, 25), ["submandibular_glands"] = In(8, 20),
            ["active_bone_marrow"] = In(8, 15), ["whole_body"] = In(5, 10),
            ["thyroid"] = Out(8, 22), ["oesophagus"] = Out(10, 25), ["heart"] = Out(3, 10), ["left_ventricle"] = Out(2, 9),
            ["lungs"] = Out(4, 9), ["breast"] = Out(0.5, 3), ["kidneys"] = Out(2, 6), ["liver"] = Out(2, 6), ["gonads"] = Out(0.3, 2),
        }),
        new("ependymoma", 0.12, 1, 10, [54m, 59.4m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["brain"] = In(10, 25), ["hippocampus"] = In(8, 35), ["pituitary"] = In(10, 35), ["cochlea"] = In(20, 45),
            ["spinal_cord"] = In(20, 45), ["whole_body"] = In(1.5, 4),
            ["eye_lenses"] = Out(1, 5), ["parotid_glands"] = Out(3, 10), ["submandibular_glands"] = Out(2, 6), ["thyroid"] = Out(0.3, 2),
            ["oesophagus"] = Out(0.3, 2), ["heart"] = Out(0.05, 0.3), ["left_ventricle"] = Out(0.04, 0.25), ["lungs"] = Out(0.05, 0.3),
        }),
        new("craniopharyngioma", 0.10, 5, 15, [52.2m, 54m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["pituitary"] = In(48, 55), ["hippocampus"] = In(15, 40), ["brain"] = In(8, 18), ["cochlea"] = In(5, 25), ["whole_body"] = In(1, 3),
            ["eye_lenses"] = Out(1, 4), ["parotid_glands"] = Out(1, 4), ["thyroid"] = Out(0.2, 1), ["spinal_cord"] = Out(1, 5),
        }),
        new("hodgkin_lymphoma", 0.18, 10, 18, [19.8m, 30m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            // Mediastinal and neck fields: heart, thyroid, lungs and breast in or next to the field.
            ["heart"] = In(4, 20), ["left_ventricle"] = In(2, 15), ["thyroid"] = In(10, 25), ["lungs"] = In(5, 12), ["breast"] = In(1, 8),
            ["oesophagus"] = In(12, 25), ["spinal_cord"] = In(10, 25), ["submandibular_glands"] = In(3, 15), ["active_bone_marrow"] = In(3, 8),
            ["whole_body"] = In(2, 5),
            ["parotid_glands"] = Out(1, 6), ["liver"] = Out(0.5, 2), ["kidneys"] = Out(0.2, 1), ["brain"] = Out(0.05, 0.4),
            ["hippocampus"] = Out(0.05, 0.3), ["pituitary"] = Out(0.05, 0.4), ["gonads"] = Out(0.03, 0.2),
        }),
        new("wilms_tumour", 0.14, 1, 7, [10.8m, 14.4m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["kidneys"] = In(5, 12), ["liver"] = In(3, 9), ["spinal_cord"] = In(8, 14), ["active_bone_marrow"] = In(2, 6), ["whole_body"] = In(1, 3),
            ["gonads"] = Out(0.3, 3), ["heart"] = Out(0.2, 1), ["left_ventricle"] = Out(0.15, 0.9), ["lungs"] = Out(0.3, 1.5),
            ["oesophagus"] = Out(0.2, 1), ["breast"] = Out(0.05, 0.5), ["thyroid"] = Out(0.03, 0.2),
        }),
        new("neuroblastoma", 0.12, 1, 7, [21.6m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["kidneys"] = In(6, 15), ["liver"] = In(4, 12), ["spinal_cord"] = In(12, 21), ["active_bone_marrow"] = In(3, 8), ["whole_body"] = In(1.5, 4),
            ["heart"] = Out(0.5, 3), ["left_ventricle"] = Out(0.4, 2.5), ["lungs"] = Out(0.5, 3), ["gonads"] = Out(0.5, 4),
            ["oesophagus"] = Out(0.5, 3), ["breast"] = Out(0.1, 1), ["thyroid"] = Out(0.05, 0.4),
        }),
        new("rhabdomyosarcoma_head_neck", 0.08, 2, 15, [50.4m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["parotid_glands"] = In(20, 45), ["submandibular_glands"] = In(25, 50), ["cochlea"] = In(15, 45), ["thyroid"] = In(5, 25),
            ["brain"] = In(3, 12), ["hippocampus"] = In(2, 15), ["pituitary"] = In(5, 30), ["eye_lenses"] = In(2, 15),
            ["spinal_cord"] = In(15, 35), ["whole_body"] = In(1.5, 4),
            ["oesophagus"] = Out(3, 15), ["heart"] = Out(0.2, 1), ["left_ventricle"] = Out(0.15, 0.8), ["lungs"] = Out(0.2, 1.5),
            ["breast"] = Out(0.1, 0.6),
        }),
        new("ewing_sarcoma", 0.06, 8, 18, [54m, 55.8m], 1.8m, new Dictionary<string, OrganDoseRange>
        {
            ["gonads"] = In(3, 20), ["active_bone_marrow"] = In(8, 20), ["spinal_cord"] = In(5, 20), ["whole_body"] = In(3, 6),
            ["kidneys"] = Out(0.5, 3), ["liver"] = Out(0.3, 2), ["heart"] = Out(0.05, 0.3), ["left_ventricle"] = Out(0.04, 0.25),
            ["lungs"] = Out(0.1, 0.5),
        }),
    ];

    public int Order => 200;

    public async Task SeedAsync(DemoContext context, CancellationToken ct)
    {
        var c = context.Connection;
        var tx = context.Transaction;
        var random = context.Random;
        var patients = (await c.QueryAsync<DemoPatient>(new CommandDefinition(PatientsToFill, transaction: tx, cancellationToken: ct))).AsList();
        if (patients.Count == 0)
        {
            return;
        }
        var today = DateOnly.FromDateTime(context.Now);
        var fills = new List<object>(patients.Count);
        var doses = new List<object?[]>(patients.Count * 140);
        foreach (var p in patients)
        {
            var age = p.AgeAtRtYears is { } known ? (double)known : (double?)null;
            var diagnosis = Pick(random, age);
            age ??= Uniform(random, diagnosis.AgeLow, diagnosis.AgeHigh);
            var sex = p.Sex ?? (random.Next(2) == 0 ? "F" : "M");
            var modality = Modality(random, p.SiteCode);
            var prescribed = diagnosis.Prescriptions[random.Next(diagnosis.Prescriptions.Length)];
            var fractions = (int)Math.Round(prescribed / diagnosis.DosePerFraction);
            var start = today.AddDays(-random.Next(120, 900));
            var end = start.AddDays(fractions / 5 * 7 + fractions % 5 - 1);
            var computed = end.AddDays(random.Next(30, 300));
            if (computed > today)
            {
                computed = today;
            }
            fills.Add(new
            {
                p.Id,
                Sex = sex,
                AgeAtRtYears = Math.Round((decimal)age.Value, 1),
                DiagnosisGroup = diagnosis.Group,
                Modality = modality,
                RtStart = Iso(start),
                RtEnd = Iso(end),
                PrescribedDoseGy = prescribed,
                Fractions = fractions,
                Now = context.Now,
            });
            AddDoses(doses, random, p.Id, diagnosis, modality, (double)prescribed, Iso(computed));
        }
        foreach (var fill in fills)
        {
            await c.ExecuteAsync(new CommandDefinition(FillRegistry, fill, tx, cancellationToken: ct));
        }
        var versionId = await c.ExecuteScalarAsync<long>(new CommandDefinition(ImportDoses.InsertVersion, new
        {
            Label = VersionLabel,
            context.Now,
            ImportedBy = "seed-demo",
            Sha256 = (string?)null,
            SourceFile = (string?)null,
            RowCount = doses.Count,
            PatientCount = patients.Count,
            Note = "Synthetic demo doses, shaped by diagnosis and modality; see SyntheticEffects for the planted biomarker effects.",
        }, tx, cancellationToken: ct));
        foreach (var row in doses)
        {
            row[0] = versionId;
        }
        await context.Dialect.BulkInsertAsync(c, tx, "organ_dose", ImportDoses.DoseColumns, doses, ct);
        context.Counts["dose_version"] = 1;
        context.Counts["organ_dose"] = doses.Count;
    }

    private static void AddDoses(List<object?[]> rows, Random random, long patientId, Diagnosis diagnosis, string modality, double prescribed, string computed)
    {
        var scale = prescribed / (double)diagnosis.Prescriptions.Max();
        foreach (var organ in OrganCodes)
        {
            var range = diagnosis.Organs.GetValueOrDefault(organ, Far);
            var photonMean = Uniform(random, range.Low, range.High) * (range.InField ? scale : 1);
            // Protons stop in the target: similar dose in the field, a fraction of it outside (no exit dose, less scatter).
            var factor = (modality, range.InField) switch
            {
                ("proton", true) => Uniform(random, 0.75, 1.0),
                ("proton", false) => Uniform(random, 0.03, 0.2),
                ("both", true) => Uniform(random, 0.85, 1.0),
                ("both", false) => Uniform(random, 0.3, 0.7),
                _ => 1.0,
            };
            var mean = photonMean * factor;
            var max = range.InField
                ? Math.Max(mean * 1.05, Math.Min(prescribed * Uniform(random, 1.0, 1.07), mean * Uniform(random, 1.3, 3.0)))
                : mean * Uniform(random, 1.5, 4.0);
            var min = mean * (range.InField ? Uniform(random, 0.05, 0.5) : Uniform(random, 0.3, 0.7));
            var d2 = mean + (max - mean) * Uniform(random, 0.85, 0.98);
            var d98 = min + (mean - min) * Uniform(random, 0.05, 0.3);
            var d50 = Math.Clamp(mean * Uniform(random, 0.85, 1.1), d98, d2);
            // In-field doses come from the planning system (a few per cent); out-of-field doses from a model (far less certain).
            var relativeSd = range.InField ? Uniform(random, 0.03, 0.05) : Uniform(random, 0.15, 0.35);
            var source = range.InField ? "TPS" : "out-of-field model";
            void Add(string metric, double value, bool withSd = true) =>
                rows.Add([0L, patientId, organ, metric, Round(value), withSd ? Round(value * relativeSd) : null, source, computed]);
            Add("mean", mean);
            Add("max", max);
            Add("min", min);
            Add("D2%", d2);
            Add("D50%", d50);
            Add("D98%", d98);
            if (WithVolumeMetrics.Contains(organ))
            {
                // The share of the volume above a threshold, with the dose spread evenly between D98% and D2%.
                foreach (var (metric, threshold) in VolumeMetrics)
                {
                    var share = d2 <= d98 ? (d2 >= (double)threshold ? 1 : 0) : Math.Clamp((d2 - (double)threshold) / (d2 - d98), 0, 1);
                    rows.Add([0L, patientId, organ, metric, Math.Round((decimal)(share * 100), 1), null, source, computed]);
                }
            }
        }
    }

    /// <summary>A diagnosis drawn by its share of the cohort, among those that fit a known age.</summary>
    private static Diagnosis Pick(Random random, double? age)
    {
        var fitting = age is { } a ? Diagnoses.Where(d => a >= d.AgeLow - 1 && a <= d.AgeHigh + 1).ToArray() : Diagnoses;
        if (fitting.Length == 0)
        {
            fitting = Diagnoses;
        }
        var x = random.NextDouble() * fitting.Sum(d => d.Weight);
        foreach (var d in fitting)
        {
            x -= d.Weight;
            if (x <= 0)
            {
                return d;
            }
        }
        return fitting[^1];
    }

    private static string Modality(Random random, string siteCode)
    {
        var x = random.NextDouble();
        return ProtonCentres.Contains(siteCode)
            ? x < 0.8 ? "proton" : x < 0.9 ? "both" : "photon"
            : x < 0.75 ? "photon" : x < 0.85 ? "both" : "proton";
    }

    private static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));

    private static decimal Round(double gy) => Math.Round((decimal)gy, gy < 1 ? 4 : 2);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record DemoPatient
    {
        public long Id { get; init; }
        public string SiteCode { get; init; } = "";
        public string? Sex { get; init; }
        public decimal? AgeAtRtYears { get; init; }
    }
}
