using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Biobank.Core.Data;

public sealed record MigrationScript(string Version, string Sql, string Checksum);

public sealed record MigrationReport(IReadOnlyList<string> Applied, int AlreadyApplied);

public sealed class MigrationException(string message) : Exception(message);

/// <summary>
/// Forward-only runner for the plain SQL files under <c>db/&lt;dialect&gt;/</c>: applies them in name order,
/// each in its own transaction, journaled with a SHA-256 checksum. Refuses a changed script and a database
/// that knows scripts this build does not (it is newer than the code).
/// </summary>
public sealed class Migrator(IDb db, ILogger<Migrator> logger, TimeProvider clock)
{
    private const string CreateJournal = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     VARCHAR(200) NOT NULL PRIMARY KEY,
            checksum    VARCHAR(64)  NOT NULL,
            applied_utc VARCHAR(40)  NOT NULL
        )
        """;

    private const string ReadJournal = "SELECT version AS Version, checksum AS Checksum FROM schema_migrations";

    private const string Record = """
        INSERT INTO schema_migrations (version, checksum, applied_utc) VALUES (@Version, @Checksum, @AppliedUtc)
        """;

    public static IReadOnlyList<MigrationScript> LoadScripts(string dialectFolder)
    {
        var prefix = $"db/{dialectFolder}/";
        var assembly = CoreAssembly.Value;
        var scripts = new List<MigrationScript>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            scripts.Add(new MigrationScript(Path.GetFileNameWithoutExtension(name[prefix.Length..]), sql, checksum));
        }
        scripts.Sort((a, b) => string.CompareOrdinal(a.Version, b.Version));
        return scripts;
    }

    public async Task<MigrationReport> MigrateAsync(CancellationToken ct)
    {
        var scripts = LoadScripts(db.Dialect.MigrationFolder);
        await db.Dialect.EnsureDatabaseExistsAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await using var migrationLock = await db.Dialect.AcquireMigrationLockAsync(connection, ct);

        await using (var tx = await db.BeginWriteAsync(connection, ct))
        {
            // Only when missing: the application role on PostgreSQL may not CREATE, not even "IF NOT EXISTS".
            if (await connection.ExecuteScalarAsync<long>(db.Dialect.TableExists, new { Table = "schema_migrations" }, tx) == 0)
            {
                await connection.ExecuteAsync(CreateJournal, transaction: tx);
            }
            await tx.CommitAsync(ct);
        }

        var applied = new List<string>();
        var skipped = 0;
        foreach (var script in scripts)
        {
            await using var tx = await db.BeginWriteAsync(connection, ct);
            // Read the journal inside the write transaction: another node may have migrated meanwhile.
            var journal = (await connection.QueryAsync<(string Version, string Checksum)>(ReadJournal, transaction: tx))
                .ToDictionary(j => j.Version, j => j.Checksum, StringComparer.Ordinal);
            Verify(journal, scripts);
            if (journal.ContainsKey(script.Version))
            {
                skipped++;
                await tx.RollbackAsync(ct);
                continue;
            }
            logger.LogInformation("Applying migration {Version}", script.Version);
            await using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = script.Sql;
                cmd.CommandTimeout = 600;
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await connection.ExecuteAsync(Record, new
            {
                script.Version,
                script.Checksum,
                AppliedUtc = clock.GetUtcNow().UtcDateTime.ToString("O"),
            }, tx);
            await tx.CommitAsync(ct);
            applied.Add(script.Version);
        }
        if (scripts.Count == 0)
        {
            throw new MigrationException($"No migration scripts for '{db.Dialect.MigrationFolder}' are embedded in this build.");
        }
        return new MigrationReport(applied, skipped);
    }

    private static void Verify(Dictionary<string, string> journal, IReadOnlyList<MigrationScript> scripts)
    {
        var known = scripts.ToDictionary(s => s.Version, StringComparer.Ordinal);
        var unknown = journal.Keys.Where(v => !known.ContainsKey(v)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new MigrationException(
                $"The database is newer than this version of the application: it has migration(s) {string.Join(", ", unknown)} " +
                "that this build does not know. Upgrade the application instead of running an older one against this database.");
        }
        foreach (var (version, checksum) in journal)
        {
            if (!string.Equals(known[version].Checksum, checksum, StringComparison.Ordinal))
            {
                throw new MigrationException(
                    $"Migration {version} was changed after it was applied (checksum {checksum[..12]}… in the database, " +
                    $"{known[version].Checksum[..12]}… in this build). Applied migrations are forward-only: restore the script and add a new one.");
            }
        }
    }
}

public static class DbConnectionExtensions
{
    /// <summary>Runs an action in a write transaction and commits it; rolls back on any exception.</summary>
    public static async Task<T> InWriteAsync<T>(this IDb db, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(connection, ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }
}
