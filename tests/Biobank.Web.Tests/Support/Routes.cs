using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Web.Tests.Support;

public sealed record RouteInfo(string Pattern, IReadOnlyList<string> Methods, bool IsPage, bool HasParameters);

/// <summary>Every route of the running app, read from the endpoint data source: a new page is covered without editing a list.</summary>
public static class Routes
{
    public static IReadOnlyList<RouteInfo> All(BiobankWebFactory app)
    {
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var result = new List<RouteInfo>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var isPage = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null
                || endpoint.Metadata.Any(m => m.GetType().Name.Contains("PageRouteMetadata", StringComparison.Ordinal));
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? (isPage ? ["GET", "POST"] : ["GET"]);
            result.Add(new RouteInfo(pattern, methods.ToList(), isPage, endpoint.RoutePattern.Parameters.Count > 0));
        }
        return result.DistinctBy(r => (r.Pattern, string.Join(',', r.Methods))).ToList();
    }
}
