namespace Biobank.Core.Analysis.Statistics;

/// <summary>Average ("fractional") ranks, 1-based, ties sharing the mean of the ranks they span.</summary>
internal static class Ranking
{
    /// <summary>
    /// Given keys already sorted ascending and, for each key, the slot it came from, writes each
    /// slot's average rank into <paramref name="ranks"/>.
    /// </summary>
    public static void AssignAverageRanks(ReadOnlySpan<double> sortedKeys, ReadOnlySpan<int> slots, Span<double> ranks)
    {
        var n = sortedKeys.Length;
        var i = 0;
        while (i < n)
        {
            var j = i + 1;
            while (j < n && sortedKeys[j] == sortedKeys[i])
            {
                j++;
            }

            // Positions i..j-1 hold ranks i+1..j; their mean is (i+1+j)/2.
            var rank = 0.5 * (i + 1 + j);
            for (var k = i; k < j; k++)
            {
                ranks[slots[k]] = rank;
            }

            i = j;
        }
    }

    /// <summary>Ranks <paramref name="values"/> using caller-owned scratch space (no allocation).</summary>
    public static void AverageRanks(ReadOnlySpan<double> values, Span<double> ranks, Span<double> keyScratch, Span<int> slotScratch)
    {
        var n = values.Length;
        var keys = keyScratch[..n];
        var slots = slotScratch[..n];
        values.CopyTo(keys);
        for (var i = 0; i < n; i++)
        {
            slots[i] = i;
        }

        keys.Sort(slots);
        AssignAverageRanks(keys, slots, ranks);
    }
}
