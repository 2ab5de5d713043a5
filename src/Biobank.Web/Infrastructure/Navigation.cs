using Biobank.Core.Common;

namespace Biobank.Web.Infrastructure;

public sealed record NavItem(string Text, string Href, IReadOnlyList<string> Roles);

/// <summary>The menu by role: each feature adds its entries here, next to the policy that guards its folder.</summary>
public static class Navigation
{
    private static readonly string[] Bench = [Roles.Technician, Roles.SiteStaff, Roles.Admin];

    private static readonly string[] Everyone = [Roles.Technician, Roles.SiteStaff, Roles.Biologist, Roles.Admin];

    public static readonly IReadOnlyList<NavItem> Items =
    [
        new("Scan", "/Storage/Scan", Bench),
        new("Patients", "/Samples/Patients", Bench),
        new("Collections", "/Samples/Collections", Bench),
        new("Tubes", "/Samples/Search", Bench),
        new("Freezers", "/Storage", Bench),
        new("Shipments", "/Shipments", Bench),
        new("Labels", "/Labels", Bench),
        new("Registry", "/Registry", Everyone),
        new("Assays", "/Assays", [Roles.Biologist, Roles.Admin]),
        new("Analysis", "/Analysis", [Roles.Biologist, Roles.Admin]),
    ];

    public static readonly IReadOnlyList<NavItem> AdminItems =
    [
        new("Study protocol", "/Admin/Protocol", [Roles.Admin]),
        new("Label printers", "/Admin/Printers", [Roles.Admin]),
        new("Background jobs", "/Admin/Jobs", [Roles.Admin]),
    ];

    public static IEnumerable<NavItem> For(Caller caller) => Items.Where(i => i.Roles.Any(caller.IsInRole));
}
