using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Biobank.Core.Analysis.Statistics;

/// <summary>
/// Least squares by Householder QR on centred, unit-norm columns, working in caller-owned buffers
/// so the scan can run thousands of fits without allocating.
/// </summary>
/// <remarks>
/// Column j of the n×k design lives at <c>a[j*stride .. j*stride+n)</c>. Centring removes the
/// intercept column (centred columns are orthogonal to it), which is what makes Longley and Pontius
/// pass: the normal equations square the condition number, QR does not (Golub &amp; Van Loan,
/// Matrix Computations, 4th ed., §5.3). Columns are taken in the order given; one that is (nearly)
/// a combination of the earlier ones is skipped as aliased, as R's lm does, with R's default
/// tolerance 1e-7 on the remaining norm of a unit-norm column.
/// </remarks>
internal static class HouseholderQr
{
    public const double AliasTolerance = 1e-7;

    /// <summary>Centres each column and scales it to unit Euclidean norm; a constant column gets scale 0.</summary>
    public static void CentreAndScale(Span<double> a, int stride, int n, int k, Span<double> means, Span<double> scales)
    {
        for (var j = 0; j < k; j++)
        {
            var column = a.Slice(j * stride, n);
            var rawNorm = Math.Sqrt(Dot(column, column));
            var mean = Centre(column);
            var norm = CentredNorm(column, rawNorm);
            means[j] = mean;
            scales[j] = norm;
            if (norm > 0)
            {
                Scale(column, 1.0 / norm);
            }
        }
    }

    /// <summary>
    /// The norm of a centred column, or 0 when almost nothing is left of it after removing its mean.
    /// </summary>
    /// <remarks>
    /// Centring is the first Householder step against the intercept column, so the alias test applies
    /// to it too: a constant 0.1 leaves rounding noise of order 1e-17 behind, which must count as
    /// constant, not be scaled up into a column of noise.
    /// </remarks>
    private static double CentredNorm(ReadOnlySpan<double> centred, double rawNorm)
    {
        var norm = Math.Sqrt(Dot(centred, centred));
        return norm > AliasTolerance * rawNorm ? norm : 0.0;
    }

    /// <summary>Subtracts the mean (two-pass, with the usual correction term) and returns it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Centre(Span<double> v)
    {
        var n = v.Length;
        var mean = Sum(v) / n;
        AddScalar(v, -mean);
        var correction = Sum(v) / n;
        AddScalar(v, -correction);
        return mean + correction;
    }

    /// <summary>
    /// Subtracts the mean in one pass after the sum and returns the mean and the centred norm (0 for
    /// a constant column); the scan's variables (doses in Gy, ages, 0/1 codes) are far from needing
    /// the correction pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CentreFast(Span<double> v, out double norm)
    {
        var rawNorm = Math.Sqrt(Dot(v, v));
        var mean = Sum(v) / v.Length;
        AddScalar(v, -mean);
        norm = CentredNorm(v, rawNorm);
        return mean;
    }

    /// <summary>
    /// Factors the centred design in place and applies Qᵀ to <paramref name="y"/>.
    /// <paramref name="columnNorms"/> are the centred columns' norms before factoring (1 once scaled,
    /// 0 for a constant column). Returns the rank; <paramref name="basis"/>[0..rank) are the columns
    /// kept, in order, and <paramref name="rDiagonal"/>[m] is R[m,m]. R[i,m] for i &lt; m is at
    /// <c>a[basis[m]*stride + i]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int stride, int n, int k, ReadOnlySpan<double> columnNorms, Span<double> y,
        Span<int> basis, Span<double> rDiagonal)
    {
        var rank = 0;
        for (var j = 0; j < k && rank < n; j++)
        {
            if (!(columnNorms[j] > 0))
            {
                continue;
            }

            var x = a.Slice(j * stride + rank, n - rank);
            var norm = Math.Sqrt(Dot(x, x));
            if (norm <= AliasTolerance * columnNorms[j])
            {
                continue;
            }

            // Reflect x onto −sign(x0)·‖x‖·e1; choosing the sign away from x0 avoids cancellation.
            var alpha = x[0] >= 0 ? -norm : norm;
            x[0] -= alpha;
            var vtv = -alpha * x[0]; // = ‖x‖² − x0·alpha = vᵀv / 2
            for (var c = j + 1; c < k; c++)
            {
                if (!(columnNorms[c] > 0))
                {
                    continue;
                }

                var target = a.Slice(c * stride + rank, n - rank);
                Axpy(-Dot(x, target) / vtv, x, target);
            }

            var yTail = y.Slice(rank, n - rank);
            Axpy(-Dot(x, yTail) / vtv, x, yTail);

            basis[rank] = j;
            rDiagonal[rank] = alpha;
            rank++;
        }

        return rank;
    }

    /// <summary>Back-substitutes R z = (Qᵀy)[0..rank) for the scaled coefficients of the basis columns.</summary>
    public static void Solve(ReadOnlySpan<double> a, int stride, int rank, ReadOnlySpan<int> basis,
        ReadOnlySpan<double> rDiagonal, ReadOnlySpan<double> qty, Span<double> z)
    {
        for (var m = rank - 1; m >= 0; m--)
        {
            var s = qty[m];
            for (var l = m + 1; l < rank; l++)
            {
                s -= a[basis[l] * stride + m] * z[l];
            }

            z[m] = s / rDiagonal[m];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        var i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..n]);
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            var v = 0;
            for (; v + 1 < vx.Length; v += 2)
            {
                acc0 += vx[v] * vy[v];
                acc1 += vx[v + 1] * vy[v + 1];
            }

            if (v < vx.Length)
            {
                acc0 += vx[v] * vy[v];
            }

            sum = Vector.Sum(acc0 + acc1);
            i = vx.Length * Vector<double>.Count;
        }

        for (; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>y += alpha·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var n = x.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..n]);
            var va = new Vector<double>(alpha);
            for (var v = 0; v < vx.Length; v++)
            {
                vy[v] += va * vx[v];
            }

            i = vx.Length * Vector<double>.Count;
        }

        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(Span<double> x, double factor)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vf = new Vector<double>(factor);
            for (var v = 0; v < vx.Length; v++)
            {
                vx[v] *= vf;
            }

            i = vx.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] *= factor;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(ReadOnlySpan<double> x)
    {
        var i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var acc = Vector<double>.Zero;
            for (var v = 0; v < vx.Length; v++)
            {
                acc += vx[v];
            }

            sum = Vector.Sum(acc);
            i = vx.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScalar(Span<double> x, double value)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vv = new Vector<double>(value);
            for (var v = 0; v < vx.Length; v++)
            {
                vx[v] += vv;
            }

            i = vx.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] += value;
        }
    }
}
