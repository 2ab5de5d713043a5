using Biobank.Core.Data;
using Biobank.Core.Tests.Support;
using Dapper;
using Microsoft.Extensions.Configuration;

namespace Biobank.Core.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public void Both_dialect_folders_hold_the_same_script_names()
    {
        var root = RepoRoot();
        string[] Names(string dialect) => Directory.GetFiles(Path.Combine(root, "db", dialect), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        var sqlite = Names("sqlite");
        sqlite.ShouldNotBeEmpty();
        Names("postgres").ShouldBe(sqlite);
        Migrator.LoadScripts("sqlite").Select(s => s.Version + ".sql").ShouldBe(sqlite, "every file is embedded in Core");
    }

    [Theory, Providers]
    public async Task Applies_every_script_on_an_empty_database_and_reruns_as_a_no_op(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var migrator = db.Get<Migrator>();
        var first = await migrator.MigrateAsync(CancellationToken.None);
        first.Applied.Count.ShouldBe(Migrator.LoadScripts(db.Db.Dialect.MigrationFolder).Count);
        var second = await migrator.MigrateAsync(CancellationToken.None);
        second.Applied.ShouldBeEmpty();
        second.AlreadyApplied.ShouldBe(first.Applied.Count);
    }

    [Theory, Providers]
    public async Task Refuses_a_database_newer_than_the_code(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var c = await db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("INSERT INTO schema_migrations (version, checksum, applied_utc) VALUES ('9999_from_the_future', 'x', 'now')");
        }
        var error = await Should.ThrowAsync<MigrationException>(() => db.Get<Migrator>().MigrateAsync(default));
        error.Message.ShouldContain("newer than this version");
        error.Message.ShouldContain("9999_from_the_future");
    }

    [Theory, Providers]
    public async Task Refuses_a_script_changed_after_it_was_applied(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var c = await db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE schema_migrations SET checksum = 'deadbeefdeadbeefdeadbeef' WHERE version = '0001_foundation'");
        }
        var error = await Should.ThrowAsync<MigrationException>(() => db.Get<Migrator>().MigrateAsync(default));
        error.Message.ShouldContain("0001_foundation was changed after it was applied");
    }

    [Theory, Providers]
    public async Task Two_nodes_migrating_at_once_apply_each_script_exactly_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var other = new ServiceScopeDouble(db);
        var reports = await Task.WhenAll(
            db.Get<Migrator>().MigrateAsync(default),
            other.Migrator.MigrateAsync(default));
        reports.Sum(r => r.Applied.Count).ShouldBe(Migrator.LoadScripts(db.Db.Dialect.MigrationFolder).Count);
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations")).ShouldBe(reports.Sum(r => r.Applied.Count));
    }

    [Fact]
    public void An_unknown_provider_stops_with_a_message_naming_the_setting()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "Oracle" }).Build();
        var error = Should.Throw<ConfigurationException>(() => DatabaseOptions.FromConfiguration(config));
        error.Message.ShouldContain("Database:Provider");
        error.Message.ShouldContain("Oracle");
    }

    [Fact]
    public async Task SQLite_runs_in_WAL_mode_with_foreign_keys_on()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<string>("PRAGMA journal_mode")).ShouldBe("wal");
        (await c.ExecuteScalarAsync<long>("PRAGMA foreign_keys")).ShouldBe(1);
        (await c.ExecuteScalarAsync<long>("PRAGMA busy_timeout")).ShouldBeGreaterThan(0);
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Biobank.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Biobank.sln not found above the test folder.");
    }

    /// <summary>A second, independent set of services on the same database: another web node.</summary>
    private sealed class ServiceScopeDouble(TestDatabase db) : IAsyncDisposable
    {
        private readonly Microsoft.Extensions.DependencyInjection.ServiceProvider _services = Build(db);

        public Migrator Migrator => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Migrator>(_services);

        private static Microsoft.Extensions.DependencyInjection.ServiceProvider Build(TestDatabase db)
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
            var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
            Microsoft.Extensions.DependencyInjection.LoggingServiceCollectionExtensions.AddLogging(services);
            ServiceCollectionExtensions.AddBiobankCore(services, config);
            return Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
