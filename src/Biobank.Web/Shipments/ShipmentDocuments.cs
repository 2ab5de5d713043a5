using System.Globalization;
using Biobank.Core.Shipments;
using Biobank.Labels.Documents;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Web.Labels;

namespace Biobank.Web.Shipments;

/// <summary>The shipment's printed documents: the manifest PDF and one package label per package.</summary>
public sealed class ShipmentDocuments(LabelTemplates labels)
{
    public const string PackageTemplate = "shipment-package";

    public byte[] ManifestPdf(ShipmentView s, IReadOnlyList<ManifestLine> lines, string preparedBy)
    {
        var boxes = lines.GroupBy(l => (l.BoxBarcode, l.BoxName, l.BoxRows, l.BoxCols, l.WholeBox))
            .OrderBy(g => g.Key.BoxBarcode is null ? 1 : 0).ThenBy(g => g.Key.BoxName, StringComparer.Ordinal)
            .Select(g => new ManifestBox(
                g.Key.WholeBox ? g.Key.BoxBarcode : null,
                g.Key.WholeBox ? g.Key.BoxName ?? "Box" : g.Key.BoxBarcode is null ? "Loose tubes" : $"Loose tubes from {g.Key.BoxName}",
                g.Key.BoxRows ?? 0, g.Key.BoxCols ?? 0,
                g.Select(l => new ManifestTube(l.Barcode, l.Pseudonym, l.SampleType, l.Timepoint, l.VolumeUl, g.Key.WholeBox ? l.Position : null)).ToList()))
            .ToList();
        var doc = new ManifestDocument(s.Barcode, new ManifestSite(s.FromCode, s.FromName, s.FromCountry), new ManifestSite(s.ToCode, s.ToName, s.ToCountry),
            s.State, s.DispatchedUtc, s.Courier, s.TrackingNumber, s.DryIceKg, s.LoggerId, s.Packages, preparedBy, boxes);
        using var output = new MemoryStream();
        ShipmentManifestPdf.Render(doc, output);
        return output.ToArray();
    }

    public byte[] PackageLabelsPdf(ShipmentView s)
    {
        var template = LabelTemplate.LoadByName(labels.Folder, PackageTemplate);
        var rows = Enumerable.Range(1, Math.Max(1, s.Packages)).Select(n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>
        {
            ["shipment_id"] = s.Barcode,
            ["shipper"] = $"{s.FromName}\n{s.FromCode} · {s.FromCountry}",
            ["consignee"] = $"{s.ToName}\n{s.ToCode} · {s.ToCountry}",
            ["responsible_name"] = s.ResponsibleName ?? s.PackedBy ?? s.CreatedBy,
            ["responsible_phone"] = s.ResponsiblePhone ?? "—",
            ["dry_ice_kg"] = s.DryIceKg is > 0 ? s.DryIceKg.Value.ToString("0.#", CultureInfo.InvariantCulture) : "",
            ["package"] = $"{n} of {Math.Max(1, s.Packages)}",
            ["package_no"] = n.ToString(CultureInfo.InvariantCulture),
            ["packages"] = Math.Max(1, s.Packages).ToString(CultureInfo.InvariantCulture),
            ["courier"] = s.Courier ?? "",
            ["tracking_number"] = s.TrackingNumber ?? "",
        }).ToList();
        using var output = new MemoryStream();
        new PdfLabelRenderer().Render(template, rows, output);
        return output.ToArray();
    }
}
