using Biobank.Core.Common;

namespace Biobank.Web.Infrastructure;

public sealed record NavItem(string Text, string Href, IReadOnlyList<string> Roles);

/// <summary>The menu by role: each feature adds its entries here, next to the policy that guards its folder.</summary>
public static class Navigation
{
    public static readonly IReadOnlyList<NavItem> Items =
    [
    ];

    public static readonly IReadOnlyList<NavItem> AdminItems =
    [
    ];

    public static IEnumerable<NavItem> For(Caller caller) => Items.Where(i => i.Roles.Any(caller.IsInRole));
}
