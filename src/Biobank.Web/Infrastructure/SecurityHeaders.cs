namespace Biobank.Web.Infrastructure;

/// <summary>Headers on every response: no inline script, no framing, no sniffing, no referrer leaks.</summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Hangfire's dashboard (/Admin/Jobs) colours a recurring job's last state and a job's state cards with style
    /// attributes: those, and only those, are allowed on its path. Script stays 'self' only, and &lt;style&gt; elements
    /// stay refused.
    /// </summary>
    public const string DashboardContentSecurityPolicy = ContentSecurityPolicy + "; style-src-attr 'unsafe-inline'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Jobs.JobsSetup.DashboardPath) ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
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
