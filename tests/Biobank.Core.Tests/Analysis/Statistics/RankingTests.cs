using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>The scan's radix ranker must give exactly the ranks of the plain sort-based ranking.</summary>
public sealed class RankingTests
{
    [Fact]
    public void Radix_ranks_equal_sorted_ranks_on_awkward_values()
    {
        double[] values =
        [
            3, -1, 0.0, -0.0, 2.5, 2.5, -7e300, 7e300, 1e-310, -1e-310, 1.0, 1.0 + Math.Pow(2, -52),
            1.0 + Math.Pow(2, -51), 1.0, -1, double.PositiveInfinity, double.NegativeInfinity, 42, 1e-20, 1e-20,
        ];

        AssertSameRanks(values);
        // −0.0 and 0.0 tie: both take the mean of their two ranks.
        var ranks = new double[values.Length];
        new RadixRanker(values.Length).Rank(values, ranks);
        ranks[2].ShouldBe(ranks[3]);
    }

    [Theory]
    [InlineData(1, 2300, 0)]
    [InlineData(2, 2300, 10)]     // heavy ties: values 0..9
    [InlineData(3, 5000, 0)]
    [InlineData(4, 100, 3)]
    public void Radix_ranks_equal_sorted_ranks_on_random_values(int seed, int n, int distinct)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = distinct > 0 ? random.Next(distinct) : 5 + 3 * SyntheticCohort.Normal(random);
        }

        AssertSameRanks(values);
    }

    [Theory]
    [InlineData(20)]  // ordered by insertion
    [InlineData(500)] // ordered by a comparison sort
    public void Radix_ranks_values_that_differ_only_in_their_last_bits(int n)
    {
        // 1000 + k·2⁻⁴⁰ (k < 64) all share the top 44 bits of their pattern, so they form one group
        // that must be put in exact order, with ties among the repeated k.
        var random = new Random(8);
        var values = Enumerable.Range(0, n).Select(_ => 1000.0 + random.Next(64) * Math.Pow(2, -40)).ToArray();
        AssertSameRanks(values);
    }

    [Fact]
    public void Radix_ranker_reuses_its_buffers_across_lengths()
    {
        var ranker = new RadixRanker(100);
        var random = new Random(4);
        foreach (var n in new[] { 100, 3, 57, 0, 1, 100 })
        {
            var values = Enumerable.Range(0, n).Select(_ => (double)random.Next(20)).ToArray();
            var ranks = new double[n];
            ranker.Rank(values, ranks);
            ranks.ShouldBe(Spearman.AverageRanks(values));
        }
    }

    private static void AssertSameRanks(double[] values)
    {
        var ranks = new double[values.Length];
        new RadixRanker(values.Length).Rank(values, ranks);
        ranks.ShouldBe(Spearman.AverageRanks(values));
    }
}
