using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Benjamini &amp; Hochberg (1995), JRSS B 57:289–300: with the m p-values sorted,
/// q_(i) = min_{k ≥ i} min(1, m·p_(k)/k) — the same as R's p.adjust(p, "BH").
/// </summary>
public sealed class BenjaminiHochbergTests
{
    [Fact]
    public void Small_case_matches_hand_calculation()
    {
        // p = 0.01 0.04 0.03 0.005, m = 4. Sorted, with rank k and m·p/k:
        //   k=1  p=0.005  4·0.005/1 = 0.02
        //   k=2  p=0.01   4·0.01/2  = 0.02
        //   k=3  p=0.03   4·0.03/3  = 0.04
        //   k=4  p=0.04   4·0.04/4  = 0.04
        // Running minimum from k = 4 down: 0.04, 0.04, 0.02, 0.02.
        // Back in input order: q = 0.02 0.04 0.04 0.02.
        var q = BenjaminiHochberg.QValues([0.01, 0.04, 0.03, 0.005]);

        q.Length.ShouldBe(4);
        q[0].ShouldBe(0.02, 1e-15);
        q[1].ShouldBe(0.04, 1e-15);
        q[2].ShouldBe(0.04, 1e-15);
        q[3].ShouldBe(0.02, 1e-15);
    }

    [Fact]
    public void Step_up_makes_q_monotone_in_p()
    {
        // m = 3: m·p/k = 3·0.020/1 = 0.060, 3·0.021/2 = 0.0315, 3·0.022/3 = 0.022.
        // The raw values fall as p rises; the running minimum from the top gives 0.022 to all three.
        var q = BenjaminiHochberg.QValues([0.020, 0.021, 0.022]);
        q.ShouldAllBe(v => Math.Abs(v - 0.022) < 1e-15);
    }

    [Fact]
    public void Tied_p_values_share_one_q()
    {
        // p = 0.01 0.01 0.04, m = 3: m·p/k = 0.03, 0.015, 0.04 → running minimum 0.04, 0.015, 0.015.
        var q = BenjaminiHochberg.QValues([0.01, 0.04, 0.01]);
        q[0].ShouldBe(0.015, 1e-15);
        q[2].ShouldBe(0.015, 1e-15);
        q[1].ShouldBe(0.04, 1e-15);
    }

    [Fact]
    public void Q_never_exceeds_one()
    {
        // m·p/k = 2·0.8/1 = 1.6 is cut to the running minimum 0.9 (and could never pass 1:
        // the largest q is the largest p).
        BenjaminiHochberg.QValues([0.8, 0.9]).ShouldBe([0.9, 0.9]);
        BenjaminiHochberg.QValues([1.0, 1.0, 1.0]).ShouldBe([1.0, 1.0, 1.0]);
    }

    [Fact]
    public void NaN_passes_through_and_is_not_counted_in_m()
    {
        // The hand case above with two untested biomarkers among it: m stays 4.
        var q = BenjaminiHochberg.QValues([0.01, double.NaN, 0.04, 0.03, double.NaN, 0.005]);

        double.IsNaN(q[1]).ShouldBeTrue();
        double.IsNaN(q[4]).ShouldBeTrue();
        q[0].ShouldBe(0.02, 1e-15);
        q[2].ShouldBe(0.04, 1e-15);
        q[3].ShouldBe(0.04, 1e-15);
        q[5].ShouldBe(0.02, 1e-15);
    }

    [Fact]
    public void Empty_and_all_missing_inputs()
    {
        BenjaminiHochberg.QValues([]).ShouldBeEmpty();
        BenjaminiHochberg.QValues([double.NaN]).ShouldAllBe(v => double.IsNaN(v));
    }

    [Fact]
    public void Rejects_a_p_value_outside_zero_to_one()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => BenjaminiHochberg.QValues([0.2, 1.5]));
        Should.Throw<ArgumentOutOfRangeException>(() => BenjaminiHochberg.QValues([-0.1]));
    }
}
