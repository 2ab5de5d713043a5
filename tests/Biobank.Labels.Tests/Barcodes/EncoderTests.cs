using Biobank.Labels.Barcodes;

namespace Biobank.Labels.Tests.Barcodes;

public sealed class EncoderTests
{
    private readonly BarcodeWriter writer = new();

    [Theory]
    [InlineData("1234", 2)]          // all digits: start C, two pairs
    [InlineData("abc", 3)]           // lower case: code set B
    [InlineData("\tAB", 3)]          // control character: code set A
    [InlineData("a\tb", 4)]          // one control among lower case: Shift, not two switches
    [InlineData("AB123456", 6)]      // switch to C for an even run of 6 digits
    [InlineData("AB123", 5)]         // three digits are not worth a switch
    [InlineData("12345", 4)]         // C(12)(34) B(5) or B(1) C(23)(45)
    public void Code128_is_as_narrow_as_the_code_sets_allow(string text, int dataCharacters)
    {
        // Start, data characters and check symbol of 11 modules each, then the 13-module stop.
        BarcodeWriter.EncodeModules(text, BarcodeFormat.Code128).Width.ShouldBe(11 * (dataCharacters + 2) + 13);
    }

    [Fact]
    public void Code128_matrix_has_ten_module_quiet_zones()
    {
        var modules = BarcodeWriter.EncodeModules("1234", BarcodeFormat.Code128);
        var matrix = writer.Encode("1234", BarcodeFormat.Code128, 0, 5);

        matrix.Width.ShouldBe(modules.Width + 20);
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
        var modules = BarcodeWriter.EncodeModules(text, BarcodeFormat.DataMatrix, new EncodeOptions { Shape = DataMatrixShape.Square });

        $"{modules.Height}x{modules.Width}".ShouldBe(size);
    }

    [Fact]
    public void DataMatrix_rectangle_preference_gives_a_rectangle()
    {
        var modules = BarcodeWriter.EncodeModules("S-000123", BarcodeFormat.DataMatrix, new EncodeOptions { Shape = DataMatrixShape.Rectangle });

        DataMatrixSize.Find(modules.Height, modules.Width).ShouldNotBeNull().IsSquare.ShouldBeFalse();
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
    public void DataMatrix_refuses_text_just_too_long_for_the_largest_symbol()
    {
        // Latin-1 letters take a codeword each at best (Base 256): 1,600 of them cannot fit in 1,558.
        var error = Should.Throw<BarcodeEncodingException>(() => writer.Encode(new string('é', 1600), BarcodeFormat.DataMatrix, 0, 0));

        error.Message.ShouldContain("cannot hold 1,600 characters");
        error.Message.ShouldContain("(144×144) holds 1,558 data codewords");
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
