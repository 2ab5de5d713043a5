using System.Reflection;
using Dapper;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;

namespace Biobank.Web.Tests.Operations;

/// <summary>
/// Hangfire.Storage.SQLite brings its own binding (sqlite-net over SQLitePCLRaw); the app's data go through
/// Microsoft.Data.Sqlite. In one process, against two files at once, both must work, on one SQLitePCLRaw core and one
/// native SQLite, and Hangfire's store must survive being closed and opened again (a restart).
/// </summary>
public sealed class JobStoreCoexistenceTests
{
    [Fact]
    public async Task Microsoft_Data_Sqlite_and_Hangfires_SQLite_store_run_side_by_side_on_one_native_sqlite()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"bb-coexist-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var appDb = Path.Combine(dir, "biobank.db");
        var jobsDb = Path.Combine(dir, "biobank.hangfire.db");
        try
        {
            await using var app = new SqliteConnection($"Data Source={appDb};Pooling=false");
            await app.OpenAsync();
            await app.ExecuteAsync("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");

            // Hangfire logs through a static provider, which a web app of an earlier test in this process set to its own
            // logger factory, disposed since; this store runs without a host, so it gets a provider that drops the lines.
            Hangfire.Logging.LogProvider.SetCurrentLogProvider(new SilentLogProvider());
            var storage = new SQLiteStorage(jobsDb, new SQLiteStorageOptions());
            var client = new BackgroundJobClient(storage);
            var writes = Task.Run(async () =>
            {
                for (var batch = 0; batch < 20; batch++)
                {
                    await using var tx = await app.BeginTransactionAsync();
                    for (var i = 0; i < 100; i++)
                    {
                        await app.ExecuteAsync("INSERT INTO t (v) VALUES (@V)", new { V = $"row {batch}-{i}" }, tx);
                    }
                    await tx.CommitAsync();
                }
            });
            var jobs = Task.Run(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    client.Create(() => Console.WriteLine("coexistence"), new EnqueuedState("imports"));
                }
            });
            await Task.WhenAll(writes, jobs);

            (await app.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t")).ShouldBe(2000);
            storage.GetMonitoringApi().EnqueuedCount("imports").ShouldBe(200);
            var appVersion = await app.ExecuteScalarAsync<string>("SELECT sqlite_version()");
            using (var raw = new SQLite.SQLiteConnection(jobsDb))
            {
                raw.ExecuteScalar<string>("SELECT sqlite_version()").ShouldBe(appVersion, "both bindings call the same native SQLite");
            }
            var cores = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "SQLitePCLRaw.core").Select(a => a.GetName().Version).ToList();
            cores.Count.ShouldBe(1, "one SQLitePCLRaw core in the process");
            cores[0]!.Major.ShouldBe(3, "the SQLitePCLRaw 3.0 line pinned in Directory.Packages.props");
            AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == "SQLitePCLRaw.batteries_v2").ShouldBeLessThanOrEqualTo(1);
            SQLitePCL.raw.GetNativeLibraryName().ShouldBe("e_sqlite3");

            // A restart: the store is closed and opened again; the queued jobs are still there.
            storage.Dispose();
            var reopened = new SQLiteStorage(jobsDb, new SQLiteStorageOptions());
            reopened.GetMonitoringApi().EnqueuedCount("imports").ShouldBe(200);
            reopened.Dispose();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>A Hangfire log provider that writes nothing (for a store used without a host).</summary>
internal sealed class SilentLogProvider : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name) => new Silent();

    private sealed class Silent : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
