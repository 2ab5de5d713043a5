using Biobank.Core.Analysis.Statistics;
using Xunit.Abstractions;

namespace Biobank.Core.Tests.Analysis.Statistics;

public sealed class AssociationScanTests(ITestOutputHelper output)
{
    [Fact]
    public void Finds_the_five_dose_dependent_biomarkers_among_two_hundred_null_ones()
    {
        // Biomarkers 0..199 have no dose effect; 200..204 have slopes of ±0.02..0.035 per Gy
        // (noise SD 1, dose SD about 14 Gy, 400 patients: t between about 5 and 10).
        var slopes = new double[205];
        double[] signal = [0.025, -0.02, 0.03, 0.035, -0.025];
        signal.CopyTo(slopes, 200);
        var data = SyntheticCohort.Create(400, slopes, seed: 20240611);

        var results = AssociationScan.Run(data, minimumN: 20);

        results.Length.ShouldBe(205);
        var ranked = results.OrderBy(r => r.QValue).ToArray();
        ranked.Take(5).Select(r => r.Biomarker).Order().ShouldBe([200, 201, 202, 203, 204]);
        ranked.Take(5).ShouldAllBe(r => r.QValue < 0.05 && r.SpearmanQ < 0.05);
        var falseDiscoveries = results.Count(r => r.Biomarker < 200 && r.QValue < 0.05);
        output.WriteLine($"null biomarkers with q < 0.05: {falseDiscoveries}; smallest null q {results.Where(r => r.Biomarker < 200).Min(r => r.QValue):F3}; " +
            $"null p < 0.05: {results.Count(r => r.Biomarker < 200 && r.SlopeP < 0.05)} of 200");
        falseDiscoveries.ShouldBeLessThanOrEqualTo(2);
        results.Count(r => r.Biomarker < 200 && r.QValue > 0.05).ShouldBeGreaterThanOrEqualTo(198);

        foreach (var r in results.Skip(200))
        {
            r.N.ShouldBe(400);
            Math.Sign(r.Slope).ShouldBe(Math.Sign(slopes[r.Biomarker]));
            Math.Sign(r.SpearmanRho).ShouldBe(Math.Sign(slopes[r.Biomarker]));
            Math.Abs(r.Slope - slopes[r.Biomarker]).ShouldBeLessThan(4 * r.SlopeStandardError);
            (r.SlopeCiLow < r.Slope && r.Slope < r.SlopeCiHigh).ShouldBeTrue();
            output.WriteLine($"biomarker {r.Biomarker}: n {r.N}, slope {r.Slope:F4} [{r.SlopeCiLow:F4}, {r.SlopeCiHigh:F4}] " +
                $"(true {slopes[r.Biomarker]}), p {r.SlopeP:E2}, q {r.QValue:E2}; rho {r.SpearmanRho:F3}, q {r.SpearmanQ:E2}");
        }
    }

    [Fact]
    public void Null_biomarkers_give_uniform_p_values()
    {
        // Type I error check: with no dose effect about 5 % of p-values fall below 0.05 and 1 % below
        // 0.01. With 2,000 biomarkers the binomial SD is 0.49 and 0.22 percentage points; the bounds
        // are about 3 SD wide.
        var adjusted = AssociationScan.Run(SyntheticCohort.Create(200, new double[2000], seed: 424242), minimumN: 20);
        var slopeBelow05 = adjusted.Count(r => r.SlopeP < 0.05) / 2000.0;
        var slopeBelow01 = adjusted.Count(r => r.SlopeP < 0.01) / 2000.0;
        var confoundedSpearman = adjusted.Count(r => r.SpearmanP < 0.05) / 2000.0;

        // Spearman is unadjusted: in this cohort the covariates act on every response and happen to
        // correlate with dose, so its null rate is inflated there. Without covariate effects it holds.
        var plain = AssociationScan.Run(
            SyntheticCohort.Create(200, new double[2000], seed: 424242, covariateEffects: false), minimumN: 20);
        var spearmanBelow05 = plain.Count(r => r.SpearmanP < 0.05) / 2000.0;
        var spearmanBelow01 = plain.Count(r => r.SpearmanP < 0.01) / 2000.0;

        output.WriteLine($"adjusted slope p < 0.05: {slopeBelow05:P1}, < 0.01: {slopeBelow01:P1}; " +
            $"Spearman p < 0.05: {confoundedSpearman:P1} with covariate effects, {spearmanBelow05:P1} " +
            $"(< 0.01: {spearmanBelow01:P1}) without");
        slopeBelow05.ShouldBeInRange(0.035, 0.065);
        slopeBelow01.ShouldBeInRange(0.0035, 0.017);
        spearmanBelow05.ShouldBeInRange(0.035, 0.065);
        spearmanBelow01.ShouldBeInRange(0.0035, 0.017);
    }

    [Fact]
    public void Agrees_with_the_single_fit_and_spearman_on_the_same_rows()
    {
        var data = SyntheticCohort.Create(150, [0.0, 0.05, -0.02], seed: 7);
        var random = new Random(99);
        for (var b = 0; b < 3; b++)
        {
            var response = data.ResponsesOf(b);
            for (var p = 0; p < 150; p++)
            {
                if (random.NextDouble() < 0.2)
                {
                    response[p] = double.NaN;
                }
            }
        }

        data.Dose[3] = double.NaN;
        data.SetCovariate(10, 0, double.NaN);

        var results = AssociationScan.Run(data, minimumN: 10);

        var dose = data.Dose.ToArray();
        var age = data.CovariateOf(0).ToArray();
        var sex = data.CovariateOf(1).ToArray();
        var modality = data.CovariateOf(2).ToArray();
        for (var b = 0; b < 3; b++)
        {
            var y = data.ResponsesOf(b).ToArray();
            var fit = LinearRegression.Fit(y, dose, age, sex, modality);
            // Spearman over the same rows the fit used (the scan drops a row for a missing covariate too).
            var yForSpearman = y.Select((v, p) => double.IsNaN(age[p]) ? double.NaN : v).ToArray();
            var spearman = Spearman.Compute(dose, yForSpearman);
            var r = results[b];

            r.N.ShouldBe(fit.N);
            r.N.ShouldBe(spearman.N);
            r.Slope.ShouldBe(fit.Coefficients[1], 1e-12);
            r.SlopeStandardError.ShouldBe(fit.StandardErrors[1], 1e-12);
            r.SlopeP.ShouldBe(fit.PValues[1], 1e-12);
            r.SlopeCiLow.ShouldBe(fit.ConfidenceLow[1], 1e-12);
            r.SlopeCiHigh.ShouldBe(fit.ConfidenceHigh[1], 1e-12);
            r.SpearmanRho.ShouldBe(spearman.Rho, 1e-14);
            r.SpearmanP.ShouldBe(spearman.P, 1e-14);
        }
    }

    [Fact]
    public void Missing_values_reduce_n_per_biomarker()
    {
        var data = SyntheticCohort.Create(50, [0, 0, 0], seed: 1);
        data[0, 0] = double.NaN;
        data[1, 0] = double.NaN;
        data[2, 0] = double.NaN;
        data[5, 1] = double.PositiveInfinity; // not a measurement either
        data.Dose[10] = double.NaN;           // unknown dose: out of every biomarker
        data.SetCovariate(11, 2, double.NaN); // unknown modality: likewise
        data[10, 2] = double.NaN;             // already out through the dose; counted once

        var results = AssociationScan.Run(data, minimumN: 10);

        results[0].N.ShouldBe(50 - 3 - 2);
        results[1].N.ShouldBe(50 - 1 - 2);
        results[2].N.ShouldBe(50 - 2);
    }

    [Fact]
    public void Biomarkers_below_the_minimum_n_are_reported_but_not_tested()
    {
        var data = SyntheticCohort.Create(40, [0.1, 0.0, 0.05, 0.0], seed: 3);
        var sparse = data.ResponsesOf(1);
        for (var p = 8; p < 40; p++)
        {
            sparse[p] = double.NaN;
        }

        var results = AssociationScan.Run(data, minimumN: 10);

        var skipped = results[1];
        skipped.N.ShouldBe(8);
        double.IsNaN(skipped.Slope).ShouldBeTrue();
        double.IsNaN(skipped.SlopeP).ShouldBeTrue();
        double.IsNaN(skipped.QValue).ShouldBeTrue();
        double.IsNaN(skipped.SpearmanRho).ShouldBeTrue();
        double.IsNaN(skipped.SpearmanQ).ShouldBeTrue();

        // q-values count only the three biomarkers that were tested (m = 3).
        var expected = BenjaminiHochberg.QValues([results[0].SlopeP, results[2].SlopeP, results[3].SlopeP]);
        results[0].QValue.ShouldBe(expected[0]);
        results[2].QValue.ShouldBe(expected[1]);
        results[3].QValue.ShouldBe(expected[2]);
    }

    [Fact]
    public void A_covariate_constant_within_a_biomarker_drops_out_without_losing_the_slope()
    {
        // A biomarker measured in women only: sex is constant among its rows.
        var data = SyntheticCohort.Create(120, [0.05], seed: 11);
        var sex = data.CovariateOf(1);
        var response = data.ResponsesOf(0);
        for (var p = 0; p < 120; p++)
        {
            if (sex[p] == 1)
            {
                response[p] = double.NaN;
            }
        }

        var r = AssociationScan.Run(data, minimumN: 10)[0];

        var y = response.ToArray();
        var fit = LinearRegression.Fit(y, data.Dose.ToArray(), data.CovariateOf(0).ToArray(), data.CovariateOf(2).ToArray());
        r.N.ShouldBe(fit.N);
        r.Slope.ShouldBe(fit.Coefficients[1], 1e-12);
        r.SlopeStandardError.ShouldBe(fit.StandardErrors[1], 1e-12);
    }

    [Fact]
    public void A_covariate_with_one_inexact_value_for_everyone_is_ignored()
    {
        // Every patient treated with the same modality, coded 0.3 (no binary fraction): the column
        // must drop out, leaving the fit on age and sex.
        var data = SyntheticCohort.Create(300, [0.04, 0.0], seed: 21);
        data.CovariateOf(2).Fill(0.3);

        var results = AssociationScan.Run(data, minimumN: 10);

        for (var b = 0; b < 2; b++)
        {
            var fit = LinearRegression.Fit(data.ResponsesOf(b), data.Dose.ToArray(), data.CovariateOf(0).ToArray(),
                data.CovariateOf(1).ToArray());
            results[b].Slope.ShouldBe(fit.Coefficients[1], 1e-12);
            results[b].SlopeStandardError.ShouldBe(fit.StandardErrors[1], 1e-12);
            results[b].SlopeP.ShouldBe(fit.PValues[1], 1e-12);
        }
    }

    [Fact]
    public void A_constant_dose_gives_no_slope()
    {
        var data = new AssociationScanData(20, 1, 0);
        for (var p = 0; p < 20; p++)
        {
            data.Dose[p] = 2.0;
            data[p, 0] = p;
        }

        var r = AssociationScan.Run(data, minimumN: 5)[0];

        r.N.ShouldBe(20);
        double.IsNaN(r.Slope).ShouldBeTrue();
        double.IsNaN(r.SpearmanRho).ShouldBeTrue();
        double.IsNaN(r.QValue).ShouldBeTrue();
    }

    [Fact]
    public void Stops_when_cancelled()
    {
        var data = SyntheticCohort.Create(50, new double[20], seed: 6);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Should.Throw<OperationCanceledException>(() => AssociationScan.Run(data, minimumN: 10, cancelled.Token));
    }

    [Fact]
    public void Refuses_a_minimum_n_that_leaves_no_residual_degree_of_freedom()
    {
        var data = SyntheticCohort.Create(30, [0.0], seed: 5);
        // Intercept + 3 covariates + dose = 5 parameters; 6 patients leave one residual df.
        Should.Throw<ArgumentOutOfRangeException>(() => AssociationScan.Run(data, minimumN: 5));
        AssociationScan.Run(data, minimumN: 6).Length.ShouldBe(1);
    }
}
