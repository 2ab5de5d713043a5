using System.Security.Claims;
using Biobank.Core.Common;
using Biobank.Web.Infrastructure;
using Hangfire;
using Hangfire.Dashboard;

namespace Biobank.Web.Jobs;

public enum DashboardAccess
{
    None,
    ReadOnly,
    Full,
}

/// <summary>
/// Hangfire's dashboard at /Admin/Jobs, for administrators only: a central administrator may trigger, requeue and
/// delete jobs; a site administrator only looks (the jobs are every site's). Everyone else signed in gets 404, as for
/// a record of another site: the route's existence is not revealed. Anonymous callers are sent to sign in, as on
/// every page (the fallback policy).
/// </summary>
public static class JobsDashboard
{
    public static DashboardAccess For(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || !user.IsInRole(Roles.Admin))
        {
            return DashboardAccess.None;
        }
        return user.ToCaller().AllSites ? DashboardAccess.Full : DashboardAccess.ReadOnly;
    }

    public static void MapJobsDashboard(this WebApplication app)
    {
        var options = new DashboardOptions
        {
            DashboardTitle = "Biobank jobs",
            AppPath = "/",
            Authorization = [],
            AsyncAuthorization = [new AdminFilter()],
            IsReadOnlyFunc = context => For(context.GetHttpContext().User) != DashboardAccess.Full,
            DisplayStorageConnectionString = false,
        };
        app.MapHangfireDashboard(JobsSetup.DashboardPath, options, app.Services.GetRequiredService<JobStorage>());
    }

    /// <summary>Before the dashboard: a signed-in user who may not see it gets 404, not Hangfire's 403.</summary>
    public static IApplicationBuilder UseJobsDashboardHiding(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(JobsSetup.DashboardPath) && context.User.Identity?.IsAuthenticated == true && For(context.User) == DashboardAccess.None)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await next(context);
    });

    /// <summary>The dashboard's own gate, the same rule again: it holds even if the hiding middleware is moved.</summary>
    private sealed class AdminFilter : IDashboardAsyncAuthorizationFilter
    {
        public Task<bool> AuthorizeAsync(DashboardContext context) => Task.FromResult(For(context.GetHttpContext().User) != DashboardAccess.None);
    }
}
