using Biobank.Core.Data;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Biobank.Core.Tests.Data;

/// <summary>
/// The application role on PostgreSQL: it runs the use cases and appends to the audit trail, but cannot change or
/// delete audit rows, switch the append-only triggers off, or create tables — it is not the owner.
/// </summary>
public sealed class AppRoleTests
{
    [PostgresFact]
    public async Task The_application_role_audits_its_writes_but_cannot_alter_the_audit_trail_or_the_schema()
    {
        var role = $"bbapp_{Guid.NewGuid():N}"[..20];
        const string password = "app-role-test-password";
        var db = await TestDatabase.CreateAsync("Postgres");
        try
        {
            await LabData.SeedAsync(db, patients: 2);
            var report = await db.Get<AppRole>().GrantAsync(role, password, default);
            report.Created.ShouldBeTrue();
            (await db.Get<AppRole>().GrantAsync(role, null, default)).Created.ShouldBeFalse("granting again is harmless");

            var appCs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Password = password }.ToString();
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Postgres",
                ["ConnectionStrings:Biobank"] = appCs,
            }).Build();
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
            services.AddSingleton<TimeProvider>(db.Clock);
            services.AddBiobankCore(config);
            await using (var app = services.BuildServiceProvider())
            {
                // What the web app does at start: the migrations are all there, so the role needs no CREATE.
                (await app.GetRequiredService<Migrator>().MigrateAsync(default)).Applied.ShouldBeEmpty();

                var tech = await LabData.CallerAsync(db, "tech.bru");
                var box = await app.GetRequiredService<StorageSetup>().AddBoxAsync(tech, tech.SiteId!.Value, null, "app role box", 9, 9, null, default);
                box.Ok.ShouldBeTrue(box.Problem?.Message);

                await using var c = new NpgsqlConnection(appCs);
                await c.OpenAsync();
                (await c.ExecuteScalarAsync<string>("SELECT current_user")).ShouldBe(role);
                (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE table_name = 'box' AND action = 'insert' AND user_name = 'tech.bru' AND new_values LIKE '%app role box%'"))
                    .ShouldBe(1);

                await Refused(c, "UPDATE audit_log SET reason = 'tampered'");
                await Refused(c, "DELETE FROM audit_log");
                await Refused(c, "TRUNCATE audit_log");
                await Refused(c, "ALTER TABLE audit_log DISABLE TRIGGER ALL");
                await Refused(c, "DROP TRIGGER audit_log_no_update ON audit_log");
                await Refused(c, "UPDATE custody_event SET details = 'tampered'");
                await Refused(c, "DELETE FROM schema_migrations");
                await Refused(c, "CREATE TABLE sneaky (id int)");
                await Refused(c, "CREATE TABLE hangfire.sneaky (id int)");
                (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE reason = 'tampered'")).ShouldBe(0);
            }

            // Hangfire's storage creates its tables in the schema hangfire at the owner's first start: the role may use them.
            await using (var owner = new NpgsqlConnection(db.ConnectionString))
            {
                await owner.OpenAsync();
                await owner.ExecuteAsync("CREATE TABLE hangfire.jobqueue_probe (id BIGSERIAL PRIMARY KEY, queue TEXT NOT NULL)");
            }
            await using (var c = new NpgsqlConnection(appCs))
            {
                await c.OpenAsync();
                await c.ExecuteAsync("INSERT INTO hangfire.jobqueue_probe (queue) VALUES ('imports')");
                (await c.ExecuteAsync("DELETE FROM hangfire.jobqueue_probe WHERE queue = 'imports'")).ShouldBe(1);
                await Refused(c, "DROP TABLE hangfire.jobqueue_probe");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await db.DisposeAsync();
            // The role's grants lived in the dropped database; the role itself is cluster-wide.
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres!) { Database = "postgres" }.ToString());
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    private static async Task Refused(NpgsqlConnection c, string sql)
    {
        var e = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync(sql));
        e.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {e.MessageText}");
    }
}
