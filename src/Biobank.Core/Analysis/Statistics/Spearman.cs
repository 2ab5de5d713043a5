using System.Runtime.CompilerServices;

namespace Biobank.Core.Analysis.Statistics;

/// <summary>Spearman's rank correlation with its two-sided p-value.</summary>
/// <param name="N">Complete pairs used.</param>
/// <param name="Rho">Pearson correlation of the average ranks; NaN when n &lt; 3 or a variable is constant.</param>
/// <param name="P">Two-sided p from the t approximation with n − 2 degrees of freedom; 0 when |rho| = 1.</param>
public readonly record struct SpearmanResult(int N, double Rho, double P);

/// <summary>
/// Spearman's rho as the Pearson correlation of average ranks (so ties are handled correctly,
/// unlike the 1 − 6Σd²/(n(n²−1)) shortcut), with the p-value from
/// t = rho·√((n−2)/(1−rho²)) on n − 2 degrees of freedom.
/// </summary>
public static class Spearman
{
    /// <summary>
    /// Rank correlation of the pairs (x[i], y[i]); pairs where either value is NaN or infinite are
    /// left out, as a missing measurement is left out of the scan.
    /// </summary>
    public static SpearmanResult Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has {x.Length} values but y has {y.Length}.", nameof(y));
        }

        var cx = new double[x.Length];
        var cy = new double[x.Length];
        var n = 0;
        for (var i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                cx[n] = x[i];
                cy[n] = y[i];
                n++;
            }
        }

        if (n < 3)
        {
            return new SpearmanResult(n, double.NaN, double.NaN);
        }

        var rx = new double[n];
        var ry = new double[n];
        var keys = new double[n];
        var slots = new int[n];
        Ranking.AverageRanks(cx.AsSpan(0, n), rx, keys, slots);
        Ranking.AverageRanks(cy.AsSpan(0, n), ry, keys, slots);
        return FromRanks(rx, ry);
    }

    /// <summary>Average ranks (1-based; ties get the mean of the ranks they occupy).</summary>
    public static double[] AverageRanks(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                throw new ArgumentException("NaN cannot be ranked; drop missing values first.", nameof(values));
            }
        }

        var ranks = new double[values.Length];
        Ranking.AverageRanks(values, ranks, new double[values.Length], new int[values.Length]);
        return ranks;
    }

    /// <summary>Rho and p from two rank vectors of equal length (each a permutation of average ranks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SpearmanResult FromRanks(ReadOnlySpan<double> rx, ReadOnlySpan<double> ry)
    {
        var n = rx.Length;
        if (n < 3)
        {
            return new SpearmanResult(n, double.NaN, double.NaN);
        }

        // Average ranks always sum to n(n+1)/2, so the mean is known exactly. Deviations are
        // multiples of 1/2, so these sums are exact in double for any realistic n.
        var mean = 0.5 * (n + 1);
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = rx[i] - mean;
            var dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        if (sxx == 0 || syy == 0)
        {
            return new SpearmanResult(n, double.NaN, double.NaN);
        }

        double rho;
        if (sxx == syy && Math.Abs(sxy) == sxx)
        {
            // Identical (or exactly reversed) rankings: say ±1 exactly rather than 0.9999999999999998.
            rho = Math.Sign(sxy);
        }
        else
        {
            rho = Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1.0, 1.0);
        }

        return new SpearmanResult(n, rho, PValue(rho, n));
    }

    /// <summary>Two-sided p for rho on n pairs by the t approximation; 0 for |rho| = 1, NaN for n &lt; 3.</summary>
    public static double PValue(double rho, int n)
    {
        if (n < 3 || double.IsNaN(rho))
        {
            return double.NaN;
        }

        if (Math.Abs(rho) >= 1.0)
        {
            return 0.0;
        }

        var df = n - 2;
        var t = rho * Math.Sqrt(df / ((1.0 - rho) * (1.0 + rho)));
        return TDistribution.TwoSidedP(t, df);
    }
}
