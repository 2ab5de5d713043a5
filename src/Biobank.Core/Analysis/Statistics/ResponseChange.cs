namespace Biobank.Core.Analysis.Statistics;

/// <summary>The change of a biomarker between two timepoints, as the scan and its data set use it.</summary>
public static class ResponseChange
{
    /// <summary>
    /// b − a without the binary rounding noise of the subtraction: 25.2 − 25.0 and 25.1 − 24.9 are
    /// one change to a biologist, but differ in the last bit of a double. Left as they are, they
    /// are distinct values to the ranks (and print as 0.19999999999999929), while a reader of the
    /// data set sees a tie. The difference is rounded to 12 significant digits of the larger
    /// operand, far below any instrument's precision and far above the subtraction's noise.
    /// </summary>
    public static double Between(double a, double b)
    {
        var d = b - a;
        var scale = Math.Max(Math.Abs(a), Math.Abs(b));
        if (!double.IsFinite(d) || d == 0)
        {
            return d;
        }
        // Decimals that keep 12 significant digits of the larger operand; comparisons, not a logarithm,
        // for the ranges measurements live in (NPX, Ct, log2 values), since this runs per response.
        var decimals = scale switch
        {
            >= 0.1 and < 1 => 12,
            >= 1 and < 10 => 11,
            >= 10 and < 100 => 10,
            >= 100 and < 1000 => 9,
            _ => 11 - (int)Math.Floor(Math.Log10(scale)),
        };
        return decimals is >= 0 and <= 15 ? Math.Round(d, decimals) : d;
    }
}
