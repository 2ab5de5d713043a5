using System.Buffers.Binary;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;
using ZXing;

namespace Biobank.Labels.Tests.Rendering;

public sealed class LabelPreviewTests
{
    private readonly LabelPreview preview = new();

    [Fact]
    public void Png_has_the_label_size_at_the_requested_resolution()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");

        var png = preview.RenderPng(template, Rows.Cryovial("AL-00000001"), dpi: 300);

        png.AsSpan(0, 8).ToArray().ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).ShouldBe(296);   // 25 mm at 300 dpi, rounded up
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).ShouldBe(154);   // 13 mm
        (png[24], png[25]).ShouldBe(((byte)8, (byte)0));                     // 8-bit greyscale
        Png.Grey(png).Width.ShouldBe(296);                                   // and it decodes
    }

    [Fact]
    public void Text_is_drawn_in_the_pdf_font_at_the_pdf_width()
    {
        const int Dpi = 600;
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var (pixels, width, _) = Png.Grey(preview.RenderPng(template, Rows.Cryovial("AL-00000001"), Dpi));

        // The pseudonym line: 5.5 pt regular at x = 9.0 mm, y = 3.1 mm (the lines above and below leave a gap).
        using var measurer = new TextMeasurer();
        var textWidth = measurer.WidthMm("PSN-BE-0042", 5.5, bold: false);
        static int Px(double mm) => (int)(mm * Dpi / 25.4);
        var dark = new List<int>();
        for (var y = Px(3.1); y < Px(3.1 + 5.5 * 25.4 / 72); y++)
        {
            for (var x = Px(8.5); x < width; x++)
            {
                if (pixels[y * width + x] < 128)
                {
                    dark.Add(x);
                }
            }
        }

        dark.Count.ShouldBeGreaterThan(500, "the pseudonym's glyphs");
        (dark.Min() * 25.4 / Dpi).ShouldBe(9.0, 0.25);
        (dark.Max() * 25.4 / Dpi).ShouldBe(9.0 + textWidth, 0.25);
    }

    // 400 dpi is the web page's preview. At 203 dpi the cryovial's 0.3 mm module is 2.4 pixels, blurred at
    // every edge by anti-aliasing, and ZXing.Net does not read it; the printed label is checked through ZPL and PDF.
    [Theory]
    [InlineData(300)]
    [InlineData(400)]
    public void Every_template_preview_reads_with_ZXing_Net_in_process(int dpi)
    {
        var row = new Dictionary<string, string>(Rows.Cryovial("BRUA00000042K"))
        {
            ["box_name"] = "Plasma box 17", ["contents"] = "EDTA plasma", ["location"] = "F2/R3",
        };
        foreach (var (key, value) in Rows.Shipment("SHP-2026-000123", "5.0"))
        {
            row[key] = value;
        }

        var reader = new BarcodeReaderGeneric
        {
            Options = { PossibleFormats = [BarcodeFormat.DATA_MATRIX, BarcodeFormat.CODE_128], TryHarder = true },
        };
        var names = LabelTemplate.List(Repository.LabelsFolder);
        names.ShouldNotBeEmpty();
        foreach (var name in names)
        {
            var template = LabelTemplate.LoadByName(Repository.LabelsFolder, name);
            var barcode = template.Elements.OfType<BarcodeElement>().First();
            var (pixels, width, height) = Png.Grey(preview.RenderPng(template, row, dpi));
            var (area, areaWidth, areaHeight) = AimedAt(barcode, pixels, width, height, dpi);

            (reader.Decode(area, areaWidth, areaHeight, RGBLuminanceSource.BitmapFormat.Gray8)?.Text).ShouldBe(barcode.Data.Resolve(row, 1), $"{name} at {dpi} dpi");
        }
    }

    // What a scanner aimed at the barcode sees: its box and quiet zone. ZXing.Net's Data Matrix detector
    // does not find the cryovial's symbol in the whole label, where its text starts 2 modules away;
    // zxing-cpp and libdmtx do (Preview_barcodes_decode).
    private static (byte[] Pixels, int Width, int Height) AimedAt(BarcodeElement b, byte[] pixels, int width, int height, int dpi)
    {
        var quiet = (b.Symbology == Labels.Barcodes.BarcodeFormat.Code128 ? 10 : 2) * b.ModuleMm;
        var boxHeight = b.MaxHeightMm ?? (b.Symbology == Labels.Barcodes.BarcodeFormat.Code128 ? b.HeightMm : 144 * b.ModuleMm);
        int Px(double mm, int limit) => Math.Clamp((int)Math.Round(mm * dpi / 25.4), 0, limit);
        int left = Px(b.X - quiet, width), right = Px(b.X + (b.MaxWidthMm ?? 200) + quiet, width);
        int top = Px(b.Y - quiet, height), bottom = Px(b.Y + boxHeight + quiet, height);
        var area = new byte[(right - left) * (bottom - top)];
        for (var y = top; y < bottom; y++)
        {
            pixels.AsSpan(y * width + left, right - left).CopyTo(area.AsSpan((y - top) * (right - left)));
        }

        return (area, right - left, bottom - top);
    }

    [RequiresToolFact("ZXingReader", "dmtxread")]
    public void Preview_barcodes_decode()
    {
        using var folder = new TempFolder("preview");
        var cryo = folder.File("cryo.png");
        var box = folder.File("box.png");
        var ship = folder.File("ship.png");
        File.WriteAllBytes(cryo, preview.RenderPng(LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d"), Rows.Cryovial("BE042-T1-PL-07"), dpi: 600));
        var boxRow = new Dictionary<string, string> { ["barcode"] = "BB-BX-000017", ["box_name"] = "Plasma box 17", ["contents"] = "EDTA plasma", ["location"] = "F2/R3", ["date"] = "2026-11-22" };
        File.WriteAllBytes(box, preview.RenderPng(LabelTemplate.LoadByName(Repository.LabelsFolder, "box"), boxRow, dpi: 300));
        File.WriteAllBytes(ship, preview.RenderPng(LabelTemplate.LoadByName(Repository.LabelsFolder, "shipment-package"), Rows.Shipment("SHP-2026-000123", "5.0"), dpi: 200));

        Decoders.ZXing([cryo], "DataMatrix").ShouldBe(["BE042-T1-PL-07"]);
        Decoders.Dmtx([cryo]).ShouldBe(["BE042-T1-PL-07"]);
        Decoders.Dmtx([box]).ShouldBe(["BB-BX-000017"]);
        Decoders.ZXing([box], "Code128").ShouldBe(["BB-BX-000017"]);
        Decoders.ZXing([ship], "Code128").ShouldBe(["SHP-2026-000123"]);
    }

    [Fact]
    public void Missing_field_is_reported_as_label_1()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");

        var error = Should.Throw<LabelDataException>(() => preview.RenderPng(template, new Dictionary<string, string>()));

        (error.LabelNumber, error.Field).ShouldBe((1, "barcode"));
    }
}
