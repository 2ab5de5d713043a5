using Biobank.Labels.Barcodes;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Barcodes;

/// <summary>
/// Decoders correct errors, so a symbol that reads back could still hold a wrong module.
/// These tests compare modules bit for bit with libdmtx's own encoder (dmtxwrite), which
/// leaves no room for a placement, padding or Reed–Solomon mistake to hide.
/// </summary>
public sealed class DataMatrixReferenceTests
{
    [Fact]
    public void Iso_example_123456_gives_the_published_codewords()
    {
        // ISO/IEC 16022 worked example: "123456" in a 10×10 symbol.
        var symbol = DataMatrixEncoder.Encode("123456");

        symbol.Size.ToString().ShouldBe("10x10");
        symbol.Codewords.ShouldBe(new byte[] { 142, 164, 186, 114, 25, 5, 88, 102 });
    }

    [RequiresToolFact("dmtxwrite")]
    public void Every_size_matches_libdmtx_module_for_module()
    {
        var random = new Random(16022);
        var failures = new List<string>();
        foreach (var size in DataMatrixSize.All)
        {
            // Printable ASCII with digit pairs, a little short of capacity so padding is exercised too.
            var text = Payloads.Pick(random, Payloads.Upper + Payloads.Lower + Payloads.Digits + "-.", size.DataCodewords);
            var data = AsciiCodewords(text);
            while (data.Count > size.DataCodewords - 1)
            {
                text = text[..^1];
                data = AsciiCodewords(text);
            }

            var ours = DataMatrixEncoder.EncodeCodewords([.. data], size).Modules;
            var theirs = DmtxWrite(text, size);
            if (ours.ToString() != theirs)
            {
                failures.Add($"{size}: ours\n{ours}\nlibdmtx\n{theirs}");
            }
        }

        failures.ShouldBeEmpty();
    }

    // ASCII encodation as libdmtx's "-e a" does it: digit pairs, otherwise value + 1.
    private static List<byte> AsciiCodewords(string text)
    {
        var list = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && char.IsAsciiDigit(text[i]) && char.IsAsciiDigit(text[i + 1]))
            {
                list.Add((byte)(130 + (text[i] - '0') * 10 + (text[i + 1] - '0')));
                i++;
            }
            else
            {
                list.Add((byte)(text[i] + 1));
            }
        }

        return list;
    }

    // dmtxwrite -p draws the symbol as text: four spaces of margin, then "XX" or "  " per module.
    private static string DmtxWrite(string text, DataMatrixSize size)
    {
        var input = Path.GetTempFileName();
        var output = Path.ChangeExtension(input, ".png");
        try
        {
            File.WriteAllText(input, text);
            var (exit, stdout, stderr) = ExternalTool.Run("dmtxwrite", ["-e", "a", "-s", size.ToString(), "-p", "-o", output, input]);
            exit.ShouldBe(0, stderr);
            var rows = stdout.Split('\n').SkipWhile(l => l.Length == 0).TakeWhile(l => l.Length > 0);
            var sb = new System.Text.StringBuilder();
            foreach (var row in rows)
            {
                for (var x = 4; x < row.Length; x += 2)
                {
                    sb.Append(row[x] == 'X' ? '#' : '.');
                }

                sb.Append('\n');
            }

            return sb.ToString();
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }
}
