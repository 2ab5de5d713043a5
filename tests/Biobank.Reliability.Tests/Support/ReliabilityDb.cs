using Biobank.Core;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Demo;
using Biobank.Core.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Biobank.Reliability.Tests.Support;

/// <summary>
/// A fresh, migrated, demo-seeded database for a reliability run — a SQLite file or a PostgreSQL database on the test
/// server — with the Core services of the test process on it (to prepare data, count events and check integrity) and
/// the settings a web node needs to open the same database.
/// </summary>
public sealed class ReliabilityDb : IAsyncDisposable
{
    private readonly string? _pgName;
    private readonly string? _dir;

    private ReliabilityDb(string provider, string connectionString, string? pgName, string? dir)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _pgName = pgName;
        _dir = dir;
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Biobank"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddBiobankCore(config);
        Services = services.BuildServiceProvider();
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public ServiceProvider Services { get; }

    public IDb Db => Services.GetRequiredService<IDb>();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static string? Postgres => Environment.GetEnvironmentVariable("BIOBANK_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Seconds of load per database: 60 unless BIOBANK_RELIABILITY_SECONDS says otherwise (scripts/reliability.sh --full: 600).</summary>
    public static int LoadSeconds => int.TryParse(Environment.GetEnvironmentVariable("BIOBANK_RELIABILITY_SECONDS"), out var s) ? s : 60;

    public static int Kills => int.TryParse(Environment.GetEnvironmentVariable("BIOBANK_RELIABILITY_KILLS"), out var k) ? k : 20;

    public static async Task<ReliabilityDb> CreateAsync(string provider, int patients)
    {
        ReliabilityDb db;
        if (provider == "Postgres")
        {
            var baseCs = Postgres ?? throw new InvalidOperationException("BIOBANK_TEST_POSTGRES is not set.");
            var name = $"bbrel_{Guid.NewGuid():N}"[..30];
            db = new ReliabilityDb(provider, new NpgsqlConnectionStringBuilder(baseCs) { Database = name, MaxPoolSize = 60 }.ToString(), name, null);
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("biobank-reliability-").FullName;
            db = new ReliabilityDb(provider, $"Data Source={Path.Combine(dir, "biobank.db")}", null, dir);
        }
        await db.Get<Migrator>().MigrateAsync(default);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: patients), default);
        return db;
    }

    /// <summary>The environment of a web node on this database (Development: cookies over plain HTTP on loopback).</summary>
    public Dictionary<string, string> NodeEnvironment(string node) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Database__Provider"] = Provider,
        ["ConnectionStrings__Biobank"] = ConnectionString,
        ["Biobank__SeedDemo"] = "false",
        ["Biobank__NodeName"] = node,
        ["Biobank__ApiPerSecond"] = "1000000",
        ["Biobank__ApiBurst"] = "1000000",
        ["Biobank__DataFolder"] = _dir ?? Path.Combine(Path.GetTempPath(), _pgName!),
        ["DOTNET_gcServer"] = "0",
    };

    public async Task<Caller> CallerAsync(string userName) =>
        (await Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();

    public async Task<string> TokenAsync(string userName)
    {
        var user = await Get<UserAccounts>().FindByNameAsync(userName, default);
        var created = await Get<ApiTokens>().CreateAsync(Caller.System, user!.Id, "reliability", default);
        return created.Value!.Token;
    }

    public async Task<IntegrityReport> CheckAsync() => await Get<IntegrityCheck>().CheckAsync(default);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres!) { Database = "postgres" }.ToString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        if (_dir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // the OS cleans the temp folder
            }
        }
    }
}

/// <summary>Figures of a reliability run: to the test output and appended to artifacts/reliability/report.md.</summary>
public static class Report
{
    private static readonly object Gate = new();

    public static void Line(Xunit.Abstractions.ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(WebNode.ArtifactDir, "report.md"), line + Environment.NewLine);
        }
    }

    public static double Percentile(IEnumerable<double> values, int p)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1))];
    }
}

/// <summary>Runs a reliability test once per database: SQLite always, PostgreSQL when the test server is configured (always in CI).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvidersAttribute : Xunit.Sdk.DataAttribute
{
    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod)
    {
        yield return ["Sqlite"];
        if (ReliabilityDb.Postgres is not null || ReliabilityDb.InCi)
        {
            yield return ["Postgres"];
        }
    }
}
