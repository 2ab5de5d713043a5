using Biobank.Labels.Documents;

namespace Biobank.Labels.Tests.Documents;

/// <summary>Shipments to render: full 9×9 boxes, loose tubes, and the empty cases.</summary>
public static class Manifests
{
    public const string ShipmentBarcode = "SHP-2026-000123";

    /// <summary>Plasma, serum and buffy coat in turn, so each type has a third of the tubes.</summary>
    public static readonly (string Type, decimal VolumeUl)[] SampleTypes = [("Plasma", 250m), ("Serum", 200m), ("Buffy coat", 120.5m)];

    /// <summary>
    /// <paramref name="boxes"/> full boxes of <paramref name="rows"/>×<paramref name="cols"/>, tubes given in a
    /// shuffled order (the manifest sorts them), and <paramref name="looseTubes"/> tubes without a box.
    /// </summary>
    public static ManifestDocument Shipment(int boxes, int rows = 9, int cols = 9, int looseTubes = 0, decimal? dryIceKg = 12.5m)
    {
        var random = new Random(1845);
        var list = new List<ManifestBox>();
        var n = 0;
        for (var b = 1; b <= boxes; b++)
        {
            var tubes = new List<ManifestTube>();
            for (var r = 0; r < rows; r++)
            {
                for (var c = 1; c <= cols; c++)
                {
                    tubes.Add(Tube(n++, $"{(char)('A' + r)}{c}"));
                }
            }

            list.Add(new ManifestBox($"BX-2026-{b:D5}", $"Box {b} · BE site freezer 2", rows, cols, [.. tubes.OrderBy(_ => random.Next())]));
        }

        if (looseTubes > 0)
        {
            list.Add(new ManifestBox(null, "Loose tubes", 0, 0, [.. Enumerable.Range(0, looseTubes).Select(_ => Tube(n++, null)).OrderBy(_ => random.Next())]));
        }

        return Document(list, dryIceKg);
    }

    public static ManifestDocument Document(IReadOnlyList<ManifestBox> boxes, decimal? dryIceKg = 12.5m) => new(
        ShipmentBarcode,
        new ManifestSite("BE-GNT", "Ghent University Hospital, Department of Radiation Oncology", "Belgium"),
        new ManifestSite("SE-KI", "Central Biobank, Karolinska Institutet", "Sweden"),
        "Dispatched",
        new DateTime(2026, 3, 4, 9, 30, 0, DateTimeKind.Utc),
        "World Courier",
        "WC-77812340991",
        dryIceKg,
        "LOG-TT4-00917",
        2,
        "Dr. Anna Lindqvist",
        boxes);

    public static ManifestTube Tube(int n, string? position)
    {
        var (type, volume) = SampleTypes[n % SampleTypes.Length];
        return new ManifestTube($"AL-{10_000_000 + n * 7919:D8}", $"PSN-BE-{n / 12:D4}", type, (n / 4 % 4) switch
        {
            0 => "Baseline (before RT)",
            1 => "End of RT",
            2 => "3 months after RT",
            _ => "12 months after RT",
        }, volume, position);
    }
}
