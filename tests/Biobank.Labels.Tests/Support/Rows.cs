namespace Biobank.Labels.Tests.Support;

/// <summary>Sample data rows for the shipped templates.</summary>
public static class Rows
{
    public static Dictionary<string, string> Cryovial(string barcode) => new()
    {
        ["barcode"] = barcode,
        ["pseudonym"] = "PSN-BE-0042",
        ["sample_type"] = "EDTA plasma",
        ["timepoint"] = "Baseline (before RT)",
        ["date"] = "2026-11-22",
    };

    /// <summary>Aliquot-like codes of up to 12 characters: prefixes, digit runs, some lower-case letters and punctuation.</summary>
    public static List<string> AliquotCodes(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add((i % 4) switch
            {
                0 => $"AL-{random.Next(0, 100_000_000):D8}",
                1 => $"{Payloads.Pick(random, Payloads.Upper, 2)}{random.Next(0, 1_000_000):D6}-{Payloads.Pick(random, Payloads.Upper + Payloads.Digits, 2)}",
                2 => Payloads.Pick(random, Payloads.Upper + Payloads.Digits + Payloads.Lower + "-./", random.Next(6, 13)),
                _ => $"{random.Next(1, 10_000):D4}/{Payloads.Pick(random, Payloads.Lower, 3)}.{random.Next(10, 99)}",
            });
        }

        return list;
    }

    public static Dictionary<string, string> Shipment(string id, string dryIceKg) => new()
    {
        ["shipment_id"] = id,
        ["shipper"] = "Department of Paediatric Oncology\nHôpital Exemple, 12 Rue de la Santé\n75014 Paris, France",
        ["consignee"] = "Central Biobank, Karolinska Vägen 1\n171 76 Stockholm, Sweden",
        ["responsible_name"] = "Dr. Anna Lindqvist",
        ["responsible_phone"] = "+46 8 123 456 78",
        ["dry_ice_kg"] = dryIceKg,
    };
}
