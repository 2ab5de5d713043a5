using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// A made-up cohort with a fixed seed: dose, age, sex (0/1), modality (0/1 dummy), and biomarkers whose
/// response is a covariate effect plus noise, some with a dose slope added.
/// </summary>
internal static class SyntheticCohort
{
    public const int Covariates = 3;

    public static AssociationScanData Create(int patients, double[] doseSlopes, int seed, bool covariateEffects = true)
    {
        var random = new Random(seed);
        var data = new AssociationScanData(patients, doseSlopes.Length, Covariates);
        var age = data.CovariateOf(0);
        var sex = data.CovariateOf(1);
        var modality = data.CovariateOf(2);
        var dose = data.Dose;
        for (var p = 0; p < patients; p++)
        {
            age[p] = 60 + 10 * Normal(random);
            sex[p] = random.Next(2);
            modality[p] = random.NextDouble() < 0.3 ? 1 : 0;
            // Mean organ dose in Gy; a quarter of the patients have an unirradiated organ (dose 0, ties).
            dose[p] = random.NextDouble() < 0.25 ? 0 : Math.Round(40 * random.NextDouble() + 5 * modality[p], 1);
        }

        for (var b = 0; b < doseSlopes.Length; b++)
        {
            var response = data.ResponsesOf(b);
            var level = 5 + random.NextDouble();
            var effects = covariateEffects ? 1.0 : 0.0;
            for (var p = 0; p < patients; p++)
            {
                response[p] = level + effects * (0.02 * (age[p] - 60) + 0.3 * sex[p] - 0.2 * modality[p])
                    + doseSlopes[b] * dose[p] + Normal(random);
            }
        }

        return data;
    }

    public static double Normal(Random random)
    {
        // Box–Muller; 1 − NextDouble() keeps the logarithm away from 0.
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
