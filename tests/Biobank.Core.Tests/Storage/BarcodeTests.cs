using Biobank.Core.Samples;

namespace Biobank.Core.Tests.Storage;

public sealed class BarcodeTests
{
    [Fact]
    public void Every_single_substitution_of_an_allocated_code_is_caught_by_the_check_character()
    {
        const string alphabet = "0123456789";
        for (var n = 1; n < 200; n += 17)
        {
            var code = Barcodes.Format("BRU", BarcodeKind.Aliquot, n);
            Barcodes.Check(code).ShouldBe(BarcodeCheck.Valid);
            for (var i = 4; i < code.Length - 1; i++)
            {
                foreach (var d in alphabet.Where(d => d != code[i]))
                {
                    var typo = code[..i] + d + code[(i + 1)..];
                    Barcodes.Check(typo).ShouldBe(BarcodeCheck.WrongCheckCharacter, typo);
                }
            }
        }
    }

    [Fact]
    public void Pre_printed_tube_codes_are_external_and_junk_is_malformed()
    {
        Barcodes.Check("FR12345678").ShouldBe(BarcodeCheck.External);
        Barcodes.Check("0123456789").ShouldBe(BarcodeCheck.External);
        Barcodes.Check("").ShouldBe(BarcodeCheck.Malformed);
        Barcodes.Check("<script>").ShouldBe(BarcodeCheck.Malformed);
        Barcodes.Check("' OR 1=1 --").ShouldBe(BarcodeCheck.Malformed);
    }
}
