using System.Runtime.CompilerServices;

namespace Biobank.Core.Analysis.Statistics;

/// <summary>One biomarker's row of an association scan. Everything but N is NaN when N &lt; the minimum.</summary>
/// <param name="Biomarker">Index of the biomarker in the input.</param>
/// <param name="N">Patients with a response, a dose and every covariate.</param>
/// <param name="SpearmanRho">Unadjusted rank correlation of response and dose.</param>
/// <param name="SpearmanP">Two-sided p of rho (t approximation).</param>
/// <param name="SpearmanQ">Benjamini–Hochberg q of <paramref name="SpearmanP"/> across the scan.</param>
/// <param name="Slope">Dose coefficient of the covariate-adjusted least-squares fit.</param>
/// <param name="SlopeStandardError">Standard error of the slope.</param>
/// <param name="SlopeCiLow">Lower end of the 95 % confidence interval of the slope.</param>
/// <param name="SlopeCiHigh">Upper end of the 95 % confidence interval of the slope.</param>
/// <param name="SlopeP">Two-sided t-test p of the slope.</param>
/// <param name="QValue">Benjamini–Hochberg q of <paramref name="SlopeP"/> across the scan; the ranking key.</param>
public readonly record struct AssociationResult(
    int Biomarker,
    int N,
    double SpearmanRho,
    double SpearmanP,
    double SpearmanQ,
    double Slope,
    double SlopeStandardError,
    double SlopeCiLow,
    double SlopeCiHigh,
    double SlopeP,
    double QValue);

/// <summary>
/// Fits every biomarker against dose: Spearman's rho (unadjusted) and the least-squares slope of
/// response on intercept + covariates + dose, then Benjamini–Hochberg q-values across biomarkers.
/// </summary>
/// <remarks>
/// Each biomarker uses the patients that have its response, a dose and all covariates, so n varies.
/// Biomarkers run in parallel; each worker owns one set of buffers, so the loop over 2,600 biomarkers
/// allocates nothing per biomarker. The least-squares fit puts the dose last among the columns, which
/// makes its standard error σ/|R[last,last]| with no need for the rest of R⁻¹, and lets a covariate
/// that happens to be constant in a biomarker's subset drop out (aliased) without losing the slope.
/// </remarks>
public static class AssociationScan
{
    private const double Alpha = 0.05;

    public static AssociationResult[] Run(AssociationScanData data, int minimumN, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var k = data.CovariateCount;

        // Intercept, covariates and dose, plus one residual degree of freedom.
        var smallest = k + 3;
        if (minimumN < smallest)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumN), minimumN,
                $"With {k} covariates a fit needs at least {smallest} patients.");
        }

        var patients = data.PatientCount;
        var dose = data.Dose.ToArray();
        var covariates = new double[k * patients];
        for (var c = 0; c < k; c++)
        {
            data.CovariateOf(c).CopyTo(covariates.AsSpan(c * patients, patients));
        }

        var usable = new bool[patients];
        for (var p = 0; p < patients; p++)
        {
            var ok = double.IsFinite(dose[p]);
            for (var c = 0; c < k && ok; c++)
            {
                ok = double.IsFinite(covariates[c * patients + p]);
            }

            usable[p] = ok;
        }

        // Patients in dose order once; each biomarker's dose ranks are then a walk down this list.
        var doseOrder = Enumerable.Range(0, patients).Where(p => usable[p]).ToArray();
        var doseKeys = doseOrder.Select(p => dose[p]).ToArray();
        doseKeys.AsSpan().Sort(doseOrder.AsSpan());

        var tCritical = new TCriticalTable(patients);
        var results = new AssociationResult[data.BiomarkerCount];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, data.BiomarkerCount, options,
            () => new Workspace(patients, k),
            (b, _, workspace) =>
            {
                results[b] = workspace.Fit(b, data.ResponsesOf(b), dose, covariates, usable, doseOrder, minimumN, tCritical);
                return workspace;
            },
            _ => { });

        var slopeP = new double[results.Length];
        var spearmanP = new double[results.Length];
        for (var b = 0; b < results.Length; b++)
        {
            slopeP[b] = results[b].SlopeP;
            spearmanP[b] = results[b].SpearmanP;
        }

        var slopeQ = BenjaminiHochberg.QValues(slopeP);
        var spearmanQ = BenjaminiHochberg.QValues(spearmanP);
        for (var b = 0; b < results.Length; b++)
        {
            results[b] = results[b] with { QValue = slopeQ[b], SpearmanQ = spearmanQ[b] };
        }

        return results;
    }

    private sealed class Workspace(int patients, int covariateCount)
    {
        private readonly int _k = covariateCount;
        private readonly int[] _rows = new int[patients];
        private readonly int[] _slot = new int[patients];
        private readonly double[] _design = new double[Math.Max(1, (covariateCount + 1) * patients)];
        private readonly double[] _y = new double[patients];
        private readonly double[] _keys = new double[patients];
        private readonly int[] _order = new int[patients];
        private readonly double[] _rankDose = new double[patients];
        private readonly double[] _rankY = new double[patients];
        private readonly RadixRanker _ranker = new(patients);
        private readonly double[] _norms = new double[covariateCount + 1];
        private readonly double[] _rDiagonal = new double[covariateCount + 1];
        private readonly int[] _basis = new int[covariateCount + 1];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public AssociationResult Fit(int biomarker, ReadOnlySpan<double> response, double[] dose, double[] covariates,
            bool[] usable, int[] doseOrder, int minimumN, TCriticalTable tCritical)
        {
            var stride = _y.Length;
            var n = 0;
            var flat = true;
            for (var p = 0; p < response.Length; p++)
            {
                var v = response[p];
                if (usable[p] && double.IsFinite(v))
                {
                    _slot[p] = n;
                    _rows[n] = p;
                    _y[n] = v;
                    flat &= v == _y[0];
                    n++;
                }
                else
                {
                    _slot[p] = -1;
                }
            }

            if (n < minimumN)
            {
                return new AssociationResult(biomarker, n, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
                    double.NaN, double.NaN, double.NaN, double.NaN);
            }

            // Spearman first: the QR below overwrites y and the design.
            var m = 0;
            foreach (var p in doseOrder)
            {
                var s = _slot[p];
                if (s >= 0)
                {
                    _keys[m] = dose[p];
                    _order[m] = s;
                    m++;
                }
            }

            Ranking.AssignAverageRanks(_keys.AsSpan(0, n), _order.AsSpan(0, n), _rankDose);
            _ranker.Rank(_y.AsSpan(0, n), _rankY);
            var spearman = Spearman.FromRanks(_rankDose.AsSpan(0, n), _rankY.AsSpan(0, n));

            // Design columns: covariates 0..k-1, dose last.
            for (var c = 0; c < _k; c++)
            {
                var column = _design.AsSpan(c * stride, n);
                var source = covariates.AsSpan(c * stride, stride);
                for (var i = 0; i < n; i++)
                {
                    column[i] = source[_rows[i]];
                }
            }

            var doseColumn = _design.AsSpan(_k * stride, n);
            for (var i = 0; i < n; i++)
            {
                doseColumn[i] = dose[_rows[i]];
            }

            // Columns are centred but not scaled: Householder QR does not care about column scale, and
            // the alias test compares each remaining norm with the column's own norm.
            var columns = _k + 1;
            for (var c = 0; c < columns; c++)
            {
                HouseholderQr.CentreFast(_design.AsSpan(c * stride, n), out _norms[c]);
            }

            var y = _y.AsSpan(0, n);
            HouseholderQr.CentreFast(y, out _);
            var rank = HouseholderQr.Factor(_design, stride, n, columns, _norms, y, _basis, _rDiagonal);

            double slope = double.NaN, se = double.NaN, low = double.NaN, high = double.NaN, slopeP = double.NaN;
            var df = n - rank - 1;
            // A response that is the same for every patient has nothing to explain: no slope test (0/0),
            // as it has no rank correlation, rather than a slope of 0 with an undefined p.
            if (!flat && rank > 0 && _basis[rank - 1] == _k && df > 0)
            {
                // Dose is the last column of R, so its coefficient is (Qᵀy)[last]/R[last,last] and its
                // variance σ²/R[last,last]², with no back-substitution through the covariates.
                var tail = y[rank..];
                var sigma = Math.Sqrt(HouseholderQr.Dot(tail, tail) / df);
                var last = _rDiagonal[rank - 1];
                slope = y[rank - 1] / last;
                se = sigma / Math.Abs(last);
                slopeP = TDistribution.TwoSidedP(slope / se, df);
                var t = tCritical.For(df);
                low = slope - t * se;
                high = slope + t * se;
            }

            return new AssociationResult(biomarker, n, spearman.Rho, spearman.P, double.NaN, slope, se, low, high,
                slopeP, double.NaN);
        }
    }

    /// <summary>t(0.975; df) by df, computed on first use; a race only computes the same value twice.</summary>
    private sealed class TCriticalTable(int maxDf)
    {
        private readonly double[] _values = Enumerable.Repeat(double.NaN, maxDf + 1).ToArray();

        public double For(int df)
        {
            var t = Volatile.Read(ref _values[df]);
            if (double.IsNaN(t))
            {
                t = TDistribution.InverseTwoSided(Alpha, df);
                Volatile.Write(ref _values[df], t);
            }

            return t;
        }
    }
}
