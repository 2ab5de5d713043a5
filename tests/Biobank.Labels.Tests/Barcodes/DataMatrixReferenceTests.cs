using Biobank.Labels.Barcodes;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Barcodes;

/// <summary>
/// Decoders correct errors, so a symbol that reads back could still hold a wrong module.
/// ZXing.Net's symbols are compared bit for bit with libdmtx's own encoder (dmtxwrite), which
/// leaves no room for a placement, padding or Reed–Solomon mistake to hide.
/// </summary>
public sealed class DataMatrixReferenceTests
{
    [RequiresToolFact("dmtxwrite")]
    public void Every_size_matches_libdmtx_module_for_module()
    {
        var random = new Random(16022);
        var failures = new List<string>();
        foreach (var size in DataMatrixSize.All)
        {
            // Digits only: both encoders put two in each ASCII codeword, so the codewords are the same
            // and so must every module be. One codeword short of capacity, so padding is exercised too.
            var text = Payloads.Pick(random, Payloads.Digits, 2 * (size.DataCodewords - 1));
            var ours = BarcodeWriter.EncodeModules(text, BarcodeFormat.DataMatrix, new EncodeOptions { Size = size }).ToString("#", ".");
            var theirs = DmtxWrite(text, size);
            if (ours != theirs)
            {
                failures.Add($"{size}: ZXing.Net\n{ours}\nlibdmtx\n{theirs}");
            }
        }

        failures.ShouldBeEmpty();
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
