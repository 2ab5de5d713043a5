using ZXing.Common;

namespace Biobank.Labels.Barcodes;

internal static class BitMatrixRuns
{
    /// <summary>
    /// Horizontal runs of dark cells in row <paramref name="y"/>, as (start, length):
    /// vector renderers draw one rectangle per run instead of one per module.
    /// </summary>
    public static IEnumerable<(int Start, int Length)> DarkRuns(this BitMatrix matrix, int y)
    {
        var x = 0;
        while (x < matrix.Width)
        {
            if (!matrix[x, y])
            {
                x++;
                continue;
            }

            var start = x;
            while (x < matrix.Width && matrix[x, y])
            {
                x++;
            }

            yield return (start, x - start);
        }
    }
}
