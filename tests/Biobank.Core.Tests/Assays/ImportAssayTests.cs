using System.Globalization;
using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

public sealed class ImportAssayTests
{
    private sealed record Stored
    {
        public string Barcode { get; init; } = "";
        public string Code { get; init; } = "";
        public double? Value { get; init; }
        public double? Lod { get; init; }
        public bool BelowLod { get; init; }
        public bool QcWarning { get; init; }
        public double? RawValue { get; init; }
    }

    private static async Task<List<Stored>> ResultsAsync(TestDatabase db, string run)
    {
        await using var c = await db.Db.OpenAsync(default);
        return (await c.QueryAsync<Stored>("""
            SELECT t.barcode AS Barcode, a.code AS Code, r.value AS Value, r.lod AS Lod, r.below_lod AS BelowLod, r.qc_warning AS QcWarning, r.raw_value AS RawValue
            FROM assay_result r JOIN assay_run ru ON ru.id = r.run_id JOIN tube t ON t.id = r.tube_id JOIN analyte a ON a.id = r.analyte_id
            WHERE ru.run_code = @Run ORDER BY t.barcode, a.code
            """, new { Run = run })).AsList();
    }

    private static void ShouldLand(ImportAssayOutcome outcome)
    {
        outcome.Ok.ShouldBeTrue(string.Join("\n", outcome.Problems.Select(p => p.ToString())));
    }

    [Theory, Providers]
    public async Task A_comma_NPX_file_lands_every_row_once_with_controls_and_consumption(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var aliquots = w.Aliquots.Take(4).ToList();
        var path = await AssayFiles.WriteAsync(w.Dir, "npx.csv", AssayFiles.Npx(aliquots));
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NPX-1", c => c with { ConsumeUl = 4m });
        ShouldLand(outcome);
        outcome.Summary!.Results.ShouldBe(12);
        outcome.Summary.Controls.ShouldBe(3);
        outcome.Summary.Aliquots.ShouldBe(4);
        outcome.Summary.ConsumedUl.ShouldBe(16m);
        var rows = await ResultsAsync(w.Db, "RUN-NPX-1");
        rows.Count.ShouldBe(12);
        rows.Select(r => (r.Barcode, r.Code)).Distinct().Count().ShouldBe(12);
        rows.Single(r => r.Barcode == aliquots[0] && r.Code == "P05231").Value.ShouldBe(1.25);
        rows.Single(r => r.Barcode == aliquots[0] && r.Code == "P05231").Lod.ShouldBe(0.5);
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_control k JOIN assay_run r ON r.id = k.run_id WHERE r.run_code = 'RUN-NPX-1' AND k.sample_id = 'CONTROL_SAMPLE_AS 1'")).ShouldBe(3);
        (await c.ExecuteScalarAsync<decimal>("SELECT remaining_ul FROM tube WHERE barcode = @B", new { B = aliquots[0] })).ShouldBe(6m);
        (await c.ExecuteScalarAsync<string>("SELECT details FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE t.barcode = @B AND e.event = 'consumed'", new { B = aliquots[0] }))!
            .ShouldContain("4 µL used by assay run RUN-NPX-1");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_run_aliquot a JOIN assay_run r ON r.id = a.run_id WHERE r.run_code = 'RUN-NPX-1' AND a.plate_id = 'PLATE1'")).ShouldBe(4);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE table_name = 'assay_file' AND user_name <> 'seed-demo'")).ShouldBe(1);
        var audit = await c.QuerySingleAsync<(string Old, string New)>(
            "SELECT old_values, new_values FROM audit_log a JOIN tube t ON CAST(t.id AS TEXT) = a.row_key WHERE a.table_name = 'tube' AND a.reason = 'assay run RUN-NPX-1' AND t.barcode = @B",
            new { B = aliquots[0] });
        System.Text.Json.JsonDocument.Parse(audit.Old).RootElement.GetProperty("remaining_ul").GetDecimal().ShouldBe(10m);
        System.Text.Json.JsonDocument.Parse(audit.New).RootElement.GetProperty("remaining_ul").GetDecimal().ShouldBe(6m);
        System.Text.Json.JsonDocument.Parse(audit.New).RootElement.GetProperty("status").GetString().ShouldBe("registered", "a fresh aliquot not yet stored keeps its status");
        (await RunMatrices.MismatchesAsync(w.Db)).ShouldBeEmpty("the run's matrix, packed while writing, holds exactly the stored values");
    }

    [Theory, Providers]
    public async Task A_semicolon_NPX_file_with_decimal_commas_lands(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = await AssayFiles.WriteAsync(w.Dir, "npx-eu.csv", AssayFiles.Npx(w.Aliquots.Take(2).ToList(), ';', decimalComma: true));
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NPX-EU");
        ShouldLand(outcome);
        var rows = await ResultsAsync(w.Db, "RUN-NPX-EU");
        rows.Count.ShouldBe(6);
        rows.Single(r => r.Barcode == w.Aliquots[0] && r.Code == "P01375").Value.ShouldBe(1.75);
        rows.ShouldAllBe(r => r.Lod == 0.5);
    }

    [Theory, Providers]
    public async Task A_file_with_a_BOM_quoted_newlines_and_CRLF_lands(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var a = w.Aliquots[0];
        var text = AssayFiles.NpxHeader + "\r\n" +
            $"{a},1,OID00482,P05231,\"IL6\r\n(interleukin 6)\",0,\"Olink Target 96\nInflammation\",v.3022,PLATE1,Warning,2.1,1.5\r\n" +
            $"\"{a}\",2,OID00483,P01375,\"TNF, alpha\",0,Inflammation,v.3022,PLATE1,Pass,NA,NA\r\n";
        var path = await AssayFiles.WriteAsync(w.Dir, "bom.csv", text, new UTF8Encoding(true));
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-BOM");
        ShouldLand(outcome);
        var rows = await ResultsAsync(w.Db, "RUN-BOM");
        rows.Count.ShouldBe(2);
        var il6 = rows.Single(r => r.Code == "P05231");
        il6.QcWarning.ShouldBeTrue();
        il6.BelowLod.ShouldBeTrue("1.5 is below the LOD of 2.1");
        var tnf = rows.Single(r => r.Code == "P01375");
        tnf.Value.ShouldBeNull("NA is a missing value");
        tnf.Lod.ShouldBeNull();
    }

    [Theory, Providers]
    public async Task A_wide_matrix_lands_with_units_checked_and_names_resolved(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var text = "Barcode,P05231 (pg/mL),TNF (pg/mL),P16860\n" +
            $"{w.Aliquots[0]},1.5,2.5,10\n{w.Aliquots[1]},NA,3.25,1e3\nCTRL-1,1,1,1\n";
        var path = await AssayFiles.WriteAsync(w.Dir, "wide.csv", text);
        var outcome = await w.ImportAsync(path, AssayFileFormat.Wide, "RUN-WIDE", c => c with { PlatformCode = "ELISA" });
        ShouldLand(outcome);
        outcome.Summary!.Results.ShouldBe(6);
        outcome.Summary.Controls.ShouldBe(3);
        var rows = await ResultsAsync(w.Db, "RUN-WIDE");
        rows.Single(r => r.Barcode == w.Aliquots[1] && r.Code == "P16860").Value.ShouldBe(1000);
        rows.Single(r => r.Barcode == w.Aliquots[1] && r.Code == "P05231").Value.ShouldBeNull();
        rows.Single(r => r.Barcode == w.Aliquots[0] && r.Code == "P01375").Value.ShouldBe(2.5, "TNF resolves by name to P01375");
    }

    [Theory, Providers]
    public async Task A_wide_XLSX_lands(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = Path.Combine(w.Dir, "wide.xlsx");
        AssayFiles.WriteXlsx(path, [["SampleID", "P05231", "P01375"], [w.Aliquots[0], "1.5", "2.5"], [w.Aliquots[1], "0.25", ""]]);
        var outcome = await w.ImportAsync(path, AssayFileFormat.Wide, "RUN-XLSX", c => c with { PlatformCode = "OLINK-PEA" });
        ShouldLand(outcome);
        var rows = await ResultsAsync(w.Db, "RUN-XLSX");
        rows.Count.ShouldBe(4);
        rows.Single(r => r.Barcode == w.Aliquots[1] && r.Code == "P05231").Value.ShouldBe(0.25);
        rows.Single(r => r.Barcode == w.Aliquots[1] && r.Code == "P01375").Value.ShouldBeNull();
    }

    [Theory, Providers]
    public async Task An_NPX_XLSX_lands_with_numbers_as_the_spreadsheet_holds_them(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var rows = AssayFiles.Table(AssayFiles.Npx(w.Aliquots.Take(2).ToList()));
        var path = Path.Combine(w.Dir, "npx.xlsx");
        AssayFiles.WriteXlsx(path, rows);
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NPX-XLSX");
        ShouldLand(outcome);
        outcome.Summary!.Results.ShouldBe(6);
        outcome.Summary.Controls.ShouldBe(3);
        (await ResultsAsync(w.Db, "RUN-NPX-XLSX")).Single(r => r.Barcode == w.Aliquots[1] && r.Code == "P16860").Value.ShouldBe(3.75);
    }

    [Theory, Providers]
    public async Task A_qPCR_file_stores_delta_Ct_against_the_sample_s_references(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var (a, b) = (w.Aliquots[0], w.Aliquots[1]);
        // Sample a: references 20 and 22 (mean 21) → miR-21 at 25.5 gives ΔCt 4.5, miR-1 at 30 gives 9.
        // Sample b: references 19.5 and 20.5 (mean 20) → miR-21 at 23 gives 3; miR-1 undetermined.
        var text = "SampleID,miRNA,Ct\n" +
            $"{a},hsa-miR-21-5p,25.5\n{a},hsa-miR-1-3p,30\n{a},hsa-miR-16-5p,20\n{a},hsa-miR-93-5p,22\n" +
            $"{b},hsa-miR-16-5p,19.5\n{b},hsa-miR-21-5p,23\n{b},hsa-miR-1-3p,Undetermined\n{b},hsa-miR-93-5p,20.5\nNTC,hsa-miR-21-5p,38\n";
        var path = await AssayFiles.WriteAsync(w.Dir, "qpcr.csv", text);
        var outcome = await w.ImportAsync(path, AssayFileFormat.Qpcr, "RUN-QPCR", c => c with { References = ["hsa-miR-16-5p", "hsa-miR-93-5p"] });
        ShouldLand(outcome);
        var rows = await ResultsAsync(w.Db, "RUN-QPCR");
        rows.Count.ShouldBe(8);
        rows.Single(r => r.Barcode == a && r.Code == "hsa-miR-21-5p").Value!.Value.ShouldBe(4.5, 1e-9);
        rows.Single(r => r.Barcode == a && r.Code == "hsa-miR-21-5p").RawValue.ShouldBe(25.5);
        rows.Single(r => r.Barcode == a && r.Code == "hsa-miR-1-3p").Value!.Value.ShouldBe(9, 1e-9);
        rows.Single(r => r.Barcode == a && r.Code == "hsa-miR-16-5p").Value!.Value.ShouldBe(-1, 1e-9);
        rows.Single(r => r.Barcode == b && r.Code == "hsa-miR-21-5p").Value!.Value.ShouldBe(3, 1e-9);
        var undetermined = rows.Single(r => r.Barcode == b && r.Code == "hsa-miR-1-3p");
        undetermined.Value.ShouldBeNull();
        undetermined.BelowLod.ShouldBeTrue();
        outcome.Summary!.Controls.ShouldBe(1);
        (await RunMatrices.MismatchesAsync(w.Db)).ShouldBeEmpty("the run's matrix, packed while writing, holds exactly the stored ΔCt values");
    }

    [Theory, Providers]
    public async Task A_counts_matrix_lands_one_row_per_miRNA_and_aliquot(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var text = $"miRNA,{w.Aliquots[0]},{w.Aliquots[1]},BLANK-1\nhsa-miR-21-5p,1520,980,3\nhsa-miR-16-5p,20011,18000,0\nhsa-miR-1-3p,0,12.5,0\n";
        var path = await AssayFiles.WriteAsync(w.Dir, "counts.tsv", text.Replace(',', '\t'));
        var outcome = await w.ImportAsync(path, AssayFileFormat.Counts, "RUN-SEQ");
        ShouldLand(outcome);
        var rows = await ResultsAsync(w.Db, "RUN-SEQ");
        rows.Count.ShouldBe(6);
        rows.Single(r => r.Barcode == w.Aliquots[1] && r.Code == "hsa-miR-16-5p").Value.ShouldBe(18000);
        outcome.Summary!.Controls.ShouldBe(3);
    }

    [Theory, Providers]
    public async Task An_aliquot_barcode_is_never_taken_for_a_plate_control(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        // A control pattern that also matches this site's barcodes (BRU…): the aliquots must still land as results.
        var path = await AssayFiles.WriteAsync(w.Dir, "pattern.csv", AssayFiles.Npx(w.Aliquots.Take(2).ToList()));
        var outcome = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-PATTERN", c => c with { ControlPattern = "^(CONTROL|BRU)" });
        ShouldLand(outcome);
        outcome.Summary!.Results.ShouldBe(6);
        outcome.Summary.Controls.ShouldBe(3);
    }

    [Theory, Providers]
    public async Task Unknown_analytes_are_added_only_when_asked(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var text = AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[0], "Q9Y6K9", "IKBKG", "4.2") + "\n" + AssayFiles.NpxRow(w.Aliquots[1], "Q9Y6K9", "IKBKG", "4.4") + "\n";
        var path = await AssayFiles.WriteAsync(w.Dir, "new-analyte.csv", text);
        var refused = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NEW");
        refused.Ok.ShouldBeFalse();
        refused.Problems.Single().ToString().ShouldBe("row 2, column UniProt: 'Q9Y6K9' — unknown analyte Q9Y6K9 (IKBKG): add it to the catalogue, or import with --add-analytes (2 rows; the first is shown)");
        var added = await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NEW", c => c with { AddAnalytes = true });
        ShouldLand(added);
        added.Summary!.AnalytesAdded.ShouldBe(1);
        var analyte = await w.Db.Get<AssayCatalogue>().AnalyteAsync("Q9Y6K9", default);
        analyte!.Name.ShouldBe("IKBKG");
        analyte.BiomarkerClass.ShouldBe(BiomarkerClasses.PlasmaProtein);
        analyte.PanelCode.ShouldBe("Olink Target 96 Inflammation");
    }

    [Theory, Providers]
    public async Task A_second_file_adds_to_an_open_run_without_consuming_twice(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var first = AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[0], "P05231", "IL6", "1.0") + "\n";
        var second = AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[0], "P01375", "TNF", "2.0") + "\n";
        ShouldLand(await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, "panel1.csv", first), AssayFileFormat.Npx, "RUN-MULTI"));
        var outcome = await w.ImportAsync(await AssayFiles.WriteAsync(w.Dir, "panel2.csv", second), AssayFileFormat.Npx, "RUN-MULTI");
        ShouldLand(outcome);
        outcome.Summary!.AliquotsNewToRun.ShouldBe(0);
        outcome.Summary.ConsumedUl.ShouldBe(0m);
        (await ResultsAsync(w.Db, "RUN-MULTI")).Count.ShouldBe(2);
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<decimal>("SELECT remaining_ul FROM tube WHERE barcode = @B", new { B = w.Aliquots[0] })).ShouldBe(8m);
        (await c.ExecuteScalarAsync<long>("SELECT result_rows FROM assay_run WHERE run_code = 'RUN-MULTI'")).ShouldBe(2);
        (await c.ExecuteScalarAsync<long>("SELECT m.analytes FROM assay_run_matrix m JOIN assay_run r ON r.id = m.run_id WHERE r.run_code = 'RUN-MULTI'"))
            .ShouldBe(2, "the run's matrix is packed again with the second file's analyte");
        (await RunMatrices.MismatchesAsync(w.Db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Consumption_never_takes_an_aliquot_below_zero(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var tech = await LabData.CallerAsync(w.Db, "tech.bru");
        var box = await LabData.NewBoxAsync(w.Db, tech);
        (await w.Db.Get<Biobank.Core.Storage.StoreTube>().ExecuteAsync(tech, new Biobank.Core.Storage.StoreCommand(box, w.Aliquots[0]), default)).Ok.ShouldBeTrue();
        var path = await AssayFiles.WriteAsync(w.Dir, "big-volume.csv", AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[0], "P05231", "IL6", "1.0") + "\n");
        ShouldLand(await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-VOL", c => c with { ConsumeUl = 25m }));
        var tube = await w.Db.Get<Biobank.Core.Samples.TubeQueries>().ByBarcodeAsync(Biobank.Core.Common.Caller.System, w.Aliquots[0], default);
        tube!.RemainingUl.ShouldBe(0m);
        tube.Status.ShouldBe("consumed");
        tube.BoxId.ShouldBeNull();
        var history = await w.Db.Get<Biobank.Core.Samples.TubeQueries>().HistoryAsync(Biobank.Core.Common.Caller.System, tube.Id, default);
        history[^1].Details!.ShouldContain("25 µL planned but only 10 µL remained");
        history[^1].StatusAfter.ShouldBe("consumed");
        history[^1].From.ShouldBe($"{box} A1", "used up, it left its box");
        history[^1].To.ShouldBeNull();
        (await LabData.ReplayMismatchesAsync(w.Db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Volume_is_left_alone_when_the_consumed_volume_is_zero(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var before = await Footprint.TakeAsync(w.Db);
        var path = await AssayFiles.WriteAsync(w.Dir, "no-volume.csv", AssayFiles.Npx(w.Aliquots.Take(2).ToList(), control: false));
        ShouldLand(await w.ImportAsync(path, AssayFileFormat.Npx, "RUN-NOVOL", c => c with { ConsumeUl = 0m }));
        var after = await Footprint.TakeAsync(w.Db);
        after.Remaining.ShouldBe(before.Remaining);
        after.Custody.ShouldBe(before.Custody);
        after.RunAliquots.ShouldBe(before.RunAliquots + 2);
    }

    [Theory, Providers]
    public async Task Progress_reports_rows_read_validated_and_written(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = await AssayFiles.WriteAsync(w.Dir, "progress.csv", AssayFiles.Npx(w.Aliquots, control: false));
        var reports = new List<ImportProgress>();
        var outcome = await w.Db.Get<ImportAssay>().ExecuteAsync(w.Biologist,
            new ImportAssayCommand { FilePath = path, Format = AssayFileFormat.Npx, RunCode = "RUN-PROGRESS" }, new SyncProgress(reports.Add), default);
        ShouldLand(outcome);
        reports[^1].Phase.ShouldBe(ImportPhase.Done);
        reports[^1].RowsRead.ShouldBe(36);
        reports[^1].RowsValidated.ShouldBe(36);
        reports[^1].RowsWritten.ShouldBe(36);
        reports.Select(r => r.Phase).Distinct().ShouldBe([ImportPhase.Checking, ImportPhase.Validating, ImportPhase.Writing, ImportPhase.Done]);
    }

    [Theory, Providers]
    public async Task A_cancelled_import_writes_nothing(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var path = await AssayFiles.WriteAsync(w.Dir, "cancel.csv", AssayFiles.Npx(w.Aliquots));
        var before = await Footprint.TakeAsync(w.Db);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Phase == ImportPhase.Writing)
            {
                cts.Cancel();
            }
        });
        await Should.ThrowAsync<OperationCanceledException>(() => w.Db.Get<ImportAssay>().ExecuteAsync(w.Biologist,
            new ImportAssayCommand { FilePath = path, Format = AssayFileFormat.Npx, RunCode = "RUN-CANCEL" }, progress, cts.Token));
        (await Footprint.TakeAsync(w.Db)).ShouldBe(before);
    }

    internal sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
