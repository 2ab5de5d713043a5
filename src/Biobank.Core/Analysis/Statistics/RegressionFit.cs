namespace Biobank.Core.Analysis.Statistics;

/// <summary>A fitted mean with its confidence interval.</summary>
public readonly record struct MeanPrediction(double Fit, double StandardError, double Low, double High);

/// <summary>The fitted line and the pointwise confidence band for the mean, at the requested doses.</summary>
public sealed record ConfidenceBand(
    IReadOnlyList<double> Dose,
    IReadOnlyList<double> Fit,
    IReadOnlyList<double> Low,
    IReadOnlyList<double> High,
    double Level);

/// <summary>
/// The result of <see cref="LinearRegression.Fit"/>. Index 0 of every coefficient list is the
/// intercept, index j the j-th predictor. Aliased predictors have NaN everywhere.
/// </summary>
public sealed class RegressionFit
{
    public const double DefaultLevel = 0.95;

    private readonly double _yMean;
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly int[] _basis;
    private readonly double[] _scaledCoefficients;
    private readonly double[] _rInverse;
    private readonly double[] _coefficients;
    private readonly double[] _standardErrors;
    private readonly double[] _t;
    private readonly double[] _p;
    private readonly double[] _low;
    private readonly double[] _high;

    internal RegressionFit(int n, int predictorCount, int rank, double yMean, double[] means, double[] scales,
        int[] basis, double[] scaledCoefficients, double[] rInverse, double residualSumOfSquares, double totalSumOfSquares)
    {
        N = n;
        PredictorCount = predictorCount;
        Rank = rank;
        DegreesOfFreedom = n - rank - 1;
        _yMean = yMean;
        _means = means;
        _scales = scales;
        _basis = basis;
        _scaledCoefficients = scaledCoefficients;
        _rInverse = rInverse;
        ResidualSumOfSquares = residualSumOfSquares;
        ResidualStandardDeviation = DegreesOfFreedom > 0 ? Math.Sqrt(residualSumOfSquares / DegreesOfFreedom) : double.NaN;
        RSquared = totalSumOfSquares > 0 ? 1.0 - residualSumOfSquares / totalSumOfSquares : double.NaN;
        TCritical = DegreesOfFreedom > 0 ? TDistribution.InverseTwoSided(1.0 - DefaultLevel, DegreesOfFreedom) : double.NaN;

        var p = predictorCount + 1;
        _coefficients = Filled(p, double.NaN);
        _standardErrors = Filled(p, double.NaN);
        _t = Filled(p, double.NaN);
        _p = Filled(p, double.NaN);
        _low = Filled(p, double.NaN);
        _high = Filled(p, double.NaN);

        var intercept = yMean;
        var u = new double[rank];
        for (var m = 0; m < rank; m++)
        {
            var j = basis[m];
            var b = scaledCoefficients[m] / scales[j];
            _coefficients[j + 1] = b;
            intercept -= b * means[j];
            u[m] = -means[j] / scales[j];

            // Var(z_m) = σ² Σ_l (R⁻¹)[m,l]², l ≥ m.
            double v = 0;
            for (var l = m; l < rank; l++)
            {
                v += rInverse[m * rank + l] * rInverse[m * rank + l];
            }

            _standardErrors[j + 1] = ResidualStandardDeviation * Math.Sqrt(v) / scales[j];
        }

        _coefficients[0] = intercept;
        _standardErrors[0] = ResidualStandardDeviation * Math.Sqrt(1.0 / n + QuadraticForm(u));

        for (var j = 0; j < p; j++)
        {
            if (double.IsNaN(_coefficients[j]))
            {
                continue;
            }

            _t[j] = _coefficients[j] / _standardErrors[j];
            _p[j] = TDistribution.TwoSidedP(_t[j], DegreesOfFreedom);
            _low[j] = _coefficients[j] - TCritical * _standardErrors[j];
            _high[j] = _coefficients[j] + TCritical * _standardErrors[j];
        }
    }

    internal static RegressionFit Empty(int predictorCount) =>
        new(0, predictorCount, 0, double.NaN, Filled(predictorCount, double.NaN), new double[predictorCount], [], [], [], double.NaN, double.NaN);

    /// <summary>Observations used (complete rows).</summary>
    public int N { get; }

    /// <summary>Predictors requested, not counting the intercept.</summary>
    public int PredictorCount { get; }

    /// <summary>Predictors actually estimated (not aliased), not counting the intercept.</summary>
    public int Rank { get; }

    /// <summary>Residual degrees of freedom, n − rank − 1.</summary>
    public int DegreesOfFreedom { get; }

    public IReadOnlyList<double> Coefficients => _coefficients;

    public IReadOnlyList<double> StandardErrors => _standardErrors;

    public IReadOnlyList<double> TValues => _t;

    /// <summary>Two-sided p-values of the t statistics on <see cref="DegreesOfFreedom"/>.</summary>
    public IReadOnlyList<double> PValues => _p;

    /// <summary>Lower ends of the 95 % confidence intervals.</summary>
    public IReadOnlyList<double> ConfidenceLow => _low;

    /// <summary>Upper ends of the 95 % confidence intervals.</summary>
    public IReadOnlyList<double> ConfidenceHigh => _high;

    public double ResidualSumOfSquares { get; }

    /// <summary>√(RSS / (n − rank − 1)).</summary>
    public double ResidualStandardDeviation { get; }

    /// <summary>1 − RSS/TSS with TSS about the mean of y.</summary>
    public double RSquared { get; }

    /// <summary>The t quantile used for the 95 % intervals, t(0.975; n − rank − 1).</summary>
    public double TCritical { get; }

    /// <summary>True when the predictor (1-based, as in <see cref="Coefficients"/>) was dropped as aliased.</summary>
    public bool IsAliased(int coefficientIndex) => coefficientIndex > 0 && double.IsNaN(_coefficients[coefficientIndex]);

    /// <summary>
    /// The fitted mean at the given predictor values (one per predictor, in fit order) and its
    /// confidence interval, ŷ ± t·se(ŷ). Aliased predictors are ignored.
    /// </summary>
    public MeanPrediction PredictMean(ReadOnlySpan<double> predictorValues, double level = DefaultLevel)
    {
        if (predictorValues.Length != PredictorCount)
        {
            throw new ArgumentException($"Expected {PredictorCount} predictor values, got {predictorValues.Length}.",
                nameof(predictorValues));
        }

        var v = new double[Rank];
        var fit = _yMean;
        for (var m = 0; m < Rank; m++)
        {
            var j = _basis[m];
            v[m] = (predictorValues[j] - _means[j]) / _scales[j];
            fit += _scaledCoefficients[m] * v[m];
        }

        // Centred columns are orthogonal to the intercept, so Var(ŷ) = σ²(1/n + ‖R⁻ᵀv‖²).
        var se = ResidualStandardDeviation * Math.Sqrt(1.0 / N + QuadraticForm(v));
        var t = level == DefaultLevel ? TCritical : TDistribution.InverseTwoSided(1.0 - level, DegreesOfFreedom);
        return new MeanPrediction(fit, se, fit - t * se, fit + t * se);
    }

    /// <summary>
    /// The fitted line over dose (the first predictor) with its pointwise confidence band for the
    /// mean; any other predictors are held at their means in the data, so with covariates this is
    /// the covariate-adjusted line.
    /// </summary>
    public ConfidenceBand ConfidenceBand(ReadOnlySpan<double> doses, double level = DefaultLevel)
    {
        if (PredictorCount == 0)
        {
            throw new InvalidOperationException("The model has no dose predictor.");
        }

        var at = (double[])_means.Clone();
        var dose = doses.ToArray();
        var fit = new double[dose.Length];
        var low = new double[dose.Length];
        var high = new double[dose.Length];
        for (var i = 0; i < dose.Length; i++)
        {
            at[0] = dose[i];
            var prediction = PredictMean(at, level);
            fit[i] = prediction.Fit;
            low[i] = prediction.Low;
            high[i] = prediction.High;
        }

        return new ConfidenceBand(dose, fit, low, high, level);
    }

    /// <summary>A 100·level % confidence interval for one coefficient.</summary>
    public (double Low, double High) CoefficientInterval(int coefficientIndex, double level)
    {
        var t = TDistribution.InverseTwoSided(1.0 - level, DegreesOfFreedom);
        var b = _coefficients[coefficientIndex];
        var se = _standardErrors[coefficientIndex];
        return (b - t * se, b + t * se);
    }

    /// <summary>‖R⁻ᵀv‖², a sum of squares, so no cancellation however collinear the design.</summary>
    private double QuadraticForm(ReadOnlySpan<double> v)
    {
        double sum = 0;
        for (var l = 0; l < Rank; l++)
        {
            double w = 0;
            for (var m = 0; m <= l; m++)
            {
                w += _rInverse[m * Rank + l] * v[m];
            }

            sum += w * w;
        }

        return sum;
    }

    private static double[] Filled(int length, double value)
    {
        var a = new double[length];
        Array.Fill(a, value);
        return a;
    }
}
