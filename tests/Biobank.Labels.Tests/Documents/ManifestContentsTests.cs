using Biobank.Labels.Documents;

namespace Biobank.Labels.Tests.Documents;

public sealed class ManifestContentsTests
{
    [Fact]
    public void Box_tubes_are_listed_row_major_with_A10_after_A9()
    {
        string?[] positions = ["B1", "A10", "a2", "A1", "AA1", "Z9", "A9", null, "shelf", "J10", "A01"];
        var box = new ManifestBox("BX-1", "Box", 10, 10, [.. positions.Select((p, i) => Manifests.Tube(i, p))]);

        var order = ManifestContents.InTableOrder(box).Select(t => t.Position).ToList();

        order.ShouldBe(["A1", "A01", "a2", "A9", "A10", "B1", "J10", "Z9", "AA1", "shelf", null]);
    }

    [Fact]
    public void Loose_tubes_are_listed_by_barcode()
    {
        var tubes = new[] { Manifests.Tube(5, null), Manifests.Tube(1, "B2"), Manifests.Tube(3, null) };

        var order = ManifestContents.InTableOrder(new ManifestBox(null, "Loose tubes", 0, 0, tubes));

        order.Select(t => t.Barcode).ShouldBe(tubes.Select(t => t.Barcode).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Totals_count_and_add_volumes_per_sample_type_across_boxes()
    {
        var doc = Manifests.Shipment(boxes: 2, rows: 3, cols: 3, looseTubes: 3);

        var totals = ManifestContents.TotalsBySampleType(doc.Boxes);

        totals.ShouldBe([("Buffy coat", 7, 843.5m), ("Plasma", 7, 1750m), ("Serum", 7, 1400m)]);
    }
}
