using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Rendering;

/// <summary>Renders the shipped templates to PDF and checks them with poppler and the barcode decoders.</summary>
public sealed class PdfLabelRendererTests
{
    private const double PointsPerMm = 72 / 25.4;
    private readonly PdfLabelRenderer renderer = new();

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "ZXingReader", "dmtxread")]
    public void Cryovial_labels_decode_back_to_their_codes()
    {
        var codes = Rows.AliquotCodes(120, seed: 7);
        using var folder = new TempFolder("pdf-cryo");
        var pdf = Render("cryovial-2d", codes.Select(Rows.Cryovial), folder);

        var (pages, width, height) = Pdf.Info(pdf);
        pages.ShouldBe(codes.Count);
        width.ShouldBe(25 * PointsPerMm, 0.01);
        height.ShouldBe(13 * PointsPerMm, 0.01);

        // A scanner is aimed at the symbol: rasterise the left 9 mm of each label, where the Data Matrix is.
        var images = Pdf.ToPng(pdf, folder.File("cryo"), 600, (0, 0, 9, 13));
        images.Count.ShouldBe(codes.Count);
        var zxing = Decoders.ZXing(images, "DataMatrix");
        var dmtx = Decoders.Dmtx(images);
        folder.Keep = true;
        for (var i = 0; i < codes.Count; i++)
        {
            zxing[i].ShouldBe(codes[i], $"label {i + 1} (ZXingReader, {images[i]})");
            dmtx[i].ShouldBe(codes[i], $"label {i + 1} (dmtxread, {images[i]})");
        }

        var text = Pdf.Text(pdf);
        codes.ShouldAllBe(code => text.Contains(code, StringComparison.Ordinal));
        text.ShouldContain("PSN-BE-0042");
        text.ShouldContain("EDTA plasma");
        folder.Keep = false;
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "ZXingReader")]
    public void Tube_labels_decode_as_code128()
    {
        // Tube codes as the sites print them: upper case and digits (a 50 mm label holds about 14 such characters at 0.25 mm).
        var random = new Random(128);
        var codes = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? $"BB-PT-{random.Next(0, 100_000_000):D8}" : $"{Payloads.Pick(random, Payloads.Upper, 3)}{random.Next(0, 1_000_000):D6}").ToList();
        using var folder = new TempFolder("pdf-tube");
        var rows = codes.Select(c => new Dictionary<string, string>(Rows.Cryovial(c)) { ["barcode"] = c });
        var pdf = Render("tube-code128", rows, folder);

        var (pages, width, height) = Pdf.Info(pdf);
        pages.ShouldBe(codes.Count);
        width.ShouldBe(50 * PointsPerMm, 0.01);
        height.ShouldBe(22 * PointsPerMm, 0.01);
        var decoded = Decoders.ZXing(Pdf.ToPng(pdf, folder.File("tube"), 600), "Code128");
        decoded.ShouldBe(codes);
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "pdffonts", "ZXingReader")]
    public void Shipment_label_shows_the_un3373_and_dry_ice_marks()
    {
        using var folder = new TempFolder("pdf-ship");
        var pdf = Render("shipment-package", [Rows.Shipment("SHP-2026-000123", "5.0"), Rows.Shipment("SHP-2026-000124", "")], folder);

        var (pages, width, height) = Pdf.Info(pdf);
        pages.ShouldBe(2);
        width.ShouldBe(100 * PointsPerMm, 0.01);
        height.ShouldBe(150 * PointsPerMm, 0.01);

        var withDryIce = Pdf.Text(pdf, 1);
        withDryIce.ShouldContain("UN3373");
        withDryIce.ShouldContain("Biological Substance, Category B");
        withDryIce.ShouldContain("UN1845");
        withDryIce.ShouldContain("Dry Ice");
        withDryIce.ShouldContain("Net 5.0 kg");
        withDryIce.ShouldContain("Responsible person: Dr. Anna Lindqvist, tel. +46 8 123 456 78");
        withDryIce.ShouldContain("Hôpital Exemple");
        withDryIce.ShouldContain("Stockholm");

        var withoutDryIce = Pdf.Text(pdf, 2);
        withoutDryIce.ShouldContain("UN3373");
        withoutDryIce.ShouldContain("Biological Substance, Category B");
        withoutDryIce.ShouldNotContain("UN1845");
        withoutDryIce.ShouldNotContain("Dry Ice");

        Decoders.ZXing(Pdf.ToPng(pdf, folder.File("ship"), 300), "Code128").ShouldBe(["SHP-2026-000123", "SHP-2026-000124"]);

        // Every font is embedded (as a subset), so the label prints the same everywhere.
        var fonts = Pdf.Fonts(pdf).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        fonts.ShouldNotBeEmpty();
        fonts.ShouldAllBe(l => l.Contains(" yes ", StringComparison.Ordinal));
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "dmtxread", "ZXingReader")]
    public void A4_sheet_holds_rows_times_columns_labels_per_page()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "sheet-a4-cryovial");
        var sheet = template.Sheet!;
        var codes = Rows.AliquotCodes(sheet.LabelsPerPage + 10, seed: 4);
        using var folder = new TempFolder("pdf-sheet");
        var pdf = folder.File("sheet.pdf");
        using (var stream = File.Create(pdf))
        {
            renderer.Render(template, codes.Select(Rows.Cryovial), stream).ShouldBe(codes.Count);
        }

        var (pages, width, height) = Pdf.Info(pdf);
        pages.ShouldBe(2);
        width.ShouldBe(210 * PointsPerMm, 0.01);
        height.ShouldBe(297 * PointsPerMm, 0.01);
        var text = Pdf.Text(pdf);
        codes.ShouldAllBe(code => text.Contains(code, StringComparison.Ordinal));

        // The last label on page 1 sits in the last row and column.
        var (x, y) = sheet.Origin(sheet.LabelsPerPage - 1, template.WidthMm, template.HeightMm);
        var crop = Pdf.ToPng(pdf, folder.File("last"), 600, (x, y, 9, 13));
        Decoders.Dmtx([crop[0]]).ShouldBe([codes[sheet.LabelsPerPage - 1]]);
        Decoders.ZXing([crop[0]], "DataMatrix").ShouldBe([codes[sheet.LabelsPerPage - 1]]);
    }

    [Fact]
    public void Missing_field_names_the_label_and_the_field()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var rows = Rows.AliquotCodes(5, 1).Select(Rows.Cryovial).ToList();
        rows[2].Remove("pseudonym");

        var error = Should.Throw<LabelDataException>(() => renderer.Render(template, rows, Stream.Null));

        error.LabelNumber.ShouldBe(3);
        error.Field.ShouldBe("pseudonym");
        error.Message.ShouldBe("Label 3: the field 'pseudonym' is missing from the data.");
    }

    [Fact]
    public void Missing_condition_field_is_an_error_too()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "shipment-package");
        var row = Rows.Shipment("SHP-1", "");
        row.Remove("dry_ice_kg");

        var error = Should.Throw<LabelDataException>(() => renderer.Render(template, [row], Stream.Null));

        (error.LabelNumber, error.Field).ShouldBe((1, "dry_ice_kg"));
    }

    [Fact]
    public void Refused_barcode_value_names_the_label_and_the_field()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var rows = new[] { Rows.Cryovial("AL-1"), Rows.Cryovial("AL-→2") };

        var error = Should.Throw<LabelDataException>(() => renderer.Render(template, rows, Stream.Null));

        (error.LabelNumber, error.Field).ShouldBe((2, "barcode"));
        error.Message.ShouldStartWith("Label 2: the field 'barcode' cannot be printed as a barcode: Data Matrix cannot encode the character '→'");
        error.InnerException.ShouldBeOfType<Biobank.Labels.Barcodes.BarcodeEncodingException>();
    }

    [Fact]
    public void Barcode_too_big_for_its_place_is_refused()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");

        var error = Should.Throw<LabelDataException>(() => renderer.Render(template, [Rows.Cryovial(new string('x', 80))], Stream.Null));

        (error.LabelNumber, error.Field).ShouldBe((1, "barcode"));
        error.Message.ShouldContain("but the template leaves 7.2 × 7.2 mm for it");
    }

    [Fact]
    public void Rows_are_read_one_at_a_time()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var pulled = 0;
        IEnumerable<IReadOnlyDictionary<string, string>> Rows()
        {
            for (var i = 1; i <= 1000; i++)
            {
                pulled++;
                yield return i == 4 ? new Dictionary<string, string>() : Support.Rows.Cryovial($"AL-{i}");
            }
        }

        Should.Throw<LabelDataException>(() => renderer.Render(template, Rows(), Stream.Null)).LabelNumber.ShouldBe(4);
        pulled.ShouldBe(4);
    }

    private string Render(string name, IEnumerable<IReadOnlyDictionary<string, string>> rows, TempFolder folder)
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, name);
        var pdf = folder.File(name + ".pdf");
        using var stream = File.Create(pdf);
        renderer.Render(template, rows, stream);
        return pdf;
    }
}
