using Biobank.Core.Analysis.Statistics;
using Xunit.Abstractions;
using static Biobank.Core.Tests.Analysis.Statistics.NistStrdData;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Least squares against the NIST StRD certified values
/// (https://www.itl.nist.gov/div898/strd/lls/lls.shtml; data and values in <see cref="NistStrdData"/>).
/// Agreement is reported as relative error and as LRE = −log10(relative error), the number of
/// correct significant digits, as in McCullough (1998), "Assessing the reliability of statistical
/// software: Part I", The American Statistician 52:358–366.
/// </summary>
public sealed class LinearRegressionNistTests(ITestOutputHelper output)
{
    [Fact]
    public void Norris_matches_certified_values()
    {
        var fit = LinearRegression.Fit(Column(Norris, 0), Column(Norris, 1));

        fit.N.ShouldBe(36);
        fit.DegreesOfFreedom.ShouldBe(34);
        AssertAgrees("Norris", fit, NorrisB, NorrisSe, NorrisResidualSd, NorrisRSquared, 1e-12, 1e-12);
    }

    [Fact]
    public void Pontius_quadratic_matches_certified_values()
    {
        // NIST's model is y = B0 + B1·x + B2·x²; x² enters as a second predictor.
        var x = Column(Pontius, 1);
        var x2 = x.Select(v => v * v).ToArray();
        var fit = LinearRegression.Fit(Column(Pontius, 0), x, x2);

        fit.N.ShouldBe(40);
        fit.DegreesOfFreedom.ShouldBe(37);
        // B0 = ȳ − B1·x̄ − B2·mean(x²) ≈ 1.14 − 1.15 + 0.0098 = 6.7e-4 cancels three digits, so one
        // rounding in terms of size 1 is already 3e-13 of B0; the bound allows for that, not for more.
        AssertAgrees("Pontius", fit, PontiusB, PontiusSe, PontiusResidualSd, PontiusRSquared, 1e-11, 1e-12);
    }

    [Fact]
    public void Longley_matches_certified_values()
    {
        var fit = LinearRegression.Fit(Column(Longley, 0),
            Column(Longley, 1), Column(Longley, 2), Column(Longley, 3),
            Column(Longley, 4), Column(Longley, 5), Column(Longley, 6));

        fit.N.ShouldBe(16);
        fit.DegreesOfFreedom.ShouldBe(9);
        AssertAgrees("Longley", fit, LongleyB, LongleySe, LongleyResidualSd, LongleyRSquared, 1e-12, 1e-12);
    }

    private void AssertAgrees(string name, RegressionFit fit, double[] b, double[] se, double residualSd,
        double rSquared, double coefficientTolerance, double standardErrorTolerance)
    {
        for (var j = 0; j < b.Length; j++)
        {
            var eb = RelativeError(fit.Coefficients[j], b[j]);
            var ese = RelativeError(fit.StandardErrors[j], se[j]);
            output.WriteLine($"{name} B{j}: {fit.Coefficients[j]:R} rel.err {eb:E2} (LRE {Lre(eb):F1}); " +
                $"SE {fit.StandardErrors[j]:R} rel.err {ese:E2} (LRE {Lre(ese):F1})");
            eb.ShouldBeLessThanOrEqualTo(coefficientTolerance, $"{name} B{j}");
            ese.ShouldBeLessThanOrEqualTo(standardErrorTolerance, $"{name} SE(B{j})");
        }

        var esd = RelativeError(fit.ResidualStandardDeviation, residualSd);
        var er2 = RelativeError(fit.RSquared, rSquared);
        output.WriteLine($"{name} residual SD rel.err {esd:E2} (LRE {Lre(esd):F1}); R² rel.err {er2:E2} (LRE {Lre(er2):F1})");
        esd.ShouldBeLessThanOrEqualTo(standardErrorTolerance, $"{name} residual SD");
        er2.ShouldBeLessThanOrEqualTo(coefficientTolerance, $"{name} R²");
    }

    private static double RelativeError(double actual, double certified) => Math.Abs(actual - certified) / Math.Abs(certified);

    private static double Lre(double relativeError) => relativeError == 0 ? 16 : Math.Min(16, -Math.Log10(relativeError));
}
