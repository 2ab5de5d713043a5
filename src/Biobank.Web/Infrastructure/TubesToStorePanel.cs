using Biobank.Core.Common;
using Biobank.Core.Samples;

namespace Biobank.Web.Infrastructure;

/// <summary>Technicians and site staff: tubes registered at the bench that are not yet in a box.</summary>
public sealed class TubesToStorePanel(TubesToStore waiting) : IHomePanel
{
    public const int Newest = 6;

    public int Order => 100;

    public IReadOnlyList<string> Roles { get; } = [Biobank.Core.Common.Roles.Technician, Biobank.Core.Common.Roles.SiteStaff];

    public async Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct)
    {
        var w = await waiting.ExecuteAsync(caller, Newest, ct);
        var lines = new List<HomeLine>();
        if (w.Count > 0)
        {
            lines.Add(new HomeLine($"{w.Count} tube{(w.Count == 1 ? "" : "s")} registered, not yet in a box: scan them in", "/Storage/Scan", w.Count.ToString(), "primary"));
        }
        foreach (var t in w.Newest)
        {
            lines.Add(new HomeLine($"{t.Barcode} · {t.SampleType} · {t.Pseudonym} {t.TimepointCode}", $"/Samples/Tube/{Uri.EscapeDataString(t.Barcode)}", t.Kind, "light"));
        }
        return new HomePanelView("Tubes to store", lines, "/Storage/Scan", "Every registered tube is in a box.");
    }
}
