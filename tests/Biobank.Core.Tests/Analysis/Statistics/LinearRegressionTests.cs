using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Inference for least squares on a case small enough to work by hand. Formulas: Draper &amp; Smith,
/// Applied Regression Analysis, 3rd ed., ch. 1 and 3 — se(b1) = s/√Sxx, se(b0) = s·√(1/n + x̄²/Sxx),
/// se(ŷ0) = s·√(1/n + (x0 − x̄)²/Sxx), intervals ± t(0.975; n−2)·se.
/// </summary>
public sealed class LinearRegressionTests
{
    // x = 1 2 3 4 5, y = 2 4 5 4 5.
    // x̄ = 3, ȳ = 4, Sxx = 10, Sxy = (−2)(−2) + (−1)(0) + 0 + (1)(0) + (2)(1) = 6, Syy = 6.
    // b1 = 6/10 = 0.6, b0 = 4 − 0.6·3 = 2.2. Fitted 2.8 3.4 4.0 4.6 5.2, residuals −.8 .6 1 −.6 −.2,
    // RSS = .64 + .36 + 1 + .36 + .04 = 2.4, s² = 2.4/3 = 0.8, R² = 1 − 2.4/6 = 0.6.
    // se(b1) = √(0.8/10) = √0.08, se(b0) = √(0.8·(1/5 + 9/10)) = √0.88.
    // t(b1) = 0.6/√0.08 = 3/√2 = 2.1213203435596; ν = 3, θ = atan(t/√3):
    //   p = 1 − (2/π)(θ + sinθ cosθ) = 0.12402706265755 (A&S 26.7.3).
    // t(0.975; 3) = 3.18244630528371, so b1 ∈ 0.6 ± 3.18244630528371·√0.08 = [−0.30013174529127, 1.50013174529127].
    private static readonly double[] X = [1, 2, 3, 4, 5];
    private static readonly double[] Y = [2, 4, 5, 4, 5];
    private const double T975With3Df = 3.18244630528371;

    [Fact]
    public void Simple_regression_matches_hand_calculation()
    {
        var fit = LinearRegression.Fit(Y, X);

        fit.N.ShouldBe(5);
        fit.DegreesOfFreedom.ShouldBe(3);
        fit.Coefficients[0].ShouldBe(2.2, 1e-14);
        fit.Coefficients[1].ShouldBe(0.6, 1e-14);
        fit.StandardErrors[0].ShouldBe(Math.Sqrt(0.88), 1e-14);
        fit.StandardErrors[1].ShouldBe(Math.Sqrt(0.08), 1e-14);
        fit.TValues[1].ShouldBe(3 / Math.Sqrt(2), 1e-13);
        fit.ResidualSumOfSquares.ShouldBe(2.4, 1e-14);
        fit.ResidualStandardDeviation.ShouldBe(Math.Sqrt(0.8), 1e-14);
        fit.RSquared.ShouldBe(0.6, 1e-14);

        var theta = Math.Atan(3 / Math.Sqrt(2) / Math.Sqrt(3));
        fit.PValues[1].ShouldBe(1 - 2 / Math.PI * (theta + Math.Sin(theta) * Math.Cos(theta)), 1e-13);
        fit.PValues[1].ShouldBe(0.124027062657555, 1e-13);

        fit.TCritical.ShouldBe(T975With3Df, 1e-13);
        fit.ConfidenceLow[1].ShouldBe(-0.300131745291274, 1e-13);
        fit.ConfidenceHigh[1].ShouldBe(1.500131745291274, 1e-13);
        fit.ConfidenceLow[0].ShouldBe(2.2 - T975With3Df * Math.Sqrt(0.88), 1e-12);
    }

    [Fact]
    public void Confidence_band_for_the_mean_matches_hand_calculation()
    {
        // At x0 = 3 = x̄: ŷ = 4, se = s·√(1/5) = √0.16 = 0.4, band 4 ± 3.18244630528371·0.4.
        // At x0 = 0 the band is the intercept's interval; at x0 = 6: ŷ = 5.8, se = √(0.8·(0.2 + 0.9)) = √0.88.
        var fit = LinearRegression.Fit(Y, X);
        var band = fit.ConfidenceBand([0, 3, 6]);

        band.Level.ShouldBe(0.95);
        band.Dose.ShouldBe([0, 3, 6]);
        band.Fit[1].ShouldBe(4.0, 1e-14);
        band.Low[1].ShouldBe(4 - T975With3Df * 0.4, 1e-13);
        band.High[1].ShouldBe(4 + T975With3Df * 0.4, 1e-13);
        band.Low[0].ShouldBe(fit.ConfidenceLow[0], 1e-13);
        band.High[0].ShouldBe(fit.ConfidenceHigh[0], 1e-13);
        band.Fit[2].ShouldBe(5.8, 1e-14);
        band.High[2].ShouldBe(5.8 + T975With3Df * Math.Sqrt(0.88), 1e-13);

        // The band is narrowest at the mean dose.
        (band.High[1] - band.Low[1]).ShouldBeLessThan(band.High[0] - band.Low[0]);
    }

    [Fact]
    public void Rows_with_a_missing_value_are_dropped()
    {
        var fit = LinearRegression.Fit(
            [2, 4, double.NaN, 5, 4, 5, 9],
            [1, 2, 2.5, 3, 4, 5, double.NaN]);

        fit.N.ShouldBe(5);
        fit.Coefficients[1].ShouldBe(0.6, 1e-14);
        fit.StandardErrors[1].ShouldBe(Math.Sqrt(0.08), 1e-14);
    }

    [Fact]
    public void Covariate_adjusted_slope_and_band()
    {
        // y = 1 + 2·dose + 3·sex plus a fixed small disturbance, so the fit is close to (2, 3) but not exact.
        double[] dose = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        double[] sex = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1];
        double[] wiggle = [0.1, -0.2, 0.05, 0.15, -0.1, 0.0, -0.05, 0.2, -0.15, 0.0];
        var y = dose.Select((d, i) => 1 + 2 * d + 3 * sex[i] + wiggle[i]).ToArray();

        var fit = LinearRegression.Fit(y, dose, sex);

        fit.PredictorCount.ShouldBe(2);
        fit.DegreesOfFreedom.ShouldBe(7);
        fit.Coefficients[1].ShouldBe(2.0, 0.05);
        fit.Coefficients[2].ShouldBe(3.0, 0.3);

        // The band holds sex at its mean (0.5), so it is PredictMean at (dose, 0.5).
        var band = fit.ConfidenceBand([4.5]);
        var direct = fit.PredictMean([4.5, 0.5]);
        band.Fit[0].ShouldBe(direct.Fit, 1e-13);
        band.Low[0].ShouldBe(direct.Low, 1e-13);
        // At the means of all predictors ŷ = ȳ and se = s/√n.
        direct.Fit.ShouldBe(y.Average(), 1e-12);
        direct.StandardError.ShouldBe(fit.ResidualStandardDeviation / Math.Sqrt(10), 1e-13);
    }

    [Fact]
    public void A_predictor_that_repeats_another_is_aliased()
    {
        var twice = X.Select(v => 2 * v).ToArray();
        double[] constant = [1, 1, 1, 1, 1];
        // 0.1 is not a binary fraction: its mean leaves rounding noise that must still count as constant.
        double[] inexactConstant = [0.1, 0.1, 0.1, 0.1, 0.1];

        var fit = LinearRegression.Fit(Y, X, twice, constant, inexactConstant);

        fit.Rank.ShouldBe(1);
        fit.DegreesOfFreedom.ShouldBe(3);
        fit.Coefficients[1].ShouldBe(0.6, 1e-14);
        fit.StandardErrors[1].ShouldBe(Math.Sqrt(0.08), 1e-14);
        fit.IsAliased(2).ShouldBeTrue();
        fit.IsAliased(3).ShouldBeTrue();
        fit.IsAliased(4).ShouldBeTrue();
        double.IsNaN(fit.Coefficients[2]).ShouldBeTrue();
        double.IsNaN(fit.PValues[3]).ShouldBeTrue();
        fit.Coefficients[0].ShouldBe(2.2, 1e-14);
    }

    [Fact]
    public void Too_few_rows_leave_inference_undefined()
    {
        var fit = LinearRegression.Fit([1, 3], [0, 1]);

        fit.Coefficients[1].ShouldBe(2.0, 1e-15);
        fit.DegreesOfFreedom.ShouldBe(0);
        double.IsNaN(fit.StandardErrors[1]).ShouldBeTrue();
        double.IsNaN(fit.PValues[1]).ShouldBeTrue();

        var empty = LinearRegression.Fit([double.NaN], [1.0]);
        empty.N.ShouldBe(0);
        double.IsNaN(empty.Coefficients[1]).ShouldBeTrue();
    }

    [Fact]
    public void Rejects_predictors_of_the_wrong_length()
    {
        Should.Throw<ArgumentException>(() => LinearRegression.Fit([1, 2, 3], [1.0, 2.0]));
    }
}
