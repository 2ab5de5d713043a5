using System.Globalization;
using System.Text;
using Biobank.Core.Analysis.Statistics;
using Biobank.Core.Tests.Support;
using Xunit.Abstractions;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// The scan's figures against SciPy's spearmanr and statsmodels' OLS and fdr_bh on the same rows
/// (tests/oracles/association_scan.py), on data generated here with ties in the dose, in the
/// response, in both and in neither, with missing values and biomarkers too small or too flat to fit.
/// </summary>
public sealed class ScanAgainstSciPyTests(ITestOutputHelper output) : IDisposable
{
    private const int MinimumN = 8;
    private const int Patients = 160;
    private const int Biomarkers = 48;
    private readonly string _dir = Directory.CreateTempSubdirectory("scan-oracle-").FullName;

    public enum Ties
    {
        None,
        Dose,
        Response,
        Both,
    }

    [RequiresPythonOracleTheory]
    [InlineData(Ties.None, 3)]
    [InlineData(Ties.Dose, 3)]
    [InlineData(Ties.Response, 3)]
    [InlineData(Ties.Both, 3)]
    [InlineData(Ties.Both, 0)]
    public void Rho_slope_CI_p_and_q_agree_with_SciPy_and_statsmodels(Ties ties, int covariates)
    {
        var data = Generate(ties, covariates, seed: 20261202 + (int)ties * 10 + covariates);
        var ours = AssociationScan.Run(data, MinimumN);
        var input = Path.Combine(_dir, $"rows-{ties}-{covariates}.csv");
        var oracleFile = Path.Combine(_dir, $"oracle-{ties}-{covariates}.csv");
        WriteRows(data, input);

        PythonOracle.Run("association_scan.py", "rows", input, oracleFile, MinimumN.ToString(CultureInfo.InvariantCulture));

        var oracle = ReadOracle(oracleFile);
        oracle.Count.ShouldBe(Biomarkers);
        var compared = 0;
        var worstRho = 0.0;
        foreach (var r in ours)
        {
            var o = oracle[r.Biomarker];
            r.N.ShouldBe((int)o["n"], $"biomarker {r.Biomarker}: n");
            compared += Same(r.Biomarker, "rho", r.SpearmanRho, o["rho"], 1e-9, ref worstRho);
            var ignored = 0.0;
            compared += Same(r.Biomarker, "rho p", r.SpearmanP, o["rho_p"], 1e-6, ref ignored);
            compared += Same(r.Biomarker, "rho q", r.SpearmanQ, o["rho_q"], 1e-6, ref ignored);
            compared += Same(r.Biomarker, "slope", r.Slope, o["slope"], 1e-9, ref ignored);
            compared += Same(r.Biomarker, "slope SE", r.SlopeStandardError, o["se"], 1e-9, ref ignored);
            // An interval end near zero is slope − t·SE, a difference of two larger numbers: its error is
            // relative to the interval's half-width, not to the end's own size.
            compared += Same(r.Biomarker, "CI low", r.SlopeCiLow, o["ci_low"], 1e-9, ref ignored, o["se"]);
            compared += Same(r.Biomarker, "CI high", r.SlopeCiHigh, o["ci_high"], 1e-9, ref ignored, o["se"]);
            compared += Same(r.Biomarker, "slope p", r.SlopeP, o["slope_p"], 1e-6, ref ignored);
            compared += Same(r.Biomarker, "slope q", r.QValue, o["slope_q"], 1e-6, ref ignored);
        }

        output.WriteLine($"{ties} ties, {covariates} covariates: {compared} figures equal to SciPy/statsmodels; worst rho relative difference {worstRho:E2}");
        // The generator must have produced what the case is about, or the case proves nothing.
        var tiedResponses = Enumerable.Range(0, Biomarkers).Sum(b => TiedCount(data.ResponsesOf(b)));
        var tiedDoses = TiedCount(data.Dose);
        output.WriteLine($"tied response values {tiedResponses}, tied doses {tiedDoses}");
        if (ties is Ties.Response or Ties.Both)
        {
            tiedResponses.ShouldBeGreaterThan(Biomarkers * 20);
        }

        if (ties is Ties.Dose or Ties.Both)
        {
            tiedDoses.ShouldBeGreaterThan(Patients / 2);
        }

        ours.Count(r => double.IsNaN(r.SpearmanRho)).ShouldBeGreaterThanOrEqualTo(2); // the too-small and the flat biomarker
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Same(int biomarker, string what, double ours, double theirs, double relative, ref double worst, double atLeast = 0)
    {
        if (double.IsNaN(theirs) || double.IsNaN(ours))
        {
            double.IsNaN(ours).ShouldBe(double.IsNaN(theirs), $"biomarker {biomarker} {what}: ours {ours:R}, SciPy {theirs:R}");
            return 0;
        }

        var difference = Math.Abs(ours - theirs);
        var scale = Math.Max(Math.Max(Math.Abs(theirs), double.IsNaN(atLeast) ? 0 : atLeast), 1e-300);
        worst = Math.Max(worst, difference / scale);
        // Relative, with an absolute floor for figures that are zero up to rounding (a slope of 1e-17).
        (difference <= relative * scale || difference <= 1e-14).ShouldBeTrue($"biomarker {biomarker} {what}: ours {ours:R}, SciPy/statsmodels {theirs:R}");
        return 1;
    }

    private static int TiedCount(ReadOnlySpan<double> values)
    {
        var finite = values.ToArray().Where(double.IsFinite).ToList();
        return finite.Count - finite.Distinct().Count();
    }

    /// <summary>
    /// Doses in whole Gy (ties) or continuous; responses on a 0.25 grid with a limit of detection
    /// that clamps a fifth of them (ties) or continuous; about 5 % of each value missing.
    /// </summary>
    private static AssociationScanData Generate(Ties ties, int covariates, int seed)
    {
        var random = new Random(seed);
        var data = new AssociationScanData(Patients, Biomarkers, covariates);
        var tieDose = ties is Ties.Dose or Ties.Both;
        var tieResponse = ties is Ties.Response or Ties.Both;
        for (var p = 0; p < Patients; p++)
        {
            var dose = random.NextDouble() * 40;
            data.Dose[p] = random.NextDouble() < 0.04 ? double.NaN : tieDose ? Math.Round(dose) : dose;
            if (covariates > 0)
            {
                data.SetCovariate(p, 0, random.NextDouble() < 0.03 ? double.NaN : random.Next(1, 18)); // age in whole years
            }

            for (var c = 1; c < covariates; c++)
            {
                data.SetCovariate(p, c, random.Next(2));
            }
        }

        for (var b = 0; b < Biomarkers; b++)
        {
            var slope = b % 4 == 0 ? 0.05 : 0.0;
            var lod = -0.8;
            for (var p = 0; p < Patients; p++)
            {
                var dose = double.IsNaN(data.Dose[p]) ? 20 : data.Dose[p];
                var value = slope * dose + Normal(random);
                if (tieResponse)
                {
                    value = Math.Max(lod, Math.Round(value * 4) / 4);
                }

                data[p, b] = random.NextDouble() < 0.05 ? double.NaN : value;
            }
        }

        // Biomarker 1: too few patients to fit; biomarker 2: the same value for everyone (flat).
        for (var p = MinimumN - 2; p < Patients; p++)
        {
            data[p, 1] = double.NaN;
        }

        for (var p = 0; p < Patients; p++)
        {
            data[p, 2] = 1.5;
        }

        return data;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void WriteRows(AssociationScanData data, string path)
    {
        var sb = new StringBuilder("biomarker,response,dose");
        for (var c = 0; c < data.CovariateCount; c++)
        {
            sb.Append(",cov").Append(c);
        }

        sb.Append('\n');
        for (var b = 0; b < data.BiomarkerCount; b++)
        {
            for (var p = 0; p < data.PatientCount; p++)
            {
                sb.Append(b).Append(',').Append(Number(data[p, b])).Append(',').Append(Number(data.Dose[p]));
                for (var c = 0; c < data.CovariateCount; c++)
                {
                    sb.Append(',').Append(Number(data.CovariateOf(c)[p]));
                }

                sb.Append('\n');
            }
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static string Number(double v) => double.IsNaN(v) ? "NA" : v.ToString("R", CultureInfo.InvariantCulture);

    private static Dictionary<int, Dictionary<string, double>> ReadOracle(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(','))
            .ToDictionary(
                f => int.Parse(f[0], CultureInfo.InvariantCulture),
                f => header.Select((h, i) => (h, v: f[i] == "NA" ? double.NaN : double.Parse(f[i], CultureInfo.InvariantCulture)))
                    .ToDictionary(x => x.h, x => x.v));
    }
}
