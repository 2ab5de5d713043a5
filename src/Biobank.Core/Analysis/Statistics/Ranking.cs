using System.Runtime.CompilerServices;

namespace Biobank.Core.Analysis.Statistics;

/// <summary>Average ("fractional") ranks, 1-based, ties sharing the mean of the ranks they span.</summary>
internal static class Ranking
{
    /// <summary>
    /// Given keys already sorted ascending and, for each key, the slot it came from, writes each
    /// slot's average rank into <paramref name="ranks"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

/// <summary>
/// Average ranks by least-significant-digit radix sort, reusing its buffers. The scan ranks one
/// response vector of ~2,300 values per biomarker; a comparison sort spends most of its time there on
/// mispredicted branches, a radix sort has none.
/// </summary>
/// <remarks>
/// Each value becomes one 64-bit word: the top 44 bits of its order-preserving bit pattern (sign,
/// exponent and 32 mantissa bits) above its 20-bit index, so a pass moves one array, not two. Values
/// that share those 44 bits (ties, or values within about 2e-10 relative of each other) end up
/// adjacent and are then put in exact order by their full double value before ranks are given.
/// </remarks>
internal sealed class RadixRanker(int capacity)
{
    private const int IndexBits = 20;
    private const ulong IndexMask = (1UL << IndexBits) - 1;
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Digits = (64 - IndexBits) / DigitBits;
    private const int MaxLength = 1 << IndexBits;

    private ulong[] _words = new ulong[capacity];
    private ulong[] _spare = new ulong[capacity];
    private readonly int[] _counts = new int[Digits * Buckets];
    private readonly double[] _groupValues = new double[capacity];
    private readonly int[] _groupSlots = new int[capacity];

    /// <summary>Writes the average rank (1-based) of each of <paramref name="values"/>, which must not be NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Rank(ReadOnlySpan<double> values, Span<double> ranks)
    {
        var n = values.Length;
        if (n >= MaxLength)
        {
            Ranking.AverageRanks(values, ranks, new double[n], new int[n]);
            return;
        }

        var counts = _counts.AsSpan();
        counts.Clear();
        var words = _words.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            var word = (SortableBits(values[i]) & ~IndexMask) | (uint)i;
            words[i] = word;
            for (var d = 0; d < Digits; d++)
            {
                counts[d * Buckets + (int)((word >> (IndexBits + d * DigitBits)) & (Buckets - 1))]++;
            }
        }

        for (var d = 0; d < Digits; d++)
        {
            var digitCounts = counts.Slice(d * Buckets, Buckets);
            var shift = IndexBits + d * DigitBits;
            if (n == 0 || digitCounts[(int)((words[0] >> shift) & (Buckets - 1))] == n)
            {
                continue; // every word has the same digit here: this pass would not move anything
            }

            var offset = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = digitCounts[b];
                digitCounts[b] = offset;
                offset += c;
            }

            var target = _spare.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                var word = words[i];
                target[digitCounts[(int)((word >> shift) & (Buckets - 1))]++] = word;
            }

            (_words, _spare) = (_spare, _words);
            words = _words.AsSpan(0, n);
        }

        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            var high = words[start] & ~IndexMask;
            while (end < n && (words[end] & ~IndexMask) == high)
            {
                end++;
            }

            if (end == start + 1)
            {
                ranks[(int)(words[start] & IndexMask)] = start + 1;
            }
            else
            {
                RankGroup(values, words[start..end], start, ranks);
            }

            start = end;
        }
    }

    /// <summary>Orders a run of words with equal high bits by exact value and gives tied values their mean rank.</summary>
    private void RankGroup(ReadOnlySpan<double> values, ReadOnlySpan<ulong> group, int firstPosition, Span<double> ranks)
    {
        var g = group.Length;
        var groupValues = _groupValues.AsSpan(0, g);
        var groupSlots = _groupSlots.AsSpan(0, g);
        for (var i = 0; i < g; i++)
        {
            var slot = (int)(group[i] & IndexMask);
            groupSlots[i] = slot;
            groupValues[i] = values[slot];
        }

        // Usually already in order: true ties (values below a limit of detection, say) share every bit.
        var ordered = true;
        for (var i = 1; i < g && ordered; i++)
        {
            ordered = groupValues[i - 1] <= groupValues[i];
        }

        if (!ordered && g <= 32)
        {
            for (var i = 1; i < g; i++)
            {
                var v = groupValues[i];
                var slot = groupSlots[i];
                var j = i - 1;
                while (j >= 0 && groupValues[j] > v)
                {
                    groupValues[j + 1] = groupValues[j];
                    groupSlots[j + 1] = groupSlots[j];
                    j--;
                }

                groupValues[j + 1] = v;
                groupSlots[j + 1] = slot;
            }
        }
        else if (!ordered)
        {
            groupValues.Sort(groupSlots);
        }

        var start = 0;
        while (start < g)
        {
            var end = start + 1;
            while (end < g && groupValues[end] == groupValues[start])
            {
                end++;
            }

            var rank = firstPosition + 0.5 * (start + 1 + end);
            for (var k = start; k < end; k++)
            {
                ranks[groupSlots[k]] = rank;
            }

            start = end;
        }
    }

    /// <summary>
    /// Maps a double to an unsigned integer with the same order: flip every bit of a negative
    /// number, only the sign bit of a positive one. −0.0 is folded into +0.0 first so they tie.
    /// </summary>
    private static ulong SortableBits(double value)
    {
        if (value == 0)
        {
            value = 0.0;
        }

        var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }
}
