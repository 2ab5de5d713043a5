using System.Globalization;
using System.Security.Claims;
using Biobank.Core.Accounts;
using Biobank.Core.Common;

namespace Biobank.Web.Infrastructure;

/// <summary>Turns a signed-in principal into the <see cref="Caller"/> every use case takes, and back.</summary>
public static class CallerClaims
{
    public const string SiteId = "biobank:site_id";
    public const string SiteCode = "biobank:site_code";
    public const string Stamp = "biobank:stamp";
    public const string DisplayName = "biobank:display_name";

    public static ClaimsPrincipal ToPrincipal(UserRow user, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.UserName),
            new(DisplayName, user.DisplayName),
            new(Stamp, user.SecurityStamp),
        };
        if (user.SiteId is { } site)
        {
            claims.Add(new Claim(SiteId, site.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(SiteCode, user.SiteCode ?? ""));
        }
        claims.AddRange(user.RoleList.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Caller ToCaller(this ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            throw new InvalidOperationException("No signed-in user.");
        }
        var id = long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture);
        var site = principal.FindFirstValue(SiteId);
        return new Caller(
            id,
            principal.Identity.Name!,
            site is null ? null : long.Parse(site, CultureInfo.InvariantCulture),
            principal.FindFirstValue(SiteCode),
            principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList());
    }

    public static Caller Caller(this HttpContext context) => context.User.ToCaller();
}
