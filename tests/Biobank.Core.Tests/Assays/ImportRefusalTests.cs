using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Samples;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Assays;

/// <summary>
/// Malformed files: each is refused with a problem naming its row, column and reason, and nothing is written
/// (results, runs, files, controls, analytes, audit, custody events and tube volumes are counted before and after).
/// </summary>
public sealed class ImportRefusalTests(AssayWorlds worlds) : IClassFixture<AssayWorlds>
{
    public sealed record Case(
        string Name, Func<AssayWorld, Task<string>> File, int Row, string Column, string Reason,
        AssayFileFormat Format = AssayFileFormat.Npx, Func<ImportAssayCommand, ImportAssayCommand>? Tweak = null, string? Run = null);

    private static string H => AssayFiles.NpxHeader;

    private static string Row(string sample, string npx = "1.5", string uniprot = "P05231", string assay = "IL6", string qc = "Pass", string lod = "0.5") =>
        AssayFiles.NpxRow(sample, uniprot, assay, npx, lod, qc);

    private static Func<AssayWorld, Task<string>> Text(string name, Func<AssayWorld, string> text) =>
        w => AssayFiles.WriteAsync(w.Dir, name, text(w));

    private static Func<AssayWorld, Task<string>> Bytes(string name, Func<AssayWorld, byte[]> bytes) =>
        w => AssayFiles.WriteAsync(w.Dir, name, bytes(w));

    private static Func<AssayWorld, Task<string>> OneValue(string name, string npx) =>
        Text(name, w => $"{H}\n{Row(w.Aliquots[0], npx)}\n");

    /// <summary>Imports the file once (it lands), then hands it over to be imported again.</summary>
    private static Func<AssayWorld, Task<string>> AfterLanding(string name, string run, Func<AssayWorld, string> first, Func<AssayWorld, string> second) => async w =>
    {
        var landed = await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, name + ".first.csv", first(w)), AssayFileFormat.Npx, run);
        landed.Ok.ShouldBeTrue(string.Join("; ", landed.Problems));
        return await AssayFiles.WriteAsync(w.Dir, name, second(w));
    };

    public static readonly Case[] Cases =
    [
        new("tab-separated NPX", Text("tab.tsv", w => $"{H}\n{Row(w.Aliquots[0])}\n".Replace(',', '\t')), 1, "header", "tab-separated"),
        new("pipe-separated NPX", Text("pipe.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n".Replace(',', '|')), 1, "header", "the header is one column"),
        new("missing column", Text("missing.csv", w => $"{H.Replace(",LOD", "", StringComparison.Ordinal)}\n{Row(w.Aliquots[0]).Replace(",0.5,", ",", StringComparison.Ordinal)}\n"), 1, "LOD", "the column LOD is missing"),
        new("extra column", Text("extra.csv", w => $"{H},Comment\n{Row(w.Aliquots[0])},ok\n"), 1, "13", "not a column of the NPX format"),
        new("renamed column", Text("renamed.csv", w => $"{H.Replace("SampleID", "Sample_ID", StringComparison.Ordinal)}\n{Row(w.Aliquots[0])}\n"), 1, "1", "not a column of the NPX format"),
        new("column in the wrong case", Text("case.csv", w => $"{H.Replace("SampleID", "sampleid", StringComparison.Ordinal)}\n{Row(w.Aliquots[0])}\n"), 1, "1", "must be written SampleID exactly"),
        new("duplicate header", Text("duplicate-header.csv", w => $"{H},NPX\n{Row(w.Aliquots[0])},1.5\n"), 1, "NPX", "appears twice (columns 12 and 13)"),
        new("decimal comma in a comma file", OneValue("decimal-comma.csv", "1,5"), 2, "line", "an unquoted delimiter inside a value"),
        new("quoted decimal comma in a comma file", OneValue("quoted-comma.csv", "\"1,5\""), 2, "NPX", "a decimal comma in a comma-separated file"),
        new("NaN", OneValue("nan.csv", "NaN"), 2, "NPX", "NaN and infinity"),
        new("Inf", OneValue("inf.csv", "Inf"), 2, "NPX", "NaN and infinity"),
        new("-Infinity", OneValue("minus-inf.csv", "-Infinity"), 2, "NPX", "NaN and infinity"),
        new("1e400", OneValue("overflow.csv", "1e400"), 2, "NPX", "out of range"),
        new("1e300", OneValue("huge.csv", "1e300"), 2, "NPX", "out of range"),
        new("text as a value", OneValue("text.csv", "high"), 2, "NPX", "not a number"),
        new("thousands separator", Text("thousands.csv", w => $"{H.Replace(',', ';')}\n{Row(w.Aliquots[0], "1.234,5").Replace(',', ';').Replace("1.234;5", "1.234,5", StringComparison.Ordinal)}\n"), 2, "NPX", "thousands separators"),
        new("empty file", Bytes("empty.csv", _ => []), 0, "file", "the file is empty"),
        new("header only", Text("header-only.csv", _ => H + "\n"), 2, "file", "a header but no data rows"),
        new("blank lines only", Text("blank.csv", _ => "\n\n\n"), 1, "header", "the first row is empty"),
        new("=cmd in a text field", Text("cmd.csv", w => $"{H}\n{Row(w.Aliquots[0], assay: "=cmd|' /C calc'!A0")}\n"), 2, "Assay", "spreadsheet formulas are not accepted"),
        new("formula as a value", OneValue("formula.csv", "=1+1"), 2, "NPX", "spreadsheet formulas are not accepted"),
        new("+cmd in a text field", Text("plus.csv", w => $"{H}\n{Row(w.Aliquots[0], assay: "+cmd")}\n"), 2, "Assay", "a spreadsheet would run it as a formula"),
        new("@ formula", Text("at.csv", w => $"{H}\n{Row(w.Aliquots[0], assay: "@SUM(A1)")}\n"), 2, "Assay", "spreadsheet formulas are not accepted"),
        new("unknown aliquot", Text("unknown.csv", _ => $"{H}\n{Row(Barcodes.Format("BRU", BarcodeKind.Aliquot, 99_999_999))}\n"), 2, "SampleID", "no aliquot has this barcode"),
        new("mistyped barcode", Text("mistyped.csv", w => $"{H}\n{Row(w.Aliquots[0][..^1] + (w.Aliquots[0][^1] == '0' ? '1' : '0'))}\n"), 2, "SampleID", "a wrong check character"),
        new("withdrawn consent", Text("withdrawn.csv", w => $"{H}\n{Row(w.WithdrawnAliquot)}\n"), 2, "SampleID", "withdrew consent"),
        new("primary tube", Text("primary.csv", w => $"{H}\n{Row(w.PrimaryTube)}\n"), 2, "SampleID", "a primary tube, not an aliquot"),
        new("empty sample ID", Text("no-sample.csv", _ => $"{H}\n{Row("")}\n"), 2, "SampleID", "no sample ID"),
        new("duplicate row", Text("duplicate-row.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n{Row(w.Aliquots[0], "1.6")}\n"), 3, "SampleID", "a second value for aliquot"),
        new("already stored", AfterLanding("stored.csv", "RUN-STORED", w => $"{H}\n{Row(w.Aliquots[1])}\n", w => $"{H}\n{Row(w.Aliquots[1], "2.5")}\n"),
            2, "SampleID", "already has results in run RUN-STORED", Run: "RUN-STORED"),
        new("same file twice", AfterLanding("twice.csv", "RUN-TWICE", w => $"{H}\n{Row(w.Aliquots[2])}\n", w => $"{H}\n{Row(w.Aliquots[2])}\n"),
            0, "file", "already imported (same SHA-256) into run RUN-TWICE", Run: "RUN-TWICE-AGAIN"),
        new("truncated last line", Text("truncated.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n{Row(w.Aliquots[1])[..30]}"), 3, "line", "a truncated line"),
        new("unclosed quote", Text("quote.csv", w => $"{H}\n{Row(w.Aliquots[0], assay: "\"IL6")}\n"), 2, "file", "a quoted field is not closed"),
        new("control character", Text("control.csv", w => $"{H}\n{Row(w.Aliquots[0], assay: "IL\u00016")}\n"), 2, "Assay", "control character U+0001"),
        new("byte-order mark inside", Text("bom-inside.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n\uFEFF{Row(w.Aliquots[1])}\n"), 3, "SampleID", "byte-order mark inside the file"),
        new("not UTF-8", Bytes("latin1.csv", w => Encoding.Latin1.GetBytes($"{H}\n{Row(w.Aliquots[0], assay: "Interleukin \u00e9")}\n")), 2, "Assay", "not valid UTF-8"),
        new("over the size limit", Text("large.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n"), 0, "file", "the upload limit is 100 bytes", Tweak: c => c with { MaxBytes = 100 }),
        new("unknown analyte", Text("analyte.csv", w => $"{H}\n{Row(w.Aliquots[0], uniprot: "Q9Y6K9", assay: "IKBKG")}\n"), 2, "UniProt", "unknown analyte Q9Y6K9 (IKBKG)"),
        new("analyte that cannot be added", Text("bad-code.csv", w => $"{H}\n{Row(w.Aliquots[0], uniprot: "IL-6", assay: "IL6")}\n"), 2, "UniProt", "not a UniProt accession",
            Tweak: c => c with { AddAnalytes = true }),
        new("unknown QC flag", Text("qc.csv", w => $"{H}\n{Row(w.Aliquots[0], qc: "Maybe")}\n"), 2, "QC_Warning", "not a QC flag"),
        new("approved run", Text("approved.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n"), 0, "run", "is approved: its results are final", Run: "OLINK-PL-001"),
        new("unknown platform", Text("platform.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n"), 0, "platform", "no platform has this code", Tweak: c => c with { PlatformCode = "NOPE" }),
        new("bad run code", Text("run.csv", w => $"{H}\n{Row(w.Aliquots[0])}\n"), 0, "run", "a run code is", Run: "run 1; drop"),
        new("xlsx zip bomb", w =>
        {
            var path = Path.Combine(w.Dir, "bomb.xlsx");
            AssayFiles.WriteXlsx(path, [[.. AssayFormats.NpxHeader], [.. Row(w.Aliquots[0]).Split(',')]], "xl/worksheets/sheet1.xml", 64 << 20);
            return Task.FromResult(path);
        }, 0, "file", "refused as a zip bomb"),
        new("xlsx formula cell", w =>
        {
            var path = Path.Combine(w.Dir, "formula.xlsx");
            AssayFiles.WriteXlsx(path, [["SampleID", "P05231"], [w.Aliquots[0], "1.5"], [w.Aliquots[1], "=B2*2"]]);
            return Task.FromResult(path);
        }, 3, "B", "a formula cell", AssayFileFormat.Wide, c => c with { PlatformCode = "OLINK-PEA" }),
        new("xlsx that is no zip", Bytes("broken.xlsx", _ => [.. "PK\u0003\u0004"u8, .. new byte[200]]), 0, "file", "not a readable XLSX file"),
        new("qPCR without references", Text("qpcr-norefs.csv", w => $"SampleID,miRNA,Ct\n{w.Aliquots[0]},hsa-miR-21-5p,25\n"), 0, "references", "names its reference miRNAs",
            AssayFileFormat.Qpcr),
        new("qPCR sample missing a reference", Text("qpcr-ref.csv", w => $"SampleID,miRNA,Ct\n{w.Aliquots[0]},hsa-miR-21-5p,25\n{w.Aliquots[0]},hsa-miR-16-5p,20\n"),
            2, "SampleID", "no Ct for the reference miRNA(s) hsa-miR-93-5p", AssayFileFormat.Qpcr, c => c with { References = ["hsa-miR-16-5p", "hsa-miR-93-5p"] }),
        new("qPCR Ct out of range", Text("qpcr-ct.csv", w => $"SampleID,miRNA,Ct\n{w.Aliquots[0]},hsa-miR-21-5p,55\n{w.Aliquots[0]},hsa-miR-16-5p,20\n"),
            2, "Ct", "between 0 and 50 cycles", AssayFileFormat.Qpcr, c => c with { References = ["hsa-miR-16-5p"] }),
        new("qPCR miRNA in the wrong case", Text("qpcr-case.csv", w => $"SampleID,miRNA,Ct\n{w.Aliquots[0]},hsa-mir-21-5p,25\n{w.Aliquots[0]},hsa-miR-16-5p,20\n"),
            2, "miRNA", "did you mean hsa-miR-21-5p?", AssayFileFormat.Qpcr, c => c with { References = ["hsa-miR-16-5p"] }),
        new("wide unit mismatch", Text("wide-unit.csv", w => $"Barcode,P05231 (ng/mL)\n{w.Aliquots[0]},1.5\n"), 1, "P05231 (ng/mL)", "differs from the catalogue's pg/mL",
            AssayFileFormat.Wide, c => c with { PlatformCode = "ELISA" }),
        new("wide analyte twice", Text("wide-twice.csv", w => $"Barcode,P05231,IL6\n{w.Aliquots[0]},1.5,1.6\n"), 1, "IL6", "has two columns",
            AssayFileFormat.Wide, c => c with { PlatformCode = "ELISA" }),
        new("counts negative", Text("counts-negative.csv", w => $"miRNA,{w.Aliquots[0]}\nhsa-miR-21-5p,-3\n"), 2, FirstAliquot, "cannot be negative", AssayFileFormat.Counts),
        new("counts unknown sample column", Text("counts-unknown.csv", w => $"miRNA,{w.Aliquots[0]},NOSUCHTUBE1\nhsa-miR-21-5p,3,4\n"), 1, "3", "no aliquot has this barcode",
            AssayFileFormat.Counts),
    ];

    // A counts problem is reported under its sample's column header, the aliquot barcode: resolved per world in the test.
    private const string FirstAliquot = "<first aliquot>";

    public static IEnumerable<object[]> CaseNames() =>
        Cases.SelectMany(c => new ProvidersAttribute().GetData(null!).Select(p => new object[] { c.Name, p[0] }));

    [Fact]
    public void There_are_at_least_thirty_malformed_files() => Cases.Length.ShouldBeGreaterThanOrEqualTo(30);

    [Theory, MemberData(nameof(CaseNames))]
    public async Task Is_refused_with_a_precise_problem_and_nothing_written(string name, string provider)
    {
        var w = await worlds.GetAsync(provider);
        var k = Cases.Single(c => c.Name == name);
        var path = await k.File(w);
        var before = await Footprint.TakeAsync(w.Db);
        var outcome = await w.ImportAsync(path, k.Format, k.Run ?? "RUN-" + Math.Abs(name.GetHashCode(StringComparison.Ordinal)), k.Tweak);
        outcome.Ok.ShouldBeFalse($"{name} landed");
        var column = k.Column == FirstAliquot ? w.Aliquots[0] : k.Column;
        var lines = string.Join("\n", outcome.Problems.Select(p => p.ToString()));
        outcome.Problems.ShouldContain(p => p.Row == k.Row && p.Column == column && p.Reason.Contains(k.Reason, StringComparison.Ordinal),
            $"expected row {k.Row}, column {column}: …{k.Reason}…; got\n{lines}");
        outcome.ProblemCount.ShouldBe(outcome.Problems.Count);
        lines.ShouldNotContain("column column", Shouldly.Case.Insensitive, "a problem names its column once: row 1, column 8: …");
        (await Footprint.TakeAsync(w.Db)).ShouldBe(before, "a refused file writes nothing");
    }

    [Theory, Providers]
    public async Task Every_problem_is_listed_up_to_the_cap_and_the_rest_counted(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var sb = new StringBuilder(H).Append('\n');
        for (var i = 0; i < 1500; i++)
        {
            sb.Append(Row(w.Aliquots[i % w.Aliquots.Count], i % 2 == 0 ? "NaN" : "x", uniprot: "P05231")).Append('\n');
        }
        var path = await AssayFiles.WriteAsync(w.Dir, "many.csv", sb.ToString());
        var before = await Footprint.TakeAsync(w.Db);
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-MANY");
        outcome.ProblemCount.ShouldBe(1500);
        outcome.Problems.Count.ShouldBe(1000);
        outcome.Problems[0].ToString().ShouldStartWith("row 2, column NPX: 'NaN' — NaN and infinity");
        (await Footprint.TakeAsync(w.Db)).ShouldBe(before);
    }

    [Theory, Providers]
    public async Task Every_kind_of_problem_in_one_file_is_listed_together(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var text = $"{H}\n{Row(w.Aliquots[0], "NaN")}\n{Row(w.WithdrawnAliquot)}\n{Row(w.Aliquots[1], uniprot: "Q9Y6K9")}\n{Row(w.Aliquots[2], assay: "=2+2")}\n{Row(w.Aliquots[3])[..20]}\n";
        var outcome = await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, "mixed.csv", text), AssayFileFormat.Npx, "RUN-MIXED");
        outcome.Problems.Select(p => (p.Row, p.Column)).ShouldBe([(2, "NPX"), (3, "SampleID"), (4, "UniProt"), (5, "Assay"), (6, "line")]);
    }
}
