using System.Reflection;
using Biobank.Core;
using Biobank.Core.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Sdk;

namespace Biobank.Core.Tests.Support;

public static class TestEnvironment
{
    /// <summary>Base connection string of a PostgreSQL server for tests; scripts/test.sh starts one and sets it.</summary>
    public static string? Postgres => Environment.GetEnvironmentVariable("BIOBANK_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A real, empty, migrated database of one provider: a fresh SQLite file, or a fresh PostgreSQL database
/// on the test server. Disposing drops it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _pgName;
    private readonly string? _sqliteDir;

    private TestDatabase(string provider, string connectionString, string? pgName, string? sqliteDir, IReadOnlyDictionary<string, string?> settings)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _pgName = pgName;
        _sqliteDir = sqliteDir;
        Settings = settings;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddBiobankCore(config);
        Services = services.BuildServiceProvider();
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public ServiceProvider Services { get; }

    public IDb Db => Services.GetRequiredService<IDb>();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <param name="settings">More settings for the services, such as Biobank:AllowLocalPrinters.</param>
    public static async Task<TestDatabase> CreateAsync(string provider, bool migrate = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        TestDatabase db;
        if (provider == "Postgres")
        {
            var baseCs = TestEnvironment.Postgres ?? throw new InvalidOperationException("BIOBANK_TEST_POSTGRES is not set.");
            var name = $"bbtest_{Guid.NewGuid():N}"[..30];
            var cs = new NpgsqlConnectionStringBuilder(baseCs) { Database = name }.ToString();
            db = new TestDatabase(provider, cs, name, null, With(settings, new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Postgres",
                ["ConnectionStrings:Biobank"] = cs,
            }));
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("biobank-test-").FullName;
            var cs = $"Data Source={Path.Combine(dir, "biobank.db")}";
            db = new TestDatabase(provider, cs, null, dir, With(settings, new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["ConnectionStrings:Biobank"] = cs,
            }));
        }
        if (migrate)
        {
            await db.Get<Migrator>().MigrateAsync(CancellationToken.None);
        }
        return db;
    }

    private static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?>? extra, Dictionary<string, string?> database)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            database[key] = value;
        }
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres!) { Database = "postgres" }.ToString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        if (_sqliteDir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteDir, recursive: true);
            }
            catch (IOException)
            {
                // a file still open on a slow runner; the temp folder is cleaned by the OS
            }
        }
    }
}

/// <summary>Runs a test once per database provider: SQLite always, PostgreSQL when BIOBANK_TEST_POSTGRES is set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return ["Sqlite"];
        if (TestEnvironment.Postgres is not null)
        {
            yield return ["Postgres"];
        }
    }
}

/// <summary>A fact that needs the PostgreSQL test server: skipped with the reason when it is not configured.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestEnvironment.Postgres is null && !TestEnvironment.InCi)
        {
            Skip = "No PostgreSQL: set BIOBANK_TEST_POSTGRES or run scripts/test.sh, which starts one.";
        }
    }
}

public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public sealed class PostgresPresenceTests
{
    [PostgresFact]
    public void PostgreSQL_variants_of_the_data_tests_run()
    {
        // In CI the PostgreSQL server must be there: without it half the data tests would silently not run.
        TestEnvironment.Postgres.ShouldNotBeNull("scripts/test.sh starts PostgreSQL and sets BIOBANK_TEST_POSTGRES");
    }
}
