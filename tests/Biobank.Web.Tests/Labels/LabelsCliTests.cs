using System.Text;
using Biobank.Cli;
using Biobank.Labels.Tests.Support;
using Microsoft.Extensions.Configuration;

using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Labels;

/// <summary>The <c>labels</c> verb end to end: CSV in, PDF or ZPL out, read back by decoders we did not write.</summary>
public sealed class LabelsCliTests : IDisposable
{
    private const string Header = "barcode,pseudonym,sample_type,timepoint,date";

    private readonly TempFolder _dir = new("labels-cli");

    [RequiresToolFact("pdftoppm", "pdfinfo", "ZXingReader", "dmtxread")]
    public async Task Random_payloads_through_the_CLI_to_PDF_decode_to_their_payloads()
    {
        var payloads = RandomPayloads(20261122, 240, Payloads.Digits + Payloads.Upper + Payloads.Lower + Payloads.Punctuation);
        var csv = WriteCsv(payloads.Select(p => Row(p)));
        var pdf = _dir.File("labels.pdf");

        var (exit, stdout, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "pdf", "--out", pdf);

        exit.ShouldBe(0, stderr);
        stdout.ShouldContain("240 cryovial-2d label(s)");
        Pdf.Info(pdf).Pages.ShouldBe(240);
        // A scanner is aimed at the symbol: rasterise the left 9 mm of each label, where the Data Matrix is.
        var pages = Pdf.ToPng(pdf, _dir.File("page"), 600, (0, 0, 9, 13));
        pages.Count.ShouldBe(240);
        var zxing = Decoders.ZXing(pages, "DataMatrix");
        // ZXingReader 1.4's detector misses some of the smallest symbols (10 x 10 and 12 x 12, payloads of
        // 1 to 5 characters) at some pixel scales, where dmtxread reads them: those labels get a second
        // look at 300 dpi, cropped closer to the symbol, as a scanner held nearer would see them.
        var missed = Enumerable.Range(0, pages.Count).Where(i => zxing[i] is null).ToList();
        if (missed.Count > 0)
        {
            var closer = Pdf.ToPng(pdf, _dir.File("closer"), 300, (0.2, 1.9, 8, 8));
            SecondLook(zxing, missed, Decoders.ZXing([.. missed.Select(i => closer[i])], "DataMatrix"));
        }
        ShouldAllDecode(payloads, zxing, Decoders.Dmtx(pages), "labels");
    }

    [RequiresToolFact("pdftotext")]
    public async Task The_PDF_carries_the_human_readable_fields()
    {
        var csv = WriteCsv([Row("BRUA00000017K", "PSN-BE-0042"), Row("BRUA00000018L", "PSN-BE-0043")]);
        var pdf = _dir.File("two.pdf");
        (await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "pdf", "--out", pdf)).Exit.ShouldBe(0);
        var text = Pdf.Text(pdf);
        text.ShouldContain("BRUA00000017K");
        text.ShouldContain("PSN-BE-0043");
        text.ShouldContain("EDTA plasma");
    }

    [Theory]
    [InlineData(203)]
    [InlineData(300)]
    public async Task ZPL_output_has_one_label_and_one_Data_Matrix_per_row(int dpi)
    {
        var codes = Enumerable.Range(1, 500).Select(i => $"AL-{i:D8}").ToList();
        var csv = WriteCsv(codes.Select(c => Row(c)));
        var zpl = _dir.File("labels.zpl");

        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "zpl", "--out", zpl, "--dpi", dpi.ToString());

        exit.ShouldBe(0, stderr);
        var text = await File.ReadAllTextAsync(zpl);
        Count(text, "^XA").ShouldBe(500);
        Count(text, "^XZ").ShouldBe(500);
        Count(text, "^BX").ShouldBe(500);
        text.ShouldContain("AL-00000500");
    }

    [RequiresToolFact("node", "ZXingReader", "dmtxread")]
    public async Task Random_payloads_through_the_CLI_to_ZPL_rendered_by_Zebrash_decode_to_their_payloads()
    {
        // The ZPL asks the printer to draw the Data Matrix (^BX); Zebrash, a ZPL renderer we did not write
        // (tests/tools/zpl-render), draws it as a printer would, and two independent decoders read it back.
        // Zebrash does not implement ^BX escape sequences, where Zebra's manual has "_" sent as "__", so
        // the payloads here leave out "_" (the doubling has its own test in the Labels project).
        var renderer = ZplRenderer();
        var payloads = RandomPayloads(20261202, 120, (Payloads.Digits + Payloads.Upper + Payloads.Lower + Payloads.Punctuation).Replace("_", "", StringComparison.Ordinal));
        var csv = WriteCsv(payloads.Select(p => Row(p)));
        var zpl = _dir.File("labels.zpl");

        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "zpl", "--out", zpl, "--dpi", "300");

        exit.ShouldBe(0, stderr);
        // 300 dpi is 11.8 dots/mm; Zebrash takes whole dots per mm, and the ZPL places everything in dots.
        var (renderExit, renderOut, renderErr) = ExternalTool.Run("node", [renderer, zpl, _dir.File("zpl"), "25", "13", "12"]);
        renderExit.ShouldBe(0, renderErr);
        renderOut.Trim().ShouldBe("120");
        var pages = Enumerable.Range(1, 120).Select(i => _dir.File($"zpl-{i:D4}.png")).ToList();
        var zxing = Decoders.ZXing(pages, "DataMatrix");
        // ZXingReader 1.4's detector misses some of the smallest symbols (10 x 10, 12 x 12) that dmtxread
        // reads, as in the PDF test. Those labels get a second look with the module size doubled and
        // the text left out: the same payload through the same escapes, as a scanner held nearer sees it.
        var missed = Enumerable.Range(0, pages.Count).Where(i => zxing[i] is null).ToList();
        if (missed.Count > 0)
        {
            var labels = (await File.ReadAllTextAsync(zpl)).Split("^XZ", StringSplitOptions.RemoveEmptyEntries);
            var closer = _dir.File("closer.zpl");
            await File.WriteAllTextAsync(closer, string.Concat(missed.Select(i => Closer(labels[i]) + "^XZ\n")));
            ExternalTool.Run("node", [renderer, closer, _dir.File("closer"), "25", "13", "12"]).ExitCode.ShouldBe(0);
            SecondLook(zxing, missed, Decoders.ZXing([.. missed.Select((_, k) => _dir.File($"closer-{k + 1:D4}.png"))], "DataMatrix"));
        }

        ShouldAllDecode(payloads, zxing, Decoders.Dmtx(pages), $"ZPL labels ({missed.Count} needed the closer look)");

        static string Closer(string label) => string.Join('\n', label.Split('\n')
            .Where(line => !line.Contains("^A0", StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\^BXN,(\d+),",
                m => $"^BXN,{2 * int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)},")));
    }

    private static string ZplRenderer()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var tool = Path.Combine(dir.FullName, "tests", "tools", "zpl-render");
            if (Directory.Exists(tool))
            {
                Directory.Exists(Path.Combine(tool, "node_modules", "zpl-renderer-js"))
                    .ShouldBeTrue($"run 'npm ci --prefix {tool}' first (scripts/test.sh does)");
                return Path.Combine(tool, "render.cjs");
            }
        }

        throw new DirectoryNotFoundException("tests/tools/zpl-render not found above the test folder.");
    }

    [Fact]
    public async Task A_template_field_missing_from_the_data_fails_naming_the_label_and_field()
    {
        var csv = _dir.File("short.csv");
        await File.WriteAllTextAsync(csv, "barcode,pseudonym\nAL-1,PSN-1\n");
        var output = _dir.File("never.pdf");

        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "pdf", "--out", output);

        exit.ShouldBe(1);
        stderr.ShouldContain("Label 1");
        stderr.ShouldContain("'sample_type'");
        File.Exists(output).ShouldBeFalse();
        File.Exists(output + ".partial").ShouldBeFalse();
    }

    [Theory]
    [InlineData("pdf")]
    [InlineData("zpl")]
    public async Task A_payload_that_cannot_be_encoded_fails_naming_the_label_and_field(string format)
    {
        var tooLong = new string('x', 120); // far more than the cryovial's 24 x 24 Data Matrix holds
        var csv = WriteCsv([Row("AL-1"), Row("AL-2"), Row(tooLong), Row("AL-4")]);
        var output = _dir.File("bad." + format);

        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", format, "--out", output);

        exit.ShouldBe(1);
        stderr.ShouldContain("Label 3");
        stderr.ShouldContain("field 'barcode'");
        stderr.ShouldContain("line 4 of");
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task A_non_ASCII_barcode_is_refused_for_ZPL_naming_the_label()
    {
        var csv = WriteCsv([Row("AL-1"), Row("ÄL-2")]);
        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", csv, "--format", "zpl", "--out", _dir.File("x.zpl"));
        exit.ShouldBe(1);
        stderr.ShouldContain("Label 2");
        stderr.ShouldContain("barcode");
    }

    [Fact]
    public async Task An_unknown_template_fails_listing_the_available_ones()
    {
        var csv = WriteCsv([Row("AL-1")]);
        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-3d", "--data", csv, "--format", "pdf", "--out", _dir.File("x.pdf"));
        exit.ShouldBe(1);
        stderr.ShouldContain("cryovial-3d");
        foreach (var name in new[] { "box", "cryovial-2d", "sheet-a4-cryovial", "shipment-package", "tube-code128" })
        {
            stderr.ShouldContain(name);
        }
    }

    [Theory]
    [InlineData("labels", "--template", "cryovial-2d", "--data", "x.csv", "--format", "pdf")]
    [InlineData("labels", "--template", "cryovial-2d", "--data", "x.csv", "--format", "png", "--out", "x.png")]
    [InlineData("labels", "--template", "cryovial-2d", "--data", "x.csv", "--format", "zpl", "--out", "x.zpl", "--dpi", "150")]
    [InlineData("labels", "--template", "cryovial-2d", "--data", "x.csv", "--format", "zpl", "--out", "x.zpl", "--dpi", "high")]
    [InlineData("labels", "--template", "cryovial-2d", "--data", "x.csv", "--format", "pdf", "--out", "x.pdf", "--copies", "2")]
    public async Task Usage_errors_exit_2_with_the_usage(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync(args);
        exit.ShouldBe(2);
        stderr.ShouldContain("usage: biobank labels --template NAME --data FILE.csv --format pdf|zpl --out FILE");
    }

    [Fact]
    public async Task A_missing_data_file_fails_with_exit_1()
    {
        var (exit, _, stderr) = await RunAsync("labels", "--template", "cryovial-2d", "--data", _dir.File("nope.csv"), "--format", "pdf", "--out", _dir.File("x.pdf"));
        exit.ShouldBe(1);
        stderr.ShouldContain("nope.csv");
    }

    /// <summary>
    /// A third mixed, a third Code-128-like, a third digits. cryovial-2d holds up to a 24 x 24 symbol: 36
    /// codewords, so at least 30 characters of any printable ASCII.
    /// </summary>
    private static List<string> RandomPayloads(int seed, int count, string mixed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => Payloads.Pick(random, mixed, random.Next(1, 31)),
            1 => Payloads.Pick(random, Payloads.Upper + Payloads.Digits + "-", random.Next(1, 31)),
            _ => Payloads.Pick(random, Payloads.Digits, random.Next(1, 41)),
        }).ToList();
    }

    private static void SecondLook(string?[] zxing, List<int> missed, string?[] second)
    {
        for (var k = 0; k < missed.Count; k++)
        {
            zxing[missed[k]] = second[k];
        }
    }

    private void ShouldAllDecode(List<string> payloads, string?[] zxing, string?[] dmtx, string what)
    {
        var wrong = payloads.Select((p, i) => (Expected: p, ZXing: zxing[i], Dmtx: dmtx[i], Label: i + 1))
            .Where(x => x.ZXing != x.Expected || x.Dmtx != x.Expected).ToList();
        _dir.Keep = wrong.Count > 0;
        wrong.ShouldBeEmpty($"{what} that did not decode to their payload (files kept in {_dir.Path})");
    }

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> Row(string barcode, string pseudonym = "PSN-BE-0042") => new()
    {
        ["barcode"] = barcode,
        ["pseudonym"] = pseudonym,
        ["sample_type"] = "EDTA plasma",
        ["timepoint"] = "Baseline (before RT)",
        ["date"] = "2026-11-22",
    };

    private string WriteCsv(IEnumerable<Dictionary<string, string>> rows)
    {
        var path = _dir.File($"data-{Guid.NewGuid():N}.csv");
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var row in rows)
        {
            // Every field quoted: payloads may hold commas, quotes and leading or trailing spaces.
            sb.AppendJoin(',', Header.Split(',').Select(f => "\"" + row[f].Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")).Append('\n');
        }
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
        return path;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // No database is touched; the data folder only keeps the default SQLite path out of the home folder.
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Biobank:DataFolder"] = _dir.Path }).Build();
        var exit = await BuiltCli.RunAsync(args, stdout, stderr, config);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
