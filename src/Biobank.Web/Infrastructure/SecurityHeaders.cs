namespace Biobank.Web.Infrastructure;

/// <summary>Headers on every response: no inline script, no framing, no sniffing, no referrer leaks.</summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Hangfire's dashboard (/Admin/Jobs), on its path only, measured in Chromium (JobsDashboardBrowserTests): its job
    /// pages colour the state cards with style attributes (style-src-attr), and the Chart.js of its overview injects
    /// one fixed stylesheet, allowed by its hash and nothing else (style-src-elem). Script stays 'self' only.
    /// </summary>
    public const string DashboardContentSecurityPolicy = ContentSecurityPolicy
        + "; style-src-elem 'self' 'sha256-z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg='; style-src-attr 'unsafe-inline'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Decided now: the dashboard's own pipeline moves /Admin/Jobs into PathBase before the response starts.
        var policy = context.Request.Path.StartsWithSegments(Jobs.JobsSetup.DashboardPath) ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = policy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next(context);
    });
}
