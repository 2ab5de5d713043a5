using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Spearman's rho is Pearson's correlation of the (average) ranks — Spearman (1904), and for ties
/// e.g. Hollander, Wolfe &amp; Chicken, Nonparametric Statistical Methods, 3rd ed., ch. 8.
/// p from t = rho·√((n−2)/(1−rho²)) on n − 2 df (the approximation used by R's cor.test with
/// exact = FALSE and by scipy.stats.spearmanr); the t tails are evaluated by hand with the closed
/// forms of Abramowitz &amp; Stegun 26.7.3 (odd ν) and 26.7.4 (even ν), p. 948 (see <see cref="TDistributionTests"/>).
/// </summary>
public sealed class SpearmanTests
{
    [Fact]
    public void Without_ties_matches_hand_calculation()
    {
        // x = 1 2 3 4 5, y = 2 1 4 3 5: the values are their own ranks.
        // d = −1 1 −1 1 0, Σd² = 4, rho = 1 − 6·4/(5·(25−1)) = 1 − 24/120 = 0.8.
        // t = 0.8·√(3/(1−0.64)) = 0.8·√(25/3) = 4/√3 = 2.3094010767585.
        // ν = 3: with θ = atan(t/√3) = atan(4/3), p = 1 − (2/π)(θ + sinθ cosθ)
        //   sinθ cosθ = (4/5)(3/5) = 12/25, so p = 1 − (2/π)(0.92729521800161 + 0.48) = 0.10408803866183.
        var r = Spearman.Compute([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]);

        r.N.ShouldBe(5);
        r.Rho.ShouldBe(0.8, 1e-15);
        r.P.ShouldBe(1 - 2 / Math.PI * (Math.Atan(4.0 / 3.0) + 12.0 / 25.0), 1e-14);
        r.P.ShouldBe(0.104088038661828, 1e-14);
    }

    [Fact]
    public void With_ties_uses_average_ranks()
    {
        // x = 3 1 4 1 5 9  → ranks 3 1.5 4 1.5 5 6   (the two 1s share (1+2)/2)
        // y = 2 6 5 3 5 8  → ranks 1 5 3.5 2 3.5 6   (the two 5s share (3+4)/2)
        // Mean rank 3.5; deviations dx = −.5 −2 .5 −2 1.5 2.5, dy = −2.5 1.5 0 −1.5 0 2.5
        // Σdx·dy = 1.25 − 3 + 0 + 3 + 0 + 6.25 = 7.5, Σdx² = 17, Σdy² = 17, rho = 7.5/17 = 0.44117647058824.
        // (The no-ties shortcut 1 − 6Σd²/(n(n²−1)) = 1 − 6·19/210 = 0.457 would be wrong here.)
        // t = rho·√(4/(1−rho²)) = 15/√232.75 = 0.98321028801669; ν = 4, θ = atan(t/2),
        // p = 1 − sinθ(1 + ½cos²θ) = 0.38116985548545.
        double[] x = [3, 1, 4, 1, 5, 9];
        double[] y = [2, 6, 5, 3, 5, 8];

        Spearman.AverageRanks(x).ShouldBe([3, 1.5, 4, 1.5, 5, 6]);
        Spearman.AverageRanks(y).ShouldBe([1, 5, 3.5, 2, 3.5, 6]);

        var r = Spearman.Compute(x, y);
        r.Rho.ShouldBe(7.5 / 17, 1e-15);
        var t = 15 / Math.Sqrt(232.75);
        var theta = Math.Atan(t / 2);
        r.P.ShouldBe(1 - Math.Sin(theta) * (1 + 0.5 * Math.Cos(theta) * Math.Cos(theta)), 1e-14);
        r.P.ShouldBe(0.381169855485447, 1e-14);
    }

    [Fact]
    public void Many_ties_in_dose_as_for_unirradiated_organs()
    {
        // Dose 0 for four patients: ranks (1+2+3+4)/4 = 2.5 each; 1, 2 get 5, 6.
        Spearman.AverageRanks([0, 0, 2, 0, 1, 0]).ShouldBe([2.5, 2.5, 6, 2.5, 5, 2.5]);
    }

    [Fact]
    public void Perfect_monotone_relation_gives_rho_one_and_p_zero()
    {
        double[] x = [0.5, 1, 2, 4, 8, 16, 32];
        var up = Spearman.Compute(x, x.Select(v => v * v * v).ToArray());
        up.Rho.ShouldBe(1.0);
        up.P.ShouldBe(0.0);

        var down = Spearman.Compute(x, x.Select(v => -Math.Log(v)).ToArray());
        down.Rho.ShouldBe(-1.0);
        down.P.ShouldBe(0.0);
    }

    [Fact]
    public void Fewer_than_three_pairs_is_not_computed()
    {
        var r = Spearman.Compute([1, 2], [2, 1]);
        r.N.ShouldBe(2);
        double.IsNaN(r.Rho).ShouldBeTrue();
        double.IsNaN(r.P).ShouldBeTrue();
        double.IsNaN(Spearman.PValue(0.5, 2)).ShouldBeTrue();
    }

    [Fact]
    public void A_constant_variable_has_no_correlation()
    {
        var r = Spearman.Compute([1, 2, 3, 4], [7, 7, 7, 7]);
        double.IsNaN(r.Rho).ShouldBeTrue();
        double.IsNaN(r.P).ShouldBeTrue();
    }

    [Fact]
    public void Pairs_with_a_missing_value_are_left_out()
    {
        var withGaps = Spearman.Compute([1, double.NaN, 2, 3, 4, 5, 6], [2, 9, 1, double.NaN, 4, 3, 5]);
        var complete = Spearman.Compute([1, 2, 4, 5, 6], [2, 1, 4, 3, 5]);

        withGaps.N.ShouldBe(5);
        withGaps.Rho.ShouldBe(complete.Rho);
        withGaps.P.ShouldBe(complete.P);
        complete.Rho.ShouldBe(0.8, 1e-15);
    }

    [Fact]
    public void Rejects_arrays_of_different_length()
    {
        Should.Throw<ArgumentException>(() => Spearman.Compute([1, 2, 3], [1, 2]));
    }
}
