using System.Globalization;
using System.Text.RegularExpressions;
using Biobank.Labels.Documents;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Documents;

/// <summary>Renders manifests and reads them back from outside with poppler and ZXingReader.</summary>
public sealed partial class ShipmentManifestPdfTests
{
    private const double PointsPerMm = 72 / 25.4;

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "pdffonts", "ZXingReader")]
    public void Full_shipment_lists_every_tube_and_box_with_totals_signatures_and_page_numbers()
    {
        var doc = Manifests.Shipment(boxes: 10);
        using var folder = new TempFolder("manifest-full");
        folder.Keep = true;
        var pdf = Render(doc, folder);

        var (pages, width, height) = Pdf.Info(pdf);
        width.ShouldBe(210 * PointsPerMm, 0.01);
        height.ShouldBe(297 * PointsPerMm, 0.01);
        pages.ShouldBeGreaterThan(10);

        var text = Pdf.Text(pdf);
        var tubes = doc.Boxes.SelectMany(b => b.Tubes).ToList();
        tubes.Count.ShouldBe(810);
        tubes.ShouldAllBe(t => text.Contains(t.Barcode, StringComparison.Ordinal));
        doc.Boxes.ShouldAllBe(b => text.Contains(b.Barcode!, StringComparison.Ordinal));
        text.ShouldContain("Shipment manifest");
        text.ShouldContain("UN3373 Biological Substance, Category B");
        text.ShouldContain("UN1845 Dry Ice, Class 9, net 12.5 kg");
        text.ShouldContain("World Courier");
        text.ShouldContain("WC-77812340991");
        text.ShouldContain("LOG-TT4-00917");
        text.ShouldContain("Position Barcode Pseudonym Sample type Timepoint Volume (µL)");

        // Totals: a third of the tubes of each type, and the grand total.
        text.ShouldContain("Plasma 270 67500");
        text.ShouldContain("Serum 270 54000");
        text.ShouldContain("Buffy coat 270 32535");
        text.ShouldContain("All tubes 810 154035");
        text.ShouldContain("Packed by");
        text.ShouldContain("Received by");
        for (var page = 1; page <= pages; page++)
        {
            text.ShouldContain($"Shipment {Manifests.ShipmentBarcode} · page {page} of {pages}");
        }

        // Each box lists its tubes row-major (A1 … A9, B1 …) whatever order they came in.
        foreach (var box in doc.Boxes)
        {
            var expected = box.Tubes.OrderBy(t => t.Position![0]).ThenBy(t => int.Parse(t.Position![1..], CultureInfo.InvariantCulture)).Select(t => t.Barcode).ToList();
            var found = expected.Select(code => text.IndexOf(code, StringComparison.Ordinal)).ToList();
            found.ShouldBe(found.Order().ToList(), $"tubes of {box.Barcode} in position order");
        }

        // A box that runs onto a new page repeats its heading and the table header there.
        var continuation = Enumerable.Range(2, pages - 1).First(p => Pdf.Text(pdf, p).Contains("(continued)", StringComparison.Ordinal));
        var continued = Pdf.Text(pdf, continuation);
        continued.ShouldContain("(continued) Box BX-2026-");
        continued.ShouldContain("Position Barcode Pseudonym Sample type Timepoint Volume (µL)");

        Decoders.ZXing([Page(pdf, 1, folder)], "Code128").ShouldBe([Manifests.ShipmentBarcode]);
        Page(pdf, continuation, folder);

        var fonts = Pdf.Fonts(pdf).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        fonts.ShouldNotBeEmpty();
        fonts.ShouldAllBe(l => l.Contains(" yes ", StringComparison.Ordinal));
        folder.Keep = false;
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "ZXingReader")]
    public void Shipment_of_only_loose_tubes_lists_them_by_barcode()
    {
        var doc = Manifests.Shipment(boxes: 0, looseTubes: 40, dryIceKg: null);
        using var folder = new TempFolder("manifest-loose");
        folder.Keep = true;
        var pdf = Render(doc, folder);

        var (pages, _, _) = Pdf.Info(pdf);
        var text = Pdf.Text(pdf);
        var lines = LayoutText(pdf);
        lines.ShouldContain("Loose tubes not in a box · 40 tubes");
        lines.ShouldContain("Packages 2 Contents 0 boxes, 40 tubes");
        lines.ShouldContain("Courier World Courier Dry ice none");
        text.ShouldContain("UN3373 Biological Substance, Category B");
        text.ShouldNotContain("UN1845");
        text.ShouldNotContain("Box BX-");
        var codes = doc.Boxes.Single().Tubes.Select(t => t.Barcode).Order(StringComparer.Ordinal).ToList();
        var found = codes.Select(code => text.IndexOf(code, StringComparison.Ordinal)).ToList();
        found.ShouldAllBe(i => i >= 0);
        found.ShouldBe(found.Order().ToList(), "loose tubes in barcode order");
        text.ShouldContain("All tubes 40");
        text.ShouldContain($"Shipment {Manifests.ShipmentBarcode} · page 1 of {pages}");

        Decoders.ZXing([Page(pdf, 1, folder)], "Code128").ShouldBe([Manifests.ShipmentBarcode]);
        folder.Keep = false;
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "ZXingReader")]
    public void Empty_loose_tube_list_renders_beside_a_box()
    {
        var box = Manifests.Shipment(boxes: 1).Boxes[0];
        var doc = Manifests.Document([box, new ManifestBox(null, "Loose tubes", 0, 0, [])]);
        using var folder = new TempFolder("manifest-empty-loose");
        folder.Keep = true;
        var pdf = Render(doc, folder);

        var (pages, _, _) = Pdf.Info(pdf);
        var text = Pdf.Text(pdf);
        box.Tubes.ShouldAllBe(t => text.Contains(t.Barcode, StringComparison.Ordinal));
        text.ShouldContain("Loose tubes not in a box · 0 tubes");
        text.ShouldContain("No loose tubes.");
        LayoutText(pdf).ShouldContain("Contents 1 box, 81 tubes");
        text.ShouldContain("All tubes 81");
        text.ShouldContain($"page {pages} of {pages}");
        Decoders.ZXing([Page(pdf, 1, folder)], "Code128").ShouldBe([Manifests.ShipmentBarcode]);
        folder.Keep = false;
    }

    [RequiresToolFact("pdftoppm", "pdfinfo", "pdftotext", "ZXingReader")]
    public void Shipment_without_any_box_renders_its_header_totals_and_signatures()
    {
        var doc = Manifests.Document([]);
        using var folder = new TempFolder("manifest-none");
        folder.Keep = true;
        var pdf = Render(doc, folder);

        Pdf.Info(pdf).Pages.ShouldBe(1);
        var text = Pdf.Text(pdf);
        text.ShouldContain("This shipment holds no tubes.");
        text.ShouldContain("All tubes 0 0");
        text.ShouldContain("Packed by");
        text.ShouldContain("Received by");
        Decoders.ZXing([Page(pdf, 1, folder)], "Code128").ShouldBe([Manifests.ShipmentBarcode]);
        folder.Keep = false;
    }

    [RequiresToolFact("pdftotext")]
    public void Long_texts_are_cut_with_an_ellipsis_inside_their_column_and_long_barcodes_shrink_instead()
    {
        const string longPseudonym = "PSN-BE-0042-WITH-A-VERY-LONG-SUFFIX-THAT-DOES-NOT-FIT";
        const string longBarcode = "AL-2026-BE-GNT-0001234";
        var tubes = new List<ManifestTube>
        {
            new(longBarcode, longPseudonym, "Saliva supernatant after second centrifugation", "Baseline (before the first fraction of radiotherapy)", 1500m, "A1"),
            Manifests.Tube(1, "A2"),
        };
        var doc = Manifests.Document([new ManifestBox("BX-1", new string('N', 120), 9, 9, tubes)]) with
        {
            Sender = new ManifestSite("BE-GNT", "Universitair Ziekenhuis Gent, Dienst Radiotherapie en Experimentele Kankerbehandeling", "Belgium"),
        };
        using var folder = new TempFolder("manifest-long");
        folder.Keep = true;
        var pdf = Render(doc, folder);

        var text = Pdf.Text(pdf);
        text.ShouldContain(longBarcode);
        text.ShouldNotContain(longPseudonym);
        text.ShouldMatch(@"PSN-BE-0042-\S*…");
        text.ShouldNotContain("Kankerbehandeling");

        // Every word of the table stays left of the next column's edge (Position 16, Barcode 37, Pseudonym 32 … mm).
        double[] edges = [15 + 16, 15 + 16 + 37, 15 + 16 + 37 + 32, 15 + 16 + 37 + 32 + 30, 15 + 16 + 37 + 32 + 30 + 41];
        var words = Words(pdf);
        foreach (var start in (string[])[longBarcode, "PSN-BE-0042-", "Saliva", "Baseline"])
        {
            var word = words.First(w => w.Text.StartsWith(start, StringComparison.Ordinal));
            var edge = edges.First(e => e * PointsPerMm > word.XMin);
            word.XMax.ShouldBeLessThanOrEqualTo(edge * PointsPerMm, $"'{word.Text}' runs into the next column");
        }

        var lastOfTimepoint = words.Where(w => Math.Abs(w.YMin - words.First(x => x.Text == "Baseline").YMin) < 1 && w.XMin > edges[3] * PointsPerMm && w.XMin < edges[4] * PointsPerMm).Max(w => w.XMax);
        lastOfTimepoint.ShouldBeLessThanOrEqualTo(edges[4] * PointsPerMm);
        folder.Keep = false;
    }

    [Fact]
    public void Shipment_barcode_that_code128_cannot_carry_is_refused_with_its_value()
    {
        var doc = Manifests.Document([]) with { ShipmentBarcode = "SHP-→1" };

        var error = Should.Throw<ArgumentException>(() => ShipmentManifestPdf.Render(doc, Stream.Null));

        error.Message.ShouldStartWith("The shipment barcode 'SHP-→1' cannot be printed as Code 128");
    }

    private static string Render(ManifestDocument doc, TempFolder folder)
    {
        var pdf = folder.File("manifest.pdf");
        using var stream = File.Create(pdf);
        ShipmentManifestPdf.Render(doc, stream);
        return pdf;
    }

    /// <summary>One page at 300 dpi, the resolution of an office printer the manifest is printed on.</summary>
    private static string Page(string pdf, int page, TempFolder folder)
    {
        var prefix = folder.File($"page-{page}");
        var number = page.ToString(CultureInfo.InvariantCulture);
        var (exit, _, stderr) = ExternalTool.Run("pdftoppm", ["-r", "300", "-png", "-f", number, "-l", number, "-singlefile", pdf, prefix]);
        exit.ShouldBe(0, stderr);
        return prefix + ".png";
    }

    /// <summary>The text line by line as it lies on the page (<c>pdftotext -layout</c>), runs of spaces made one.</summary>
    private static string LayoutText(string pdf) => Spaces().Replace(ExternalTool.Run("pdftotext", ["-layout", pdf, "-"]).Stdout, " ");

    /// <summary>Words with their boxes in points, from <c>pdftotext -bbox</c>.</summary>
    private static List<(string Text, double XMin, double YMin, double XMax)> Words(string pdf)
    {
        var (_, html, _) = ExternalTool.Run("pdftotext", ["-bbox", pdf, "-"]);
        return
        [
            .. WordLine().Matches(html).Select(m => (
                System.Net.WebUtility.HtmlDecode(m.Groups[5].Value),
                double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))),
        ];
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex("""<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>""")]
    private static partial Regex WordLine();
}
