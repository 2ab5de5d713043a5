namespace Biobank.Core.Analysis.Statistics;

/// <summary>
/// Benjamini–Hochberg false-discovery-rate q-values (the "BH" adjustment of R's p.adjust):
/// q_(i) = min over k ≥ i of min(1, m·p_(k)/k), with p_(1) ≤ … ≤ p_(m).
/// </summary>
/// <remarks>
/// Benjamini, Y. and Hochberg, Y. (1995), "Controlling the false discovery rate", JRSS B 57:289–300.
/// A NaN p-value (a biomarker that could not be fitted) stays NaN and is not counted in m: it was
/// never a hypothesis that was tested.
/// </remarks>
public static class BenjaminiHochberg
{
    /// <summary>q-values in the order of <paramref name="pValues"/>.</summary>
    public static double[] QValues(ReadOnlySpan<double> pValues)
    {
        var q = new double[pValues.Length];
        QValues(pValues, q);
        return q;
    }

    /// <summary>Writes q-values for <paramref name="pValues"/> into <paramref name="qValues"/> (same length).</summary>
    public static void QValues(ReadOnlySpan<double> pValues, Span<double> qValues)
    {
        if (qValues.Length != pValues.Length)
        {
            throw new ArgumentException($"Expected {pValues.Length} slots for q-values, got {qValues.Length}.", nameof(qValues));
        }

        var keys = new double[pValues.Length];
        var slots = new int[pValues.Length];
        var m = 0;
        for (var i = 0; i < pValues.Length; i++)
        {
            var p = pValues[i];
            if (double.IsNaN(p))
            {
                qValues[i] = double.NaN;
                continue;
            }

            if (p < 0.0 || p > 1.0)
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), p, $"p-value at index {i} is outside [0, 1].");
            }

            keys[m] = p;
            slots[m] = i;
            m++;
        }

        var sortedP = keys.AsSpan(0, m);
        var sortedSlots = slots.AsSpan(0, m);
        sortedP.Sort(sortedSlots);

        // Step up from the largest p: the running minimum makes q monotone in p and gives tied
        // p-values the same q (the one belonging to the highest rank among them).
        var running = 1.0;
        for (var k = m; k >= 1; k--)
        {
            var candidate = sortedP[k - 1] * m / k;
            if (candidate < running)
            {
                running = candidate;
            }

            qValues[sortedSlots[k - 1]] = running;
        }
    }
}
