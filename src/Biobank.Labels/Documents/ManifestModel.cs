namespace Biobank.Labels.Documents;

/// <summary>A site as the manifest names it: its code, its name and its country.</summary>
public sealed record ManifestSite(string Code, string Name, string Country);

/// <summary>One tube on the manifest; <paramref name="Position"/> is the box position (A1 … J10), null for a loose tube.</summary>
public sealed record ManifestTube(string Barcode, string Pseudonym, string SampleType, string Timepoint, decimal VolumeUl, string? Position);

/// <summary>A box and its tubes. Tubes shipped without a box come as one box with a null barcode named "Loose tubes".</summary>
public sealed record ManifestBox(string? Barcode, string Name, int Rows, int Cols, IReadOnlyList<ManifestTube> Tubes);

/// <summary>Everything the printed manifest of one shipment shows.</summary>
public sealed record ManifestDocument(
    string ShipmentBarcode,
    ManifestSite Sender,
    ManifestSite Recipient,
    string State,
    DateTime? DispatchedUtc,
    string? Courier,
    string? TrackingNumber,
    decimal? DryIceKg,
    string? LoggerId,
    int Packages,
    string PreparedBy,
    IReadOnlyList<ManifestBox> Boxes);
