using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Assays.Formats;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

/// <summary>
/// The vendor-shaped files of tests/fixtures/vendor (docs/vendor-formats.md) imported through the use case with
/// <c>--format auto</c> on a real SQLite file: the format detected, the values stored, controls counted, the columns
/// not stored named; and each shape with one bad value refused by row and column with nothing written.
/// </summary>
public sealed class VendorFormatTests(VendorFormatTests.World world) : IClassFixture<VendorFormatTests.World>
{
    /// <summary>An assay world whose aliquots carry the fixtures' barcodes (valid, but not in the demo data).</summary>
    public sealed class World : IAsyncLifetime
    {
        public static readonly string[] Barcodes =
        [
            "BRUA000012019", "BRUA000012027", "BRUA00001207Y", "AARA000003104", "AARA000003112", "LYOA00005402M", "LYOA000054098",
            "ESSA00000077Y", "ESSA00000078W", "BRUA00001310*",
        ];

        public AssayWorld W { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            W = await AssayWorld.CreateAsync("Sqlite");
            await GiveBarcodesAsync(W.Db, W.Aliquots);
        }

        /// <summary>
        /// Makes the fixtures' barcodes real aliquots of <paramref name="db"/>: aliquots are numbered from the same
        /// sequences, so some may exist already; the others are given to aliquots of <paramref name="spare"/> the fixtures do not name.
        /// </summary>
        public static async Task GiveBarcodesAsync(TestDatabase db, IEnumerable<string> spare)
        {
            await using var c = await db.Db.OpenAsync(default);
            var free = new Queue<string>(spare.Where(a => !Barcodes.Contains(a)));
            foreach (var code in Barcodes)
            {
                if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tube WHERE barcode = @Code", new { Code = code }) > 0)
                {
                    continue;
                }
                var old = free.Dequeue();
                // The barcode register first (tube.barcode references it), as printing a label would have filled it.
                await c.ExecuteAsync("""
                    INSERT INTO barcode (code, kind, external, site_id, created_utc) SELECT @New, kind, external, site_id, created_utc FROM barcode WHERE code = @Old
                    ON CONFLICT (code) DO NOTHING
                    """, new { New = code, Old = old });
                await c.ExecuteAsync("UPDATE tube SET barcode = @New WHERE barcode = @Old", new { New = code, Old = old });
            }
        }

        public async Task DisposeAsync() => await W.DisposeAsync();
    }

    public static string Fixture(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Biobank.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir!.FullName, "tests", "fixtures", "vendor", name);
    }

    public static readonly TheoryData<string, string> Detected = new()
    {
        { "olink/target96_npx_manager_long_comma.csv", "olink" },
        { "olink/target96_npx_signature_long_semicolon.csv", "olink" },
        { "olink/target96_npx_signature_long_semicolon_decimal_comma.csv", "olink" },
        { "olink/explore3072_npx_long_semicolon.csv", "olink" },
        { "olink/explore_ht_npx_long.parquet", "olink" },
        { "olink/target96_npx_signature_wide.xlsx", "olink-wide" },
        { "quantstudio/qs5_rtpcr_software_results.txt", "quantstudio" },
        { "quantstudio/qs3_design_analysis_v2.7_results.xlsx", "quantstudio" },
        { "biorad/cfx_maestro_quantification_cq_results.csv", "cfx" },
    };

    [Theory]
    [MemberData(nameof(Detected))]
    public async Task Auto_detects_the_format_of_every_vendor_fixture(string file, string format)
    {
        var path = Fixture(file);
        var sniff = await FileSniffer.SniffAsync(path, AssayRowSource.KindOf(path), Path.GetFileName(path), default);
        AssayFormatRegistry.Detect(sniff).Format?.Name.ShouldBe(format);
    }

    public static readonly TheoryData<string, string, string> OwnLayouts = new()
    {
        { "own-qpcr.csv", "SampleID,miRNA,Ct\nBRUA000012019,hsa-miR-21-5p,24.1\n", "qpcr" },
        { "own-counts.tsv", "miRNA\tBRUA000012019\tBRUA000012027\nhsa-miR-21-5p\t120\t98\nhsa-miR-16-5p\t4000\t3500\n", "counts" },
        { "own-wide.csv", "Barcode,P05231,TNF (pg/mL)\nBRUA000012019,1.5,2.5\nBRUA000012027,1.1,2.0\n", "wide" },
        { "own-npx.csv", AssayFiles.NpxHeader + "\nBRUA000012019,1,OID1,P05231,IL6,0,INF,v1,P1,Pass,0.5,1.2\n", "olink" },
    };

    [Theory]
    [MemberData(nameof(OwnLayouts))]
    public async Task Auto_detects_our_own_layouts_too(string name, string text, string format)
    {
        var path = await AssayFiles.WriteAsync(world.W.Dir, name, text);
        var sniff = await FileSniffer.SniffAsync(path, FileKind.Text, name, default);
        AssayFormatRegistry.Detect(sniff).Format?.Name.ShouldBe(format);
    }

    [Fact]
    public async Task The_assay_docs_list_every_registered_format()
    {
        var docs = await File.ReadAllTextAsync(Path.Combine(Fixture(""), "..", "..", "..", "docs", "assays.md"));
        foreach (var f in AssayFormatRegistry.All)
        {
            docs.ShouldContain($"| `{f.Name}`");
        }
    }

    [Fact]
    public async Task Auto_refuses_a_file_of_no_known_shape_listing_every_format_and_what_it_expects()
    {
        var before = await Footprint.TakeAsync(world.W.Db);
        var path = await AssayFiles.WriteAsync(world.W.Dir, "freezer-log.csv", "Date,Freezer,Temperature\n2026-02-01,F1,-80.2\n");
        var outcome = await world.W.ImportAsync(path, AssayFileFormat.Npx, "RUN-UNKNOWN", c => c with { Format = AssayFormatChoice.Auto });
        outcome.Ok.ShouldBeFalse();
        var problem = outcome.Problems.ShouldHaveSingleItem();
        problem.Column.ShouldBe("format");
        problem.Reason.ShouldContain("the format of this text file was not recognised (its first row starts 'Date,Freezer,Temperature')");
        foreach (var f in AssayFormatRegistry.All)
        {
            problem.Reason.ShouldContain($"{f.Name} — {f.Title}: {f.Expects}");
        }
        (await Footprint.TakeAsync(world.W.Db)).ShouldBe(before);
    }

    public sealed record Expected(string File, string Format, long Results, long Controls, string[] Unstored, string Barcode, string Analyte, double? Value, double? Raw,
        string[]? References = null);

    public static readonly TheoryData<Expected> Imports = new()
    {
        new("olink/target96_npx_manager_long_comma.csv", "olink", 28, 4, ["Index", "OlinkID", "MissingFreq"], "BRUA000012019", "P10145", 4.23704, null),
        new("olink/target96_npx_signature_long_semicolon.csv", "olink", 28, 4, ["Index", "OlinkID", "MissingFreq"], "BRUA000012027", "P10145", -0.67542, null),
        new("olink/target96_npx_signature_long_semicolon_decimal_comma.csv", "olink", 28, 4, ["Index", "OlinkID", "MissingFreq"], "BRUA000012027", "P10145", -0.67542, null),
        new("olink/explore3072_npx_long_semicolon.csv", "olink", 32, 8, ["Index", "OlinkID", "MissingFreq"], "BRUA000012019", "P05231", 2.6723, null),
        new("olink/explore_ht_npx_long.parquet", "olink", 8, 8, ["WellID", "OlinkID", "Block", "Count", "ExtNPX", "PCNormalizedNPX"], "BRUA000012019", "P05231", null, null),
        new("olink/target96_npx_signature_wide.xlsx", "olink-wide", 28, 4, ["QC Deviation from median (Inc Ctrl 2)", "QC Deviation from median (Det Ctrl)"], "BRUA000012027", "P15692", 2.91514, null),
        new("quantstudio/qs5_rtpcr_software_results.txt", "quantstudio", 10, 2, ["Well", "Reporter", "Quencher", "Ct Mean", "Ct SD"], "BRUA000012019", "hsa-miR-21-5p", 28.8725 - 22.6585, 28.8725,
            ["hsa-miR-16-5p"]),
        new("quantstudio/qs3_design_analysis_v2.7_results.xlsx", "quantstudio", 12, 2, ["Well", "Reporter", "Amp Status", "Cq Mean"], "ESSA00000077Y", "hsa-miR-21-5p", null, 25.06568458189995),
        new("biorad/cfx_maestro_quantification_cq_results.csv", "cfx", 7, 1, ["Fluor", "Biological Set Name", "Cq Mean", "Cq Std. Dev", "Well Note"], "BRUA000012019", "hsa-miR-21-5p", null,
            (23.4819498935674 + 23.4682916326335 + 23.5211966321554) / 3),
    };

    [Theory]
    [MemberData(nameof(Imports))]
    public async Task A_vendor_file_imports_with_auto_storing_its_values_controls_and_naming_what_is_not_stored(Expected e)
    {
        var run = "RUN-" + Path.GetFileNameWithoutExtension(e.File).Replace('.', '-').ToUpperInvariant()[..Math.Min(40, Path.GetFileNameWithoutExtension(e.File).Length)];
        var outcome = await world.W.ImportAsync(Fixture(e.File), AssayFileFormat.Npx, run,
            c => c with { Format = AssayFormatChoice.Auto, AddAnalytes = true, References = e.References ?? [] });
        outcome.Ok.ShouldBeTrue(string.Join("\n", outcome.Problems));
        var s = outcome.Summary!;
        s.Format!.Name.ShouldBe(e.Format);
        s.Format.Detected.ShouldBeTrue();
        s.Results.ShouldBe(e.Results);
        s.Controls.ShouldBe(e.Controls);
        foreach (var column in e.Unstored)
        {
            s.Format.Unstored.ShouldContain(column);
        }
        await using var c = await world.W.Db.Db.OpenAsync(default);
        var stored = await c.QuerySingleAsync<(double? Value, double? Raw)>("""
            SELECT r.value, r.raw_value FROM assay_result r JOIN assay_run u ON u.id = r.run_id JOIN tube t ON t.id = r.tube_id JOIN analyte a ON a.id = r.analyte_id
            WHERE u.run_code = @Run AND t.barcode = @Barcode AND a.code = @Analyte
            """, new { Run = run, e.Barcode, e.Analyte });
        if (e.Value is { } value)
        {
            stored.Value!.Value.ShouldBe(value, 1e-3);
        }
        if (e.Raw is { } raw)
        {
            stored.Raw!.Value.ShouldBe(raw, 1e-3);
        }
        var file = await c.QuerySingleAsync<(string Format, string Options)>(
            "SELECT f.format, f.options_json FROM assay_file f JOIN assay_run u ON u.id = f.run_id WHERE u.run_code = @Run", new { Run = run });
        file.Format.ShouldBe(e.Format);
        file.Options.ShouldContain("\"format_detected\":true");
    }

    [Fact]
    public async Task Inter_plate_and_negative_control_rows_of_a_Target_96_export_are_stored_as_controls_not_refused_as_unknown_aliquots()
    {
        var text = await File.ReadAllTextAsync(Fixture("olink/target96_npx_signature_long_semicolon.csv"));
        var row = "BRUA000012019;1;OID00471;P10145;IL8;0.2857;Olink Target 96 Inflammation;B14203;RT-PED_INF_P1;PASS;1.4123;4.23704;Intensity;PASS\r\n";
        text += row.Replace("BRUA000012019;1;", "IPC;90;", StringComparison.Ordinal) + row.Replace("BRUA000012019;1;", "Negative Control;91;", StringComparison.Ordinal);
        var path = await AssayFiles.WriteAsync(world.W.Dir, "t96-ipc.csv", text);
        var outcome = await world.W.ImportAsync(path, AssayFileFormat.Npx, "RUN-T96-IPC", c => c with { Format = AssayFormatChoice.Auto, AddAnalytes = true });
        outcome.Ok.ShouldBeTrue(string.Join("\n", outcome.Problems));
        outcome.Summary!.Controls.ShouldBe(6);
        outcome.Summary.Format!.ControlSamples.ShouldBe(3);   // CONTROL_SAMPLE_AS 1, IPC, Negative Control
    }

    [Fact]
    public async Task Explore_parquet_records_which_NPX_and_LOD_were_stored_and_skips_internal_controls()
    {
        // A world of its own: the theory above imports the same file (same SHA-256) into the shared one.
        var own = new World();
        await own.InitializeAsync();
        await using var _ = own.W;
        var outcome = await own.W.ImportAsync(Fixture("olink/explore_ht_npx_long.parquet"), AssayFileFormat.Npx, "RUN-HT-FACTS",
            c => c with { Format = new AssayFormatChoice("olink"), AddAnalytes = true });
        outcome.Ok.ShouldBeTrue(string.Join("\n", outcome.Problems));
        var f = outcome.Summary!.Format!;
        f.Detected.ShouldBeFalse();
        f.Facts["value"].ShouldBe("NPX (PCNormalizedNPX not stored)");
        f.Facts["lod"].ShouldBe("none in the file");
        f.Facts["Product"].ShouldBe("ExploreHT");
        f.Facts["internal control rows skipped"].ShouldBe("24");
        f.ControlSamples.ShouldBe(4);
    }

    [Fact]
    public async Task Replicates_are_averaged_with_their_SD_kept_and_a_wide_spread_is_flagged()
    {
        var own = new World();
        await own.InitializeAsync();
        await using var _ = own.W;
        var outcome = await own.W.ImportAsync(Fixture("quantstudio/qs5_rtpcr_software_results.txt"), AssayFileFormat.Npx, "RUN-QS-SPREAD",
            c => c with { Format = AssayFormatChoice.Auto, References = ["hsa-miR-16-5p"], MaxReplicateSd = 1.0 });
        outcome.Ok.ShouldBeTrue(string.Join("\n", outcome.Problems));
        await using var c = await own.W.Db.Db.OpenAsync(default);
        var rows = (await c.QueryAsync<(string Barcode, string Analyte, long Qc, long Replicates, long Detected, double? Sd)>("""
            SELECT t.barcode, a.code, r.qc_warning, p.replicates, p.detected, p.sd
            FROM assay_result r JOIN assay_run u ON u.id = r.run_id JOIN tube t ON t.id = r.tube_id JOIN analyte a ON a.id = r.analyte_id
            JOIN assay_result_replicates p ON p.run_id = r.run_id AND p.tube_id = r.tube_id AND p.analyte_id = r.analyte_id
            WHERE u.run_code = 'RUN-QS-SPREAD'
            """)).ToDictionary(r => (r.Barcode, r.Analyte));
        rows.Count.ShouldBe(10);
        // 27.950 and 29.795: SD 1.305 > 1.0 → flagged; 29.114 and 29.079: SD 0.025 → not.
        rows[("BRUA000012019", "hsa-miR-21-5p")].Sd!.Value.ShouldBe(1.3046, 1e-3);
        rows[("BRUA000012019", "hsa-miR-21-5p")].Qc.ShouldBe(1);
        rows[("BRUA000012027", "hsa-miR-21-5p")].Qc.ShouldBe(0);
        // One well Undetermined, one 27.986: kept as one of two amplified, flagged.
        rows[("AARA000003104", "hsa-miR-21-5p")].Detected.ShouldBe(1);
        rows[("AARA000003104", "hsa-miR-21-5p")].Qc.ShouldBe(1);
    }

    public static readonly TheoryData<string, string, string, int, string> BadValues = new()
    {
        { "olink/target96_npx_signature_long_semicolon.csv", ";7.28978;", ";7.2x978;", 3, "NPX" },
        { "olink/target96_npx_manager_long_comma.csv", ",7.28978", ",high", 3, "NPX" },
        { "olink/explore3072_npx_long_semicolon.csv", ";-1.992;", ";Inf;", 3, "NPX" },
        { "quantstudio/qs5_rtpcr_software_results.txt", "\t29.795\t", "\t29.7q5\t", 0, "CT" },
        { "biorad/cfx_maestro_quantification_cq_results.csv", ",23.4682916326335,", ",23.46x,", 3, "Cq" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_value_in_a_vendor_file_is_refused_by_row_and_column_and_nothing_is_written(string file, string good, string bad, int row, string column)
    {
        var text = await File.ReadAllTextAsync(Fixture(file));
        var at = text.IndexOf(good, StringComparison.Ordinal);
        at.ShouldBeGreaterThan(0);
        var broken = text[..at] + bad + text[(at + good.Length)..];
        var path = await AssayFiles.WriteAsync(world.W.Dir, "bad-" + Path.GetFileName(file), broken);
        var before = await Footprint.TakeAsync(world.W.Db);
        var outcome = await world.W.ImportAsync(path, AssayFileFormat.Npx, "RUN-BAD-VENDOR", c => c with { Format = AssayFormatChoice.Auto, AddAnalytes = true });
        outcome.Ok.ShouldBeFalse();
        var problem = outcome.Problems.ShouldHaveSingleItem();
        problem.Column.ShouldBe(column);
        if (row > 0)
        {
            problem.Row.ShouldBe(row);
        }
        else
        {
            // QuantStudio: the row of the well in the file (after the header block and the other sections).
            var line = broken[..broken.IndexOf(bad, StringComparison.Ordinal)].Count(ch => ch == '\n') + 1;
            problem.Row.ShouldBe(line);
        }
        problem.Reason.ShouldContain(bad.Contains("Inf", StringComparison.Ordinal) ? "NaN and infinity" : "not a number");
        (await Footprint.TakeAsync(world.W.Db)).ShouldBe(before);
    }

    private static readonly IReadOnlyList<IReadOnlyList<string>> BadWide =
    [
        ["RT-PED", "NPX Signature 1.14.0"], ["NPX data"],
        ["Panel", "Olink Target 96 Inflammation(v.3022)", "Olink Target 96 Inflammation(v.3022)", "Olink Target 96 Inflammation(v.3022)"],
        ["Assay", "IL6", "Plate ID", "QC Warning"], ["Uniprot ID", "P05231", "", ""], ["OlinkID", "OID00482", "", ""],
        [""], ["BRUA000012019", "high", "P1", "Pass"], [""], ["LOD", "1.6", "", ""],
    ];

    [Fact]
    public async Task A_bad_NPX_cell_in_the_wide_workbook_is_refused_by_row_and_column()
    {
        var path = Path.Combine(world.W.Dir, "bad-wide.xlsx");
        AssayFiles.WriteXlsx(path, BadWide);
        var before = await Footprint.TakeAsync(world.W.Db);
        var outcome = await world.W.ImportAsync(path, AssayFileFormat.Npx, "RUN-BAD-WIDE", c => c with { Format = AssayFormatChoice.Auto });
        outcome.Ok.ShouldBeFalse(string.Join("\n", outcome.Problems));
        var problem = outcome.Problems.ShouldHaveSingleItem();
        (problem.Row, problem.Column, problem.Value).ShouldBe((8, "IL6", "high"));
        (await Footprint.TakeAsync(world.W.Db)).ShouldBe(before);
    }
}
