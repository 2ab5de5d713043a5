using Biobank.Core.Data;
using Biobank.Core.Operations;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;

namespace Biobank.Web.Jobs;

/// <summary>This process's name among the nodes: <c>Biobank:NodeName</c>, else the machine's name (stable across restarts).</summary>
public sealed record JobNode(string Name);

/// <summary>
/// Hangfire runs every background job, with a store that survives a restart: Hangfire.Storage.SQLite in a file of its
/// own beside the SQLite database (one node), Hangfire.PostgreSql in the schema <c>hangfire</c> of the application's
/// database (several nodes share it). Both storages create their own tables at start (PrepareSchemaIfNecessary on
/// PostgreSQL; sqlite-net's CreateTable on SQLite): their shape belongs to the Hangfire version, not to our migrations.
/// The storage, the job activator and the clients are this container's own, never Hangfire's static ones, so two
/// apps in one process (the tests) cannot cross.
/// </summary>
public static class JobsSetup
{
    public const string ImportQueue = "imports";
    public const string DashboardPath = "/Admin/Jobs";

    public static IServiceCollection AddBiobankJobs(this IServiceCollection services, IConfiguration config)
    {
        var db = DatabaseOptions.FromConfiguration(config);
        var node = new JobNode(config["Biobank:NodeName"] is { Length: > 0 } n ? n : Environment.MachineName);
        services.AddSingleton(node);
        services.AddSingleton<JobStorage>(sp => db.Provider == DatabaseProvider.Postgres ? PostgresStorage(db, config) : SqliteStorage(db, config));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, h) => h
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new DisposalSafeLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((sp, o) =>
        {
            o.ServerName = node.Name;
            o.WorkerCount = Math.Max(2, config.GetValue("Biobank:JobThreads", 2));
            o.Queues = [ImportQueue, Hangfire.States.EnqueuedState.DefaultQueue];
            // A stopped node's entry leaves the dashboard's server list after a minute; its jobs are fetched again by
            // the storage's invisibility timeout (below), not by this.
            o.HeartbeatInterval = TimeSpan.FromSeconds(5);
            o.ServerTimeout = TimeSpan.FromMinutes(1);
            o.ServerCheckInterval = TimeSpan.FromSeconds(30);
            o.StopTimeout = TimeSpan.FromSeconds(5);
        });
        services.AddSingleton<ImportDispatcher>();
        services.AddSingleton<LabelBatchDispatcher>();
        services.AddHostedService<ImportRecoveryService>();
        services.AddSingleton<MaintenanceRecorder>();
        services.AddSingleton(JobSchedule.FromConfiguration(config));
        Api.SchedulerStatus.Describe = (sp, _) => Task.FromResult(SchedulerState.Describe(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<JobNode>()));
        return services;
    }

    /// <summary>At start, before the Hangfire server runs: recovers this node's interrupted imports, registers the recurring jobs, maps the dashboard.</summary>
    public static async Task UseBiobankJobsAsync(this WebApplication app)
    {
        var node = app.Services.GetRequiredService<JobNode>().Name;
        await app.Services.GetRequiredService<ImportDispatcher>().RecoverAtStartAsync(node, CancellationToken.None);
        await app.Services.GetRequiredService<LabelBatchDispatcher>().RecoverAtStartAsync(node, CancellationToken.None);
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        var schedule = app.Services.GetRequiredService<JobSchedule>();
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        recurring.AddOrUpdate<IntegrityCheckJob>(MaintenanceJobs.IntegrityCheck, j => j.RunAsync(CancellationToken.None), schedule.IntegrityCheck, utc);
        recurring.AddOrUpdate<BackupJob>(MaintenanceJobs.Backup, j => j.RunAsync(CancellationToken.None), schedule.Backup, utc);
        recurring.AddOrUpdate<OverdueShipmentsJob>(MaintenanceJobs.OverdueShipments, j => j.RunAsync(CancellationToken.None), schedule.OverdueShipments, utc);
        app.MapJobsDashboard();
    }

    /// <summary>
    /// Hangfire's own SQLite file: <c>Biobank:JobStoreFile</c>, else beside the database (biobank.db → biobank.hangfire.db).
    /// Its own file, so Hangfire's locking and frequent small writes never wait for, or hold up, our WAL writer (README, "Background jobs").
    /// </summary>
    public static string SqliteStoragePath(DatabaseOptions db, IConfiguration config)
    {
        if (config["Biobank:JobStoreFile"] is { Length: > 0 } file)
        {
            return Path.GetFullPath(file);
        }
        var source = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
        var path = string.IsNullOrEmpty(source) || source == ":memory:" ? DatabaseOptions.DefaultSqlitePath(config) : Path.GetFullPath(source);
        return Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + ".hangfire.db");
    }

    private static SQLiteStorage SqliteStorage(DatabaseOptions db, IConfiguration config) => new(SqliteStoragePath(db, config), new SQLiteStorageOptions
    {
        // One node: an interrupted import is queued again at start (RecoverAtStartAsync) and handed over anew; the old
        // fetch, visible again after this timeout, finds the import finished and does nothing.
        InvisibilityTimeout = TimeSpan.FromMinutes(30),
        // The worker's wait between looks at an empty queue: the delay between an upload and the start of its import.
        QueuePollInterval = TimeSpan.FromMilliseconds(config.GetValue("Biobank:JobPollMilliseconds", 200)),
        DistributedLockLifetime = TimeSpan.FromSeconds(30),
        JournalMode = SQLiteStorageOptions.JournalModes.WAL,
    });

    private static PostgreSqlStorage PostgresStorage(DatabaseOptions db, IConfiguration config)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // The node holding a job renews its claim every InvisibilityTimeout / 5; a node killed stops renewing, and
            // another node fetches the job again about this long after. The import_job claim then lets exactly one run.
            InvisibilityTimeout = TimeSpan.FromSeconds(config.GetValue("Biobank:JobTakeOverSeconds", 30)),
            UseSlidingInvisibilityTimeout = true,
            // LISTEN/NOTIFY wakes an idle worker as soon as a job is enqueued on any node.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(db.ConnectionString, options), options);
    }
}

/// <summary>Cron expressions (UTC) of the recurring jobs: <c>Biobank:Jobs:IntegrityCheckCron</c>, <c>…:BackupCron</c>, <c>…:OverdueShipmentsCron</c>.</summary>
public sealed record JobSchedule(string IntegrityCheck, string Backup, string OverdueShipments)
{
    public static JobSchedule FromConfiguration(IConfiguration config) => new(
        config["Biobank:Jobs:IntegrityCheckCron"] ?? "30 2 * * *",
        config["Biobank:Jobs:BackupCron"] ?? "0 2 * * *",
        config["Biobank:Jobs:OverdueShipmentsCron"] ?? "0 * * * *");
}

/// <summary>What /health says of the job scheduler: its servers (nodes) alive, and each queue's length.</summary>
public static class SchedulerState
{
    public static object Describe(JobStorage storage, JobNode node)
    {
        var monitor = storage.GetMonitoringApi();
        var servers = monitor.Servers();
        var stats = monitor.GetStatistics();
        return new
        {
            state = servers.Count > 0 ? "running" : "no server",
            node = node.Name,
            servers = servers.Count,
            nodes = servers.Select(s => s.Name).Order(StringComparer.Ordinal).ToList(),
            queues = monitor.Queues().Select(q => new { name = q.Name, enqueued = q.Length, fetched = q.Fetched ?? 0 }).ToList(),
            processing = stats.Processing,
            failed = stats.Failed,
            recurring = stats.Recurring,
        };
    }
}

/// <summary>
/// Hangfire logs through one static provider per process, set by the last app that configured it. Where an earlier
/// app's container is gone (the tests start many apps in one process), its disposed logger factory must not fail a job's
/// creation in the app still running: a logger it cannot create is a silent one.
/// </summary>
public sealed class DisposalSafeLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    private readonly AspNetCoreLogProvider inner = new(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : Hangfire.Logging.ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}

