using Biobank.Core.Data;
using Biobank.Core.Operations;
using Dapper;

namespace Biobank.Web.Api;

public static class HealthEndpoint
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (IDb db, MaintenanceRuns maintenance, IServiceProvider services, CancellationToken ct) =>
        {
            var provider = db.Dialect.Provider.ToString();
            var scheduler = await SchedulerStatus.DescribeAsync(services, ct);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await using var c = await db.OpenAsync(timeout.Token);
                await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
                // The nightly integrity check's last outcome; its problems are for administrators (home page), not for this anonymous answer.
                var check = (await maintenance.LatestAsync(timeout.Token)).FirstOrDefault(r => r.Job == MaintenanceJobs.IntegrityCheck);
                var integrityCheck = check is null ? (object)new { state = "not run yet" } : new { state = check.Ok ? "passed" : "failed", finishedUtc = check.FinishedUtc };
                return Results.Json(new { status = "ok", provider, database = "reachable", scheduler, integrityCheck });
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return Results.Json(new { status = "unavailable", provider, database = "unreachable", error = e.GetType().Name, scheduler },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().DisableRateLimiting();
}

/// <summary>Filled in when the job scheduler is added; until then the health answer says so.</summary>
public static class SchedulerStatus
{
    public static Func<IServiceProvider, CancellationToken, Task<object>>? Describe { get; set; }

    public static Task<object> DescribeAsync(IServiceProvider services, CancellationToken ct) =>
        Describe?.Invoke(services, ct) ?? Task.FromResult<object>(new { state = "not configured" });
}
