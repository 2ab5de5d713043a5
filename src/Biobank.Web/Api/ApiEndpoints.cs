using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;

namespace Biobank.Web.Api;

public static class ApiEndpoints
{
    public static void MapBiobankApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(Policies.Api)
            .RequireRateLimiting("api")
            .AddEndpointFilter(CookieWritesNeedAntiforgery);

        api.MapGet("/me", (HttpContext http) =>
        {
            var caller = http.Caller();
            return Results.Ok(new { userName = caller.UserName, roles = caller.Roles, site = caller.SiteCode, central = caller.AllSites });
        });

        api.MapGet("/sites", async (HttpContext http, SiteDirectory sites, CancellationToken ct) =>
            Results.Ok((await sites.ListAsync(http.Caller(), ct)).Select(s => new { code = s.Code, name = s.Name, country = s.Country, kind = s.Kind })));

        api.MapLabApi();
        api.MapShipmentsApi();
        api.MapRegistryApi();
    }

    /// <summary>
    /// A browser page may call the API with its cookie; then a write must carry the antiforgery token,
    /// or any other site could make the browser post. Bearer callers have no ambient credential.
    /// </summary>
    private static async ValueTask<object?> CookieWritesNeedAntiforgery(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var unsafeMethod = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        if (unsafeMethod && http.User.Identity?.AuthenticationType != BearerTokenHandler.SchemeName)
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(title: "Missing antiforgery token", detail: "Send the RequestVerificationToken header or use a bearer token.", statusCode: 400);
            }
        }
        return await next(ctx);
    }
}
