using System.Diagnostics;

namespace Biobank.Web.Infrastructure;

/// <summary>
/// <c>Server-Timing: app;dur=…</c> on every response: the time spent in the server, so load tests can tell
/// server time from the network and the client.
/// </summary>
public static class ServerTiming
{
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers["Server-Timing"] = $"app;dur={ms.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";
            return Task.CompletedTask;
        });
        await next(context);
    });
}
