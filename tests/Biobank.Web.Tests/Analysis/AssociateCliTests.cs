using System.Globalization;
using Biobank.Cli;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.Extensions.Configuration;

using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Analysis;

/// <summary>
/// The associate verb on the demo data: the planted dose effects come first with q &lt; 0.05, and every slope and
/// Spearman ρ is recomputed from the --data-out file with MathNet's own QR and rank correlation (not our engine).
/// </summary>
public sealed class AssociateCliTests
{
    [Fact]
    public async Task Finds_the_synthetic_effects_and_agrees_with_an_independent_recomputation_from_its_data_file()
    {
        var dir = Directory.CreateTempSubdirectory("biobank-associate-").FullName;
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Biobank"] = $"Data Source={Path.Combine(dir, "b.db")}",
        }).Build();
        var o = new StringWriter();
        var e = new StringWriter();
        (await BuiltCli.RunAsync(["seed-demo"], o, e, settings)).ShouldBe(0, e.ToString());
        var results = Path.Combine(dir, "results.csv");
        var data = Path.Combine(dir, "data.csv");
        var exit = await BuiltCli.RunAsync(["associate", "--biomarkers", "all", "--response", "change:BASELINE:M3", "--dose", "heart:mean",
            "--covariates", "age,sex,modality", "--out", results, "--data-out", data], o, e, settings);
        exit.ShouldBe(0, e.ToString());

        var lines = File.ReadAllLines(results);
        lines[0].ShouldBe("biomarker,n,spearman_rho,spearman_p,spearman_q,slope,slope_ci_low,slope_ci_high,slope_p,q_value");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var top = rows.Take(3).Select(r => r[0]).ToList();
        top.ShouldContain("P16860", "NPPB rises with heart dose in the demo");
        top.ShouldContain("P45379", "TNNT2 rises with heart dose in the demo");
        static double Q(string[] r) => double.Parse(r[9], CultureInfo.InvariantCulture);
        rows.Where(r => r[0] is "P16860" or "P45379" or "hsa-miR-1-3p").Select(Q).ShouldAllBe(q => q < 0.05);
        var nulls = rows.Where(r => r[9] != "NA" && !new[] { "P16860", "P45379", "hsa-miR-1-3p", "hsa-miR-133a-3p", "hsa-miR-34a-5p", "P04745" }.Contains(r[0])).ToList();
        nulls.Count(r => Q(r) < 0.05).ShouldBeLessThan(Math.Max(3, nulls.Count / 20), "the null biomarkers mostly are not found");

        var header = File.ReadLines(data).First().Split(',');
        header.ShouldBe(["pseudonym", "biomarker", "response", "dose", "age", "sex", "modality"]);
        var set = File.ReadLines(data).Skip(1).Select(l => l.Split(',')).GroupBy(r => r[1]).ToDictionary(g => g.Key, g => g.ToList());
        var checkedCount = 0;
        foreach (var r in rows.Where(r => r[5] != "NA").Take(60))
        {
            var group = set[r[0]];
            group.Count.ShouldBe(int.Parse(r[1], CultureInfo.InvariantCulture));
            var y = group.Select(x => double.Parse(x[2], CultureInfo.InvariantCulture)).ToArray();
            var dose = group.Select(x => double.Parse(x[3], CultureInfo.InvariantCulture)).ToArray();
            var columns = new List<double[]> { Enumerable.Repeat(1.0, y.Length).ToArray(), dose, group.Select(x => double.Parse(x[4], CultureInfo.InvariantCulture)).ToArray() };
            foreach (var level in group.Select(x => x[5]).Distinct().Order().Skip(1))
            {
                columns.Add(group.Select(x => x[5] == level ? 1.0 : 0.0).ToArray());
            }
            foreach (var level in group.Select(x => x[6]).Distinct().Order().Skip(1))
            {
                columns.Add(group.Select(x => x[6] == level ? 1.0 : 0.0).ToArray());
            }
            var design = Matrix<double>.Build.DenseOfColumnArrays(columns);
            var beta = design.QR().Solve(Vector<double>.Build.DenseOfArray(y));
            var slope = double.Parse(r[5], CultureInfo.InvariantCulture);
            Math.Abs(beta[1] - slope).ShouldBeLessThanOrEqualTo(1e-9 * Math.Max(1e-12, Math.Abs(slope)), $"slope of {r[0]}");
            var rho = MathNet.Numerics.Statistics.Correlation.Spearman(y, dose);
            Math.Abs(rho - double.Parse(r[2], CultureInfo.InvariantCulture)).ShouldBeLessThanOrEqualTo(1e-9 * Math.Max(1e-12, Math.Abs(rho)), $"rho of {r[0]}");
            checkedCount++;
        }
        checkedCount.ShouldBeGreaterThan(50);
    }
}
