using System.Buffers.Binary;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Rendering;

public sealed class LabelPreviewTests
{
    private readonly LabelPreview preview = new();

    [Fact]
    public void Png_has_the_label_size_at_the_requested_resolution()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");

        var png = preview.RenderPng(template, Rows.Cryovial("AL-00000001"), dpi: 300);

        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).ShouldBe(296);   // 25 mm at 300 dpi, rounded up
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).ShouldBe(154);   // 13 mm
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
