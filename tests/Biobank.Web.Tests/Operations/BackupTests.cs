using Biobank.Cli;
using Biobank.Core.Tests.Support;
using Microsoft.Extensions.Configuration;
using Npgsql;

using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Operations;

public sealed class BackupTests
{
    private static IConfiguration Settings(string provider, string cs) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = provider,
        ["ConnectionStrings:Biobank"] = cs,
    }).Build();

    private static async Task<(int Exit, string Out, string Err)> Cli(IConfiguration settings, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var exit = await BuiltCli.RunAsync(args, o, e, settings);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task A_SQLite_backup_restores_into_a_fresh_database_with_the_same_rows_and_content()
    {
        var dir = Directory.CreateTempSubdirectory("biobank-backup-").FullName;
        var source = Settings("Sqlite", $"Data Source={Path.Combine(dir, "source.db")}");
        (await Cli(source, "seed-demo", "--patients", "6")).Exit.ShouldBe(0);
        var backup = await Cli(source, "backup", "--out", Path.Combine(dir, "backup.db"));
        backup.Exit.ShouldBe(0, backup.Err);
        var target = Settings("Sqlite", $"Data Source={Path.Combine(dir, "restored.db")}");
        var restore = await Cli(target, "restore", "--from", Path.Combine(dir, "backup.db"));
        restore.Exit.ShouldBe(0, restore.Err);
        (await Cli(target, "restore", "--from", Path.Combine(dir, "backup.db"))).Exit.ShouldBe(1, "a restore never overwrites a database");
        await using var a = await TestDatabaseOn(source);
        await using var b = await TestDatabaseOn(target);
        (await Checksums(b)).ShouldBe(await Checksums(a));
    }

    [PostgresFact]
    public async Task A_PostgreSQL_backup_restores_into_a_fresh_database_with_the_same_rows_and_content()
    {
        string Db(string name) => new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres!) { Database = name }.ToString();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var source = Settings("Postgres", Db($"bb_backup_src_{suffix}"));
        var target = Settings("Postgres", Db($"bb_backup_dst_{suffix}"));
        var file = Path.Combine(Directory.CreateTempSubdirectory("biobank-pgbackup-").FullName, "backup.dump");
        (await Cli(source, "seed-demo", "--patients", "6")).Exit.ShouldBe(0);
        var backup = await Cli(source, "backup", "--out", file);
        backup.Exit.ShouldBe(0, backup.Err);
        var restore = await Cli(target, "restore", "--from", file);
        restore.Exit.ShouldBe(0, restore.Err);
        await using var a = await TestDatabaseOn(source);
        await using var b = await TestDatabaseOn(target);
        (await Checksums(b)).ShouldBe(await Checksums(a));
    }

    private static Task<Microsoft.Extensions.DependencyInjection.ServiceProvider> TestDatabaseOn(IConfiguration settings) => Task.FromResult(CliApp.BuildServices(settings));

    /// <summary>Per table: row count and a checksum over the primary data (barcodes, statuses, positions, audit values).</summary>
    private static async Task<SortedDictionary<string, string>> Checksums(IServiceProvider services)
    {
        var backup = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Data.Backup>(services);
        var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Data.IDb>(services);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (table, rows) in await backup.CountRowsAsync(default))
        {
            result[table] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var c = await db.OpenAsync(default);
        var tubes = string.Join("|", await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT barcode || ':' || status || ':' || COALESCE(CAST(box_id AS TEXT), '-') || ':' || COALESCE(CAST(pos_row AS TEXT), '-') FROM tube ORDER BY barcode"));
        var audit = string.Join("|", await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT action || ':' || table_name || ':' || row_key || ':' || COALESCE(new_values, '') FROM audit_log ORDER BY id"));
        result["~tube"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tubes)));
        result["~audit"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(audit)));
        return result;
    }
}
