namespace Biobank.Core.Analysis.Statistics;

/// <summary>
/// Ordinary least squares of y on an intercept plus predictors, by Householder QR on centred,
/// scaled columns (see <see cref="HouseholderQr"/>). By the convention of the association
/// analysis the first predictor is the dose and the others are covariates (age, sex as 0/1,
/// modality as dummy columns).
/// </summary>
public static class LinearRegression
{
    /// <summary>
    /// Fits y = b0 + b1·x1 + … + bk·xk. Rows where y or any predictor is NaN or infinite are left
    /// out (<see cref="RegressionFit.N"/> says how many were used). A predictor that is constant or a
    /// linear combination of earlier ones is aliased: its coefficient is NaN and it uses no degree of
    /// freedom.
    /// </summary>
    /// <param name="y">The response.</param>
    /// <param name="predictors">One array per predictor, each as long as <paramref name="y"/>.</param>
    public static RegressionFit Fit(ReadOnlySpan<double> y, params ReadOnlySpan<double[]> predictors)
    {
        var k = predictors.Length;
        for (var j = 0; j < k; j++)
        {
            ArgumentNullException.ThrowIfNull(predictors[j]);
            if (predictors[j].Length != y.Length)
            {
                throw new ArgumentException(
                    $"Predictor {j + 1} has {predictors[j].Length} values but y has {y.Length}.", nameof(predictors));
            }
        }

        var rows = y.Length;
        var design = new double[Math.Max(1, k * rows)];
        var response = new double[rows];
        var n = 0;
        for (var i = 0; i < rows; i++)
        {
            if (!double.IsFinite(y[i]))
            {
                continue;
            }

            var complete = true;
            for (var j = 0; j < k && complete; j++)
            {
                complete = double.IsFinite(predictors[j][i]);
            }

            if (!complete)
            {
                continue;
            }

            response[n] = y[i];
            for (var j = 0; j < k; j++)
            {
                design[j * rows + n] = predictors[j][i];
            }

            n++;
        }

        return FitCompact(design, rows, n, k, response);
    }

    private static RegressionFit FitCompact(double[] design, int stride, int n, int k, double[] response)
    {
        var means = new double[k];
        var scales = new double[k];
        if (n == 0)
        {
            return RegressionFit.Empty(k);
        }

        HouseholderQr.CentreAndScale(design, stride, n, k, means, scales);
        var y = response.AsSpan(0, n);
        var yMean = HouseholderQr.Centre(y);
        var totalSumOfSquares = HouseholderQr.Dot(y, y);

        var basis = new int[k];
        var rDiagonal = new double[k];
        var unitNorms = scales.Select(s => s > 0 ? 1.0 : 0.0).ToArray();
        var rank = HouseholderQr.Factor(design, stride, n, k, unitNorms, y, basis, rDiagonal);

        var z = new double[rank];
        HouseholderQr.Solve(design, stride, rank, basis, rDiagonal, y, z);
        var tail = y[rank..];
        var residualSumOfSquares = HouseholderQr.Dot(tail, tail);

        // R⁻¹ (upper triangular, rank × rank) gives every variance: Var(z) = σ² R⁻¹R⁻ᵀ.
        var rInverse = new double[rank * rank];
        for (var col = 0; col < rank; col++)
        {
            rInverse[col * rank + col] = 1.0 / rDiagonal[col];
            for (var row = col - 1; row >= 0; row--)
            {
                double s = 0;
                for (var l = row + 1; l <= col; l++)
                {
                    s += design[basis[l] * stride + row] * rInverse[l * rank + col];
                }

                rInverse[row * rank + col] = -s / rDiagonal[row];
            }
        }

        return new RegressionFit(n, k, rank, yMean, means, scales, basis[..rank], z, rInverse,
            residualSumOfSquares, totalSumOfSquares);
    }
}
