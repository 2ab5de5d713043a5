using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Web.Infrastructure;

namespace Biobank.Web.Registry;

/// <summary>Technicians and administrators: tubes of withdrawn patients still to destroy at their site; no panel when there are none.</summary>
public sealed class DestructionHomePanel(DestructionList destruction) : IHomePanel
{
    public const int Newest = 5;

    public int Order => 150;

    public IReadOnlyList<string> Roles { get; } = [Biobank.Core.Common.Roles.Technician, Biobank.Core.Common.Roles.Admin];

    public async Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct)
    {
        var count = await destruction.CountAsync(caller, ct);
        if (count == 0)
        {
            return null;
        }
        var lines = new List<HomeLine>
        {
            new($"{count} tube{(count == 1 ? "" : "s")} of patients who withdrew consent: destroy and record", "/Registry/Destruction", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "danger"),
        };
        foreach (var t in await destruction.ListAsync(caller, null, Newest, ct))
        {
            lines.Add(new HomeLine($"{t.Barcode} · {t.SampleTypeCode} · {t.Pseudonym} · {(t.BoxBarcode is null ? t.Location : $"{t.BoxBarcode} {t.Position}")}",
                $"/Samples/Tube/{Uri.EscapeDataString(t.Barcode)}", t.Kind, "light"));
        }
        return new HomePanelView("Destruction list", lines, "/Registry/Destruction");
    }
}
