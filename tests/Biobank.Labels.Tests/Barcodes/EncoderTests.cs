using Biobank.Labels.Barcodes;

namespace Biobank.Labels.Tests.Barcodes;

public sealed class EncoderTests
{
    private readonly BarcodeWriter writer = new();

    [Theory]
    [InlineData("1234", new[] { 105, 12, 34 })]                        // all digits: code set C
    [InlineData("abc", new[] { 104, 65, 66, 67 })]                     // lower case: code set B
    [InlineData("\tAB", new[] { 103, 73, 33, 34 })]                    // control character: code set A
    [InlineData("a\tb", new[] { 104, 65, 98, 73, 66 })]                // one control among lower case: Shift, not two switches
    [InlineData("AB123456", new[] { 103, 33, 34, 99, 12, 34, 56 })]    // switch to C for an even run of 6 digits
    [InlineData("AB123", new[] { 103, 33, 34, 17, 18, 19 })]           // three digits are not worth a switch
    public void Code128_uses_the_fewest_symbol_characters(string text, int[] expectedWithoutCheckAndStop)
    {
        var values = Code128Encoder.EncodeValues(text);

        values.Take(values.Count - 2).ShouldBe(expectedWithoutCheckAndStop);
        values[^1].ShouldBe(106);
    }

    [Fact]
    public void Code128_odd_digit_run_costs_no_more_than_needed()
    {
        // 12345: C(12)(34) B(5) or B(1) C(23)(45): start + 4 characters either way.
        Code128Encoder.EncodeValues("12345").Count.ShouldBe(1 + 4 + 2);
    }

    [Fact]
    public void Code128_check_symbol_is_the_weighted_sum_mod_103()
    {
        var values = Code128Encoder.EncodeValues("PJJ123C");
        var sum = values[0];
        for (var i = 1; i < values.Count - 2; i++)
        {
            sum += i * values[i];
        }

        values[^2].ShouldBe(sum % 103);
    }

    [Fact]
    public void Code128_matrix_has_ten_module_quiet_zones()
    {
        var modules = Code128Encoder.EncodeModules("1234");
        var matrix = writer.Encode("1234", BarcodeFormat.Code128, 0, 5);

        matrix.Width.ShouldBe(modules.Length + 20);
        matrix.Height.ShouldBe(5);
        Enumerable.Range(0, 10).ShouldAllBe(x => !matrix[x, 0] && !matrix[matrix.Width - 1 - x, 0]);
        matrix[10, 0].ShouldBeTrue();
    }

    [Theory]
    [InlineData("123456", "10x10")]
    [InlineData("ABCDEFGHI", "14x14")]          // C40: latch + 6 codewords; ASCII's 9 would need 16×16
    [InlineData("abcdefghi", "14x14")]          // Text, the same for lower case
    [InlineData("BB-000123", "14x14")]          // B B - 00 01 23: six codewords
    public void DataMatrix_picks_the_smallest_square(string text, string size)
    {
        DataMatrixEncoder.Encode(text, DataMatrixShape.Square).Size.ToString().ShouldBe(size);
    }

    [Fact]
    public void DataMatrix_rectangle_preference_gives_a_rectangle()
    {
        var symbol = DataMatrixEncoder.Encode("S-000123", DataMatrixShape.Rectangle);

        symbol.Size.IsSquare.ShouldBeFalse();
        symbol.Modules.Width.ShouldBe(symbol.Size.Columns);
        symbol.Modules.Height.ShouldBe(symbol.Size.Rows);
    }

    [Fact]
    public void Writer_scales_by_whole_modules_and_centres()
    {
        var matrix = writer.Encode("123456", BarcodeFormat.DataMatrix, 100, 100);

        // 10×10 plus 2 quiet modules each side = 14; 100 / 14 = 7 pixels per module, centred.
        matrix.Width.ShouldBe(100);
        matrix[(100 - 98) / 2 + 2 * 7, (100 - 98) / 2 + 2 * 7].ShouldBeTrue();
        matrix[(100 - 98) / 2 + 2 * 7 - 1, (100 - 98) / 2 + 2 * 7].ShouldBeFalse();
    }

    [Fact]
    public void Empty_text_is_refused_in_words()
    {
        Should.Throw<BarcodeEncodingException>(() => writer.Encode("", BarcodeFormat.Code128, 0, 0))
            .Message.ShouldContain("empty");
        Should.Throw<BarcodeEncodingException>(() => writer.Encode("", BarcodeFormat.DataMatrix, 0, 0))
            .Message.ShouldContain("empty");
    }

    [Fact]
    public void Code128_refuses_non_ascii_and_says_where()
    {
        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode("AB-é1", BarcodeFormat.Code128, 0, 0));

        error.Message.ShouldContain("'é'");
        error.Message.ShouldContain("position 4");
        error.Message.ShouldContain("ASCII");
    }

    [Fact]
    public void DataMatrix_refuses_characters_beyond_latin1()
    {
        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode("Tube → box", BarcodeFormat.DataMatrix, 0, 0));

        error.Message.ShouldContain("position 6");
        error.Message.ShouldContain("0–255");
    }

    [Fact]
    public void DataMatrix_refuses_text_too_long_for_the_largest_symbol()
    {
        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode(new string('x', 3200), BarcodeFormat.DataMatrix, 0, 0));

        error.Message.ShouldBe(
            "Data Matrix cannot hold 3,200 characters: the largest symbol (144×144) holds 3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters.");
    }

    [Fact]
    public void DataMatrix_counts_codewords_when_the_text_is_just_too_long()
    {
        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode(new string('#', 1600), BarcodeFormat.DataMatrix, 0, 0));

        error.Message.ShouldContain("cannot hold 1,600 characters");
        error.Message.ShouldContain("needs 1,600");
    }

    [Fact]
    public void DataMatrix_forced_size_too_small_is_refused()
    {
        var options = new EncodeOptions { Size = DataMatrixSize.Find(10, 10) };

        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode("CRYO-000001", BarcodeFormat.DataMatrix, 0, 0, options));

        error.Message.ShouldContain("10×10 holds 3 data codewords");
    }

    [Fact]
    public void DataMatrix_rectangle_too_small_is_refused()
    {
        var options = new EncodeOptions { Shape = DataMatrixShape.Rectangle };

        Should.Throw<BarcodeEncodingException>(() => writer.Encode(new string('x', 80), BarcodeFormat.DataMatrix, 0, 0, options))
            .Message.ShouldContain("largest rectangle (16×48) holds 49");
    }

    [Fact]
    public void Code128_refuses_absurd_lengths()
    {
        Should.Throw<BarcodeEncodingException>(() => writer.Encode(new string('A', 500), BarcodeFormat.Code128, 0, 0))
            .Message.ShouldContain("cannot hold 500 characters");
    }

    [Theory]
    [InlineData("16x16", 16, 16)]
    [InlineData("8×18", 8, 18)]
    public void Sizes_parse_from_their_names(string name, int rows, int columns)
    {
        DataMatrixSize.TryParse(name, out var size).ShouldBeTrue();
        size!.Rows.ShouldBe(rows);
        size.Columns.ShouldBe(columns);
    }
}
