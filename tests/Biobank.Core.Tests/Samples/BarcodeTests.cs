using Biobank.Core.Samples;

namespace Biobank.Core.Tests.Samples;

/// <summary>
/// ISO/IEC 7064 MOD 37-2 over 0–9, A–Z, * (values 0–36). Worked by hand: P starts at 0; for each character P = (P + value) × 2 mod 37;
/// the check character has the value (38 − P) mod 37.
///
///   G123498654321 (the standard's own example): G=16 → 32; 1 → 29; 2 → 25; 3 → 19; 4 → 9; 9 → 36; 8 → 14; 6 → 3; 5 → 16; 4 → 3;
///                 3 → 12; 2 → 28; 1 → 21. (38 − 21) mod 37 = 17 = H.
///   BRUA00000042: B=11 → 22; R=27 → 24; U=30 → 34; A=10 → 14; 0 → 28; 0 → 19; 0 → 1; 0 → 2; 0 → 4; 0 → 8; 4 → 24; 2 → 15.
///                 (38 − 15) mod 37 = 23 = N.
///   STOS00000001: S=28 → 19; T=29 → 22; O=24 → 18; S → 18; 0 → 36; 0 → 35; 0 → 33; 0 → 29; 0 → 21; 0 → 5; 0 → 10; 1 → 22.
///                 (38 − 22) mod 37 = 16 = G.
///   AARB00000007: A → 20; A → 23; R → 26; B → 0; seven 0 → 0; 7 → 14. (38 − 14) mod 37 = 24 = O.
///   1: (0 + 1) × 2 = 2; (38 − 2) mod 37 = 36 = *.      0: P = 0; 38 mod 37 = 1 = 1.
/// </summary>
public sealed class BarcodeTests
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

    [Theory]
    [InlineData("G123498654321", 'H')]
    [InlineData("BRUA00000042", 'N')]
    [InlineData("STOS00000001", 'G')]
    [InlineData("AARB00000007", 'O')]
    [InlineData("1", '*')]
    [InlineData("0", '1')]
    public void Check_character_matches_the_hand_computation(string data, char expected) =>
        Barcodes.CheckCharacter(data).ShouldBe(expected);

    [Fact]
    public void Format_appends_the_check_character()
    {
        Barcodes.Format("BRU", BarcodeKind.Aliquot, 42).ShouldBe("BRUA00000042N");
        Barcodes.Format("STO", BarcodeKind.Sample, 1).ShouldBe("STOS00000001G");
        Barcodes.Check("BRUA00000042N").ShouldBe(BarcodeCheck.Valid);
        Barcodes.Check("brua00000042n").ShouldBe(BarcodeCheck.Valid);
        Barcodes.Check("BRUA00000042M").ShouldBe(BarcodeCheck.WrongCheckCharacter);
    }

    public static TheoryData<string> Codes() =>
        ["BRUA00000042N", "STOS00000001G", "AARB00000007O", Barcodes.Format("LYO", BarcodeKind.Shipment, 98765432), Barcodes.Format("ES", BarcodeKind.Aliquot, 10203040)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_single_character_substitution_is_detected(string code)
    {
        Barcodes.Check(code).ShouldBe(BarcodeCheck.Valid);
        var missed = new List<string>();
        for (var i = 0; i < code.Length; i++)
        {
            foreach (var ch in Alphabet.Where(ch => ch != code[i]))
            {
                var typo = code[..i] + ch + code[(i + 1)..];
                if (PassesMod37(typo) || Barcodes.Check(typo) == BarcodeCheck.Valid)
                {
                    missed.Add(typo);
                }
            }
        }
        missed.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_adjacent_transposition_is_detected(string code)
    {
        var missed = new List<string>();
        for (var i = 0; i + 1 < code.Length; i++)
        {
            if (code[i] == code[i + 1])
            {
                continue;
            }
            var swapped = code[..i] + code[i + 1] + code[i] + code[(i + 2)..];
            if (PassesMod37(swapped) || Barcodes.Check(swapped) == BarcodeCheck.Valid)
            {
                missed.Add(swapped);
            }
        }
        missed.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("", BarcodeCheck.Malformed)]
    [InlineData("SARSTEDT-123456", BarcodeCheck.External)]
    [InlineData("FR12345678", BarcodeCheck.External)]
    [InlineData("has space", BarcodeCheck.Malformed)]
    public void Codes_not_in_our_format_are_external_or_malformed(string code, BarcodeCheck expected) =>
        Barcodes.Check(code).ShouldBe(expected);

    // The checksum alone, on any string of the alphabet: a typo that leaves our format must still fail it.
    private static bool PassesMod37(string code) =>
        code.All(Alphabet.Contains) && Barcodes.CheckCharacter(code[..^1]) == code[^1];
}
