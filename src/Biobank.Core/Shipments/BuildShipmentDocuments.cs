using System.Globalization;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Labels.Documents;
using Biobank.Labels.Templates;

namespace Biobank.Core.Shipments;

/// <summary>The printed documents of a shipment.</summary>
public static class ShipmentDocumentKinds
{
    /// <summary>Per box a table by position, totals per sample type, signature lines.</summary>
    public const string Manifest = "manifest";

    /// <summary>One label per package, with the <see cref="BuildShipmentDocuments.PackageTemplate"/> template.</summary>
    public const string PackageLabels = "package-labels";
}

public sealed record ShipmentDocumentCommand(string ShipmentBarcode, string Document);

/// <summary>
/// Builds a shipment's printed documents as PDF: the manifest and the package labels. Only the sending and
/// the receiving site's users see a shipment; for anyone else it does not exist.
/// </summary>
public sealed class BuildShipmentDocuments(ShipmentQueries queries, ManifestExport manifest, LabelTemplates templates)
{
    public const string PackageTemplate = "shipment-package";

    public async Task<Result<LabelFile>> ExecuteAsync(Caller caller, ShipmentDocumentCommand cmd, CancellationToken ct)
    {
        switch (cmd.Document)
        {
            case ShipmentDocumentKinds.Manifest:
                var built = await manifest.BuildAsync(caller, cmd.ShipmentBarcode, ct);
                return built is { } b
                    ? Result<LabelFile>.Success(new LabelFile(ManifestPdf(b.Shipment, b.Lines, caller.UserName), "application/pdf", $"manifest-{b.Shipment.Barcode}.pdf"))
                    : NotFound(cmd);
            case ShipmentDocumentKinds.PackageLabels:
                var s = await queries.ByBarcodeAsync(caller, cmd.ShipmentBarcode, ct);
                if (s is null)
                {
                    return NotFound(cmd);
                }
                var template = templates.Load(PackageTemplate);
                if (!template.Ok)
                {
                    return template.Problem!;
                }
                try
                {
                    using var output = new MemoryStream();
                    PrintLabels.Render(template.Value!, LabelOutputs.Pdf, 0, PackageRows(s), output);
                    return Result<LabelFile>.Success(new LabelFile(output.ToArray(), "application/pdf", $"package-labels-{s.Barcode}.pdf"));
                }
                catch (LabelDataException e)
                {
                    return Result<LabelFile>.Invalid($"{e.Message} Nothing was printed.", "Document");
                }
            default:
                return Result<LabelFile>.Invalid($"No such shipment document '{cmd.Document}': {ShipmentDocumentKinds.Manifest} or {ShipmentDocumentKinds.PackageLabels}.", "Document");
        }
    }

    private static Result<LabelFile> NotFound(ShipmentDocumentCommand cmd) => Result<LabelFile>.NotFound($"No shipment {cmd.ShipmentBarcode} from or to your site.");

    private static byte[] ManifestPdf(ShipmentView s, IReadOnlyList<ManifestLine> lines, string preparedBy)
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

    /// <summary>One row per package ("2 of 3"); a shipment not yet packed still gets one label.</summary>
    private static List<IReadOnlyDictionary<string, string>> PackageRows(ShipmentView s)
    {
        var packages = Math.Max(1, s.Packages);
        return Enumerable.Range(1, packages).Select(n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["shipment_id"] = s.Barcode,
            ["shipper"] = $"{s.FromName}\n{s.FromCode} · {s.FromCountry}",
            ["consignee"] = $"{s.ToName}\n{s.ToCode} · {s.ToCountry}",
            ["responsible_name"] = s.ResponsibleName ?? s.PackedBy ?? s.CreatedBy,
            ["responsible_phone"] = s.ResponsiblePhone ?? "—",
            ["dry_ice_kg"] = s.DryIceKg is > 0 ? s.DryIceKg.Value.ToString("0.#", CultureInfo.InvariantCulture) : "",
            ["package"] = $"{n} of {packages}",
            ["package_no"] = n.ToString(CultureInfo.InvariantCulture),
            ["packages"] = packages.ToString(CultureInfo.InvariantCulture),
            ["courier"] = s.Courier ?? "",
            ["tracking_number"] = s.TrackingNumber ?? "",
        }).ToList();
    }
}
