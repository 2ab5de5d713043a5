using Biobank.Core.Shipments;

namespace Biobank.Web.Shipments;

/// <summary>The shipment's printed documents: the manifest PDF and the package labels. Filled in once the renderers land.</summary>
public sealed class ShipmentDocuments
{
    public byte[] ManifestPdf(ShipmentView shipment, IReadOnlyList<ManifestLine> lines, string preparedBy) =>
        throw new NotSupportedException("The manifest PDF renderer is not wired yet.");

    public byte[] PackageLabelsPdf(ShipmentView shipment) =>
        throw new NotSupportedException("Package labels are not wired yet.");
}
