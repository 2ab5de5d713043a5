using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Student t tail and quantile against closed forms for small degrees of freedom,
/// Abramowitz &amp; Stegun, Handbook of Mathematical Functions (1964), p. 948, 26.7.3 (odd ν) and 26.7.4 (even ν):
/// with θ = atan(t/√ν), A(t|ν) = P(|T| &lt; t) is
///   ν = 1: 2θ/π;   ν = 2: sin θ;   ν = 3: (2/π)(θ + sin θ cos θ);   ν = 4: sin θ (1 + ½cos²θ).
/// </summary>
public sealed class TDistributionTests
{
    private static double ClosedFormTwoSided(double t, int nu)
    {
        var theta = Math.Atan(t / Math.Sqrt(nu));
        var a = nu switch
        {
            1 => 2 * theta / Math.PI,
            2 => Math.Sin(theta),
            3 => 2 / Math.PI * (theta + Math.Sin(theta) * Math.Cos(theta)),
            4 => Math.Sin(theta) * (1 + 0.5 * Math.Cos(theta) * Math.Cos(theta)),
            _ => throw new ArgumentOutOfRangeException(nameof(nu)),
        };
        return 1 - a;
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(1, 3.0)]
    [InlineData(2, 2.0)]
    [InlineData(2, 0.3)]
    [InlineData(3, 1.7320508075688772)]
    [InlineData(3, 2.5)]
    [InlineData(4, 0.9832102880166933)]
    [InlineData(4, 6.0)]
    public void Two_sided_p_matches_closed_form(int nu, double t)
    {
        TDistribution.TwoSidedP(t, nu).ShouldBe(ClosedFormTwoSided(t, nu), 1e-14);
        TDistribution.TwoSidedP(-t, nu).ShouldBe(ClosedFormTwoSided(t, nu), 1e-14);
    }

    [Fact]
    public void Two_sided_p_at_exact_points()
    {
        // ν = 1 (Cauchy), t = 1: θ = π/4, so P = 1 − 2(π/4)/π = 1/2.
        TDistribution.TwoSidedP(1.0, 1).ShouldBe(0.5, 1e-15);
        // ν = 3, t = √3: θ = π/4, P = 1 − (2/π)(π/4 + 1/2) = 1/2 − 1/π = 0.18169011381620933.
        TDistribution.TwoSidedP(Math.Sqrt(3), 3).ShouldBe(0.5 - 1 / Math.PI, 1e-15);
        TDistribution.TwoSidedP(0.0, 7).ShouldBe(1.0);
        TDistribution.TwoSidedP(double.PositiveInfinity, 7).ShouldBe(0.0);
        double.IsNaN(TDistribution.TwoSidedP(1.0, 0)).ShouldBeTrue();
    }

    [Fact]
    public void Far_tail_keeps_its_digits()
    {
        // P(|T| ≥ 40) on 2296 df = 6.01943202193163e-266 (30-digit evaluation of I_x(ν/2, 1/2) with mpmath);
        // 1 − CDF would have returned 0.
        var p = TDistribution.TwoSidedP(40, 2296);
        (Math.Abs(p - 6.01943202193163e-266) / 6.01943202193163e-266).ShouldBeLessThan(1e-9);
    }

    [Theory]
    // t(0.975; ν), the two-sided 5 % points. Tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2) print
    // 12.706, 4.303, 3.182, 2.776, 2.571, 2.228, 2.042, 1.984, 1.962; the digits below are from a
    // 30-digit root of I_{ν/(ν+t²)}(ν/2, 1/2) = 0.05 (mpmath).
    [InlineData(1, 12.7062047361747)]
    [InlineData(2, 4.30265272974946)]
    [InlineData(3, 3.18244630528371)]
    [InlineData(4, 2.77644510519779)]
    [InlineData(5, 2.57058183563632)]
    [InlineData(10, 2.22813885198627)]
    [InlineData(30, 2.04227245630124)]
    [InlineData(100, 1.98397151852355)]
    [InlineData(1000, 1.96233908082641)]
    public void Quantile_matches_tables(int nu, double expected)
    {
        var t = TDistribution.InverseTwoSided(0.05, nu);
        (Math.Abs(t - expected) / expected).ShouldBeLessThan(1e-13);
    }

    [Theory]
    // Kept to α ≥ 0.01: the closed forms are 1 − A with A → 1, and lose digits to cancellation
    // themselves in the far tail (which Far_tail_keeps_its_digits covers instead).
    [InlineData(3, 0.05)]
    [InlineData(3, 0.01)]
    [InlineData(4, 0.5)]
    [InlineData(4, 0.01)]
    public void Quantile_inverts_the_closed_form_tail(int nu, double alpha)
    {
        var t = TDistribution.InverseTwoSided(alpha, nu);
        ClosedFormTwoSided(t, nu).ShouldBe(alpha, alpha * 1e-12);
    }
}
