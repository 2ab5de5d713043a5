using System.Text;
using System.Text.RegularExpressions;
using Biobank.Core.Common;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Shipments;

/// <summary>The manifest PDF and the package labels: for the sending and the receiving site only. Their content is read back in the Web tests (poppler).</summary>
public sealed partial class BuildShipmentDocumentsTests
{
    [Theory, Providers]
    public async Task The_sender_and_the_receiver_get_the_manifest_and_one_package_label_per_package_and_a_third_site_gets_not_found(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var staff = await LabData.CallerAsync(db, "staff.bru");
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var sto = (await db.Get<SiteDirectory>().ListAllAsync(default)).Single(s => s.Code == "STO");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 2);
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        foreach (var t in tubes)
        {
            (await db.Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(box, t), default)).Ok.ShouldBeTrue();
        }
        var build = db.Get<BuildShipment>();
        var shipment = (await build.CreateAsync(staff, sto.Id, default)).Value!;
        (await build.AddAsync(staff, shipment, box, default)).Ok.ShouldBeTrue();
        (await build.PackAsync(staff, shipment, new PackInput("World Courier", "WC123", 12.5m, "LOG-7", 3), default)).Ok.ShouldBeTrue();
        var documents = db.Get<BuildShipmentDocuments>();

        foreach (var who in new[] { staff, await LabData.CallerAsync(db, "tech.sto") })
        {
            var manifest = (await documents.ExecuteAsync(who, new ShipmentDocumentCommand(shipment, ShipmentDocumentKinds.Manifest), default)).Value!;
            (manifest.ContentType, manifest.FileName).ShouldBe(("application/pdf", $"manifest-{shipment}.pdf"));
            Encoding.ASCII.GetString(manifest.Content[..5]).ShouldBe("%PDF-");
            var labels = (await documents.ExecuteAsync(who, new ShipmentDocumentCommand(shipment, ShipmentDocumentKinds.PackageLabels), default)).Value!;
            (labels.ContentType, labels.FileName).ShouldBe(("application/pdf", $"package-labels-{shipment}.pdf"));
            Pages(labels.Content).ShouldBe(3);
        }

        var third = await LabData.CallerAsync(db, "staff.lyo");
        foreach (var kind in new[] { ShipmentDocumentKinds.Manifest, ShipmentDocumentKinds.PackageLabels })
        {
            var refused = await documents.ExecuteAsync(third, new ShipmentDocumentCommand(shipment, kind), default);
            refused.Problem!.Kind.ShouldBe(ProblemKind.NotFound);
            refused.Problem.Message.ShouldBe($"No shipment {shipment} from or to your site.");
        }
        (await documents.ExecuteAsync(staff, new ShipmentDocumentCommand(shipment, "invoice"), default)).Problem!.Field.ShouldBe("Document");
    }

    /// <summary>Page objects of a PDF (PDFsharp writes them uncompressed).</summary>
    private static int Pages(byte[] pdf) => PageObject().Count(Encoding.Latin1.GetString(pdf));

    [GeneratedRegex(@"/Type\s*/Page(?![a-zA-Z])")]
    private static partial Regex PageObject();
}
