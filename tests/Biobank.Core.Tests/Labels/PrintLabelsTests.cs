using System.Text;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Biobank.Labels.Tests.Support;

namespace Biobank.Core.Tests.Labels;

/// <summary>The label use cases on each database: what is printed, for whom, and what the audit trail keeps.</summary>
public sealed class PrintLabelsTests : IDisposable
{
    private static readonly Dictionary<string, string?> LocalPrinters = new() { [PrinterOptions.Setting] = "true" };

    private readonly TempFolder _dir = new("print-labels");

    [Theory, Providers]
    public async Task The_sites_tubes_print_as_PDF_and_ZPL_and_every_print_is_audited_with_reprints_marked(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var print = db.Get<PrintLabels>();
        var what = new LabelSelection(LabelSources.Aliquots, string.Join("\r\n", tubes));

        var pdf = (await print.ExecuteAsync(tech, new PrintLabelsCommand(what, "cryovial-2d", LabelOutputs.Pdf), default)).Value!;
        (pdf.Labels, pdf.Reprints, pdf.Printer).ShouldBe((3, 0, null));
        pdf.File!.ContentType.ShouldBe("application/pdf");
        pdf.File.FileName.ShouldBe("labels-cryovial-2d-20261102-090000.pdf");
        Encoding.ASCII.GetString(pdf.File.Content[..5]).ShouldBe("%PDF-");

        var zpl = (await print.ExecuteAsync(tech, new PrintLabelsCommand(what, "cryovial-2d", LabelOutputs.Zpl, 300), default)).Value!;
        zpl.Reprints.ShouldBe(3);
        zpl.File!.ContentType.ShouldBe("application/vnd.zebra.zpl");
        var text = Encoding.UTF8.GetString(zpl.File.Content);
        text.Split("^XA").Length.ShouldBe(4);
        tubes.ShouldAllBe(t => text.Contains(t, StringComparison.Ordinal));

        (await print.ExecuteAsync(tech, new PrintLabelsCommand(what, "cryovial-2d", LabelOutputs.Zpl, 150), default)).Problem!.Field.ShouldBe("Dpi");
        (await print.ExecuteAsync(tech, new PrintLabelsCommand(what, "cryovial-2d", "png"), default)).Problem!.Field.ShouldBe("Output");

        foreach (var code in tubes)
        {
            var rows = await PrintAuditAsync(db, "tube", code);
            rows.Count.ShouldBe(2);
            rows.ShouldAllBe(r => r.UserName == "tech.bru" && r.SiteId == tech.SiteId && r.NewValues!.Contains("\"count\":3"));
            rows.Single(r => r.NewValues!.Contains("\"format\":\"pdf\"")).NewValues!.ShouldContain("\"reprint\":false");
            rows.Single(r => r.NewValues!.Contains("\"format\":\"zpl\"")).NewValues!.ShouldContain("\"reprint\":true");
        }
    }

    [Theory, Providers]
    public async Task Another_sites_tube_box_sample_or_printer_is_not_found_and_nothing_is_printed_or_audited(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var bru = await LabData.CallerAsync(db, "tech.bru");
        var lyo = await LabData.CallerAsync(db, "tech.lyo");
        var ours = await LabData.NewAliquotsAsync(db, bru, 1);
        var theirs = await LabData.NewAliquotsAsync(db, lyo, 1);
        var theirBox = await LabData.NewBoxAsync(db, lyo);
        var theirPrimary = (await db.Get<Biobank.Core.Samples.TubeQueries>().ByBarcodeAsync(lyo, theirs[0], default))!.ParentBarcode!;
        var lyoAdmin = await LabData.CallerAsync(db, "admin.lyo");
        var theirPrinter = (await db.Get<Printers>().AddAsync(lyoAdmin, new PrinterInput(lyoAdmin.SiteId!.Value, "LYO bench", "zebra.lyo.example.org"), default)).Value;
        var print = db.Get<PrintLabels>();

        var mixed = await print.ExecuteAsync(bru, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, $"{ours[0]}\n{theirs[0]}"), "cryovial-2d", LabelOutputs.Pdf), default);
        mixed.Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        mixed.Problem.Message.ShouldContain(theirs[0]);
        mixed.Problem.Message.ShouldNotContain(ours[0]);
        (await print.ExecuteAsync(bru, new PrintLabelsCommand(new LabelSelection(LabelSources.Box, BoxBarcode: theirBox), "box", LabelOutputs.Pdf), default))
            .Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await print.ExecuteAsync(bru, new PrintLabelsCommand(new LabelSelection(LabelSources.Sample, SampleBarcode: theirPrimary), "cryovial-2d", LabelOutputs.Pdf), default))
            .Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        var onTheirPrinter = await print.ExecuteAsync(bru, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, ours[0]), "cryovial-2d", LabelOutputs.Printer, PrinterId: theirPrinter), default);
        onTheirPrinter.Problem!.Message.ShouldContain("your site's printers");

        (await PrintAuditAsync(db, "tube", ours[0])).ShouldBeEmpty();
        (await PrintAuditAsync(db, "tube", theirs[0])).ShouldBeEmpty();
        (await PrintAuditAsync(db, "box", theirBox)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task A_template_that_does_not_fit_and_a_label_that_cannot_be_encoded_are_explained_and_nothing_is_audited(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.aar");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 1);
        var print = db.Get<PrintLabels>();

        var misfit = await print.ExecuteAsync(tech, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, tubes[0]), "box", LabelOutputs.Pdf), default);
        misfit.Problem!.Message.ShouldContain("prints contents, which tube labels do not have");
        misfit.Problem.Message.ShouldContain("Templates that fit: cryovial-2d");
        (await print.ExecuteAsync(tech, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, tubes[0]), "cryovial-3d", LabelOutputs.Pdf), default))
            .Problem!.Message.ShouldStartWith("there is no template 'cryovial-3d'");

        // A pre-printed box code of 40 lower-case letters: a valid code, too wide for the box label's Code 128.
        var code = "lab-" + new string('q', 36);
        (await db.Get<StorageSetup>().AddBoxAsync(tech, tech.SiteId!.Value, null, "long code box", 9, 9, code, default)).Ok.ShouldBeTrue();
        var refused = await print.ExecuteAsync(tech, new PrintLabelsCommand(new LabelSelection(LabelSources.Box, BoxBarcode: code), "box", LabelOutputs.Pdf), default);
        refused.Problem!.Message.ShouldContain("Label 1");
        refused.Problem.Message.ShouldContain("'barcode'");
        refused.Problem.Message.ShouldContain($"(box {code}) Nothing was printed.");

        (await PrintAuditAsync(db, "tube", tubes[0])).ShouldBeEmpty();
        (await PrintAuditAsync(db, "box", code)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task ZPL_goes_to_the_sites_printer_which_is_recorded_and_a_printer_that_is_off_is_named_and_nothing_audited(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, settings: LocalPrinters);
        await LabData.SeedAsync(db);
        var admin = await LabData.CallerAsync(db, "admin.ess");
        var tech = await LabData.CallerAsync(db, "tech.ess");
        using var printer = new LoopbackPrinter();
        var printers = db.Get<Printers>();
        var on = (await printers.AddAsync(admin, new PrinterInput(admin.SiteId!.Value, "Bench Zebra", "127.0.0.1", printer.Port, 300), default)).Value;
        var offPort = LoopbackPrinter.ClosedPort();
        var off = (await printers.AddAsync(admin, new PrinterInput(admin.SiteId!.Value, "Switched off", "127.0.0.1", offPort), default)).Value;
        var tubes = await LabData.NewAliquotsAsync(db, tech, 4);
        var print = db.Get<PrintLabels>();

        var failed = await print.ExecuteAsync(tech, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, tubes[3]), "cryovial-2d", LabelOutputs.Printer, PrinterId: off), default);
        failed.Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        failed.Problem.Message.ShouldContain("Switched off");
        failed.Problem.Message.ShouldContain($"127.0.0.1:{offPort}");
        (await PrintAuditAsync(db, "tube", tubes[3])).ShouldBeEmpty();

        var sent = (await print.ExecuteAsync(tech, new PrintLabelsCommand(new LabelSelection(LabelSources.Aliquots, string.Join("\n", tubes.Take(3))), "cryovial-2d", LabelOutputs.Printer, PrinterId: on), default)).Value!;
        (sent.Labels, sent.Printer, sent.File).ShouldBe((3, "Bench Zebra", null));
        var zpl = Encoding.UTF8.GetString(await printer.ReceivedAsync());
        zpl.Split("^BX").Length.ShouldBe(4);
        tubes.Take(3).ShouldAllBe(t => zpl.Contains(t, StringComparison.Ordinal));
        var audit = (await PrintAuditAsync(db, "tube", tubes[0])).Single().NewValues!;
        audit.ShouldContain("\"format\":\"zpl\"");
        audit.ShouldContain("\"printer\":\"Bench Zebra\"");
    }

    [Theory, Providers]
    public async Task The_preview_is_the_first_label_as_a_PNG_checked_like_a_print_and_not_audited(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var other = await LabData.CallerAsync(db, "tech.lyo");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 2);
        var preview = db.Get<PreviewLabels>();
        var what = new LabelSelection(LabelSources.Aliquots, string.Join("\n", tubes));

        var rows = (await preview.ExecuteAsync(tech, new PreviewLabelsCommand(what, "cryovial-2d"), default)).Value!;
        (rows.Set.Labels.Count, rows.Template.Name, rows.Png).ShouldBe((2, "cryovial-2d", null));
        var png = (await preview.ExecuteAsync(tech, new PreviewLabelsCommand(what, "cryovial-2d", Image: true), default)).Value!.Png!;
        png[..8].ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });

        (await preview.ExecuteAsync(other, new PreviewLabelsCommand(what, "cryovial-2d", Image: true), default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await preview.ExecuteAsync(tech, new PreviewLabelsCommand(what, "box"), default)).Problem!.Field.ShouldBe("Template");
        (await preview.ExecuteAsync(tech, new PreviewLabelsCommand(new LabelSelection("everything"), "cryovial-2d"), default)).Problem!.Field.ShouldBe("Source");
        (await PrintAuditAsync(db, "tube", tubes[0])).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_CSV_file_prints_to_a_file_without_opening_the_database_and_a_bad_row_is_named_by_its_line()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite", migrate: false);
        var print = db.Get<PrintLabels>();
        var csv = _dir.File("labels.csv");
        await File.WriteAllTextAsync(csv, "barcode,pseudonym,sample_type,timepoint,date\nAL-1,PSN-1,EDTA plasma,Baseline,2026-11-22\n\nAL-2,PSN-2,EDTA plasma,Baseline,2026-11-22\n");
        var output = _dir.File("labels.zpl");

        var written = (await print.ExecuteAsync(new PrintLabelFileCommand("cryovial-2d", csv, LabelOutputs.Zpl, output, 300), default)).Value!;
        (written.Labels, written.Template, written.Path).ShouldBe((2, "cryovial-2d", Path.GetFullPath(output)));
        (await File.ReadAllTextAsync(output)).Split("^XA").Length.ShouldBe(3);
        File.Exists(output + ".partial").ShouldBeFalse();

        await File.WriteAllTextAsync(csv, "barcode,pseudonym,sample_type,timepoint,date\nAL-1,PSN-1,EDTA plasma,Baseline,2026-11-22\nAL-2,PSN-2\n");
        var broken = _dir.File("broken.pdf");
        var refused = await print.ExecuteAsync(new PrintLabelFileCommand("cryovial-2d", csv, LabelOutputs.Pdf, broken), default);
        refused.Problem!.Message.ShouldContain("(label 2, field 'sample_type', line 3 of");
        refused.Problem.Message.ShouldEndWith("Nothing was written.");
        File.Exists(broken).ShouldBeFalse();
        File.Exists(broken + ".partial").ShouldBeFalse();

        await File.WriteAllTextAsync(csv, "code,pseudonym\nAL-1,PSN-1\n");
        (await print.ExecuteAsync(new PrintLabelFileCommand("cryovial-2d", csv, LabelOutputs.Pdf, broken), default)).Problem!.Message.ShouldContain("has no 'barcode' column");
        (await print.ExecuteAsync(new PrintLabelFileCommand("cryovial-2d", _dir.File("nope.csv"), LabelOutputs.Pdf, broken), default)).Problem!.Message.ShouldContain("does not exist");

        File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.ConnectionString).DataSource).ShouldBeFalse("the labels verb needs no database");
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<IReadOnlyList<AuditRow>> PrintAuditAsync(TestDatabase db, string table, string barcode)
    {
        long? id = table == "tube"
            ? (await db.Get<Biobank.Core.Samples.TubeQueries>().ByBarcodeAsync(Caller.System, barcode, default))?.Id
            : (await db.Get<StorageSetup>().BoxAsync(Caller.System, barcode, default))?.Id;
        return id is null ? [] : await db.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: table, Key: id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), Action: AuditActions.Print), default);
    }
}
