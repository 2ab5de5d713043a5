namespace Biobank.Core.Common;

public static class Roles
{
    public const string Technician = "Technician";
    public const string SiteStaff = "SiteStaff";
    public const string Biologist = "Biologist";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Technician, SiteStaff, Biologist, Admin];

    /// <summary>Parses a comma-separated role list, refusing names that are not roles.</summary>
    public static IReadOnlyList<string> Parse(string? text)
    {
        var result = new List<string>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.FirstOrDefault(r => string.Equals(r, part, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"'{part}' is not a role. Roles are {string.Join(", ", All)}.");
            if (!result.Contains(match))
            {
                result.Add(match);
            }
        }
        return result;
    }
}

/// <summary>
/// Who is asking: every use case and every query over site-owned rows takes one.
/// A central user (no site) sees all sites; anyone else sees only their own.
/// </summary>
public sealed record Caller(long UserId, string UserName, long? SiteId, string? SiteCode, IReadOnlyList<string> Roles)
{
    public static readonly Caller System = new(0, "system", null, null, [Common.Roles.Admin]);

    public bool AllSites => SiteId is null;

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public bool IsAdmin => IsInRole(Common.Roles.Admin);

    public bool CanSee(long? siteId) => AllSites || siteId == SiteId;
}
