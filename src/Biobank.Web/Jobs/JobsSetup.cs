using Biobank.Core.Data;
using Biobank.Web.Api;
using Quartz;

namespace Biobank.Web.Jobs;

/// <summary>
/// Quartz.NET with its persistent store in our database: SQLite for one node, PostgreSQL clustered for several.
/// Quartz provisions its own QRTZ_ tables (CreateIfMissing) because their shape belongs to the Quartz version,
/// not to our schema. Jobs ask for recovery, so a job running on a node that dies is run again.
/// </summary>
public static class JobsSetup
{
    public const string SchedulerName = "biobank";

    public static IServiceCollection AddBiobankJobs(this IServiceCollection services, IConfiguration config)
    {
        var db = DatabaseOptions.FromConfiguration(config);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                if (config["Biobank:NodeName"] is { Length: > 0 } node)
                {
                    o.InstanceId = node;
                }
                else
                {
                    o.GenerateInstanceId = true;
                }
            });
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(o =>
                {
                    o.StoreJobDataAsStrings = true;
                    o.MisfireThreshold = TimeSpan.FromSeconds(30);
                });
                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
                if (db.Provider == DatabaseProvider.Postgres)
                {
                    store.UsePostgres(db.ConnectionString);
                    store.UseClustering(c =>
                    {
                        c.Enabled = true;
                        c.CheckinInterval = TimeSpan.FromSeconds(5);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(15);
                    });
                }
                else
                {
                    store.UseSqlite(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.ConnectionString) { DefaultTimeout = 30 }.ToString());
                }
            });
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = Math.Max(2, config.GetValue("Biobank:JobThreads", 2)));
        });
        services.AddSingleton<ImportDispatcher>();
        services.AddHostedService<ImportRecoveryService>();
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = false;
            o.AwaitApplicationStarted = true;
        });
        Api.SchedulerStatus.Describe = async (sp, ct) =>
        {
            var factory = sp.GetRequiredService<ISchedulerFactory>();
            var scheduler = await factory.GetScheduler(ct);
            if (scheduler is null)
            {
                return new { state = "not started" };
            }
            var status = await scheduler.GetStatus(ct);
            return new
            {
                state = status.ToString().ToLowerInvariant(),
                node = scheduler.SchedulerInstanceId,
                clustered = (await scheduler.QueryClusterNodes(ct)).Count,
            };
        };
        return services;
    }
}
