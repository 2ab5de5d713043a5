using Biobank.Core.Analysis.Statistics;

namespace Biobank.Core.Tests.Analysis.Statistics;

public sealed class ResponseChangeTests
{
    [Theory]
    [InlineData(25.0, 25.2, 24.9, 25.1)]
    [InlineData(-1.3, -0.7, 0.1, 0.7)]
    [InlineData(31.123, 30.5, 27.623, 27.0)]
    [InlineData(1200.25, 1300.5, 100.25, 200.5)]
    public void Equal_changes_of_recorded_values_are_one_value(double a1, double b1, double a2, double b2)
    {
        // In binary the two subtractions differ in their last bits; to the scan's ranks they must tie.
        ResponseChange.Between(a1, b1).ShouldBe(ResponseChange.Between(a2, b2));
    }

    [Fact]
    public void A_change_prints_as_the_decimal_a_reader_expects()
    {
        (25.2 - 25.0).ToString("R").ShouldNotBe("0.2"); // the noise this class removes
        ResponseChange.Between(25.0, 25.2).ToString("R").ShouldBe("0.2");
        ResponseChange.Between(-0.5822, -1.0644).ToString("R").ShouldBe("-0.4822");
    }

    [Fact]
    public void Small_real_differences_and_missing_values_survive()
    {
        ResponseChange.Between(10.0, 10.000001).ShouldBe(1e-6, 1e-15);
        double.IsNaN(ResponseChange.Between(double.NaN, 1)).ShouldBeTrue();
        ResponseChange.Between(3, 3).ShouldBe(0);
        ResponseChange.Between(2e9, 2e9 + 3).ShouldBe(3);
    }
}
