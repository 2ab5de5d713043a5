using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Biobank.Web.Infrastructure;

/// <summary>
/// An upload limit that answers 413 with a sentence, before the form is read. <see cref="RequestSizeLimitAttribute"/>
/// alone lowers the server's limit (and this sets it too), but a body that announces its length is better refused at
/// once, and a server without the size feature (the test host) would read the whole body; a chunked body still meets
/// the server's limit.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class UploadLimitAttribute(long bytes) : Attribute, IAuthorizationFilter, IOrderedFilter
{
    public long Bytes { get; } = bytes;

    // As RequestSizeLimit: an authorization filter before the antiforgery check (order 1000), which reads the form.
    public int Order => 900;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (http.Request.ContentLength > Bytes)
        {
            context.Result = new ContentResult
            {
                StatusCode = StatusCodes.Status413PayloadTooLarge,
                ContentType = "text/plain; charset=utf-8",
                Content = $"The file is too large: at most {Bytes / (1024 * 1024)} MB can be uploaded here. Nothing was imported.",
            };
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = Bytes;
        }
    }
}
