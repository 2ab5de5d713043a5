namespace Biobank.Web.Infrastructure;

/// <summary>
/// <c>X-Request-Id</c> on every response: the request's <see cref="HttpContext.TraceIdentifier"/>, the same value the
/// hosting log scope writes as RequestId on every log line of the request and the error page shows as its reference,
/// so a user's reference, a proxy's access log and our logs meet on one string.
/// </summary>
public static class RequestId
{
    public const string Header = "X-Request-Id";

    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // At OnStarting, not now: the exception handler clears the headers before it renders the error page.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.TryAdd(Header, context.TraceIdentifier);
            return Task.CompletedTask;
        });
        await next(context);
    });
}
