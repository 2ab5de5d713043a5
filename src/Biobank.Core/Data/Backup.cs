using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Biobank.Core.Data;

public sealed record BackupReport(string File, long Bytes, IReadOnlyDictionary<string, long> Rows);

/// <summary>
/// Backups that a quality manager can restore: SQLite's online backup API (consistent while the app runs), and for
/// PostgreSQL the documented tools pg_dump / pg_restore in custom format. Restore goes into a fresh, empty database.
/// </summary>
public sealed class Backup(IDb db, DatabaseOptions options)
{
    public async Task<BackupReport> BackupAsync(string file, CancellationToken ct)
    {
        var full = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            if (File.Exists(full))
            {
                File.Delete(full);
            }
            await using var source = (SqliteConnection)await db.OpenAsync(ct);
            await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
            await target.OpenAsync(ct);
            source.BackupDatabase(target);
        }
        else
        {
            var b = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            await RunAsync("pg_dump", $"--format=custom --no-owner --file \"{full}\" --host {b.Host} --port {b.Port} --username {b.Username} {b.Database}", b.Password, ct);
        }
        return new BackupReport(full, new FileInfo(full).Length, await CountRowsAsync(ct));
    }

    public async Task RestoreAsync(string file, CancellationToken ct)
    {
        var full = Path.GetFullPath(file);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No backup file {full}.");
        }
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var target = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            if (File.Exists(target) && new FileInfo(target).Length > 0)
            {
                throw new InvalidOperationException($"Restore goes into a new, empty database; {target} exists. Point ConnectionStrings__Biobank at a new file.");
            }
            await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await source.OpenAsync(ct);
            await RefuseUnlessOurBackupAsync(source, full, ct);
            try
            {
                await using var dest = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
                await dest.OpenAsync(ct);
                source.BackupDatabase(dest);
            }
            catch (SqliteException e)
            {
                // Nothing half-restored stays behind: the target was new and empty.
                SqliteConnection.ClearAllPools();
                File.Delete(target);
                throw new InvalidOperationException($"{full} could not be restored: {e.Message}", e);
            }
        }
        else
        {
            await db.Dialect.EnsureDatabaseExistsAsync(ct);
            var b = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            await RunAsync("pg_restore", $"--no-owner --exit-on-error --dbname {b.Database} --host {b.Host} --port {b.Port} --username {b.Username} \"{full}\"", b.Password, ct);
        }
    }

    /// <summary>A file that is not a SQLite database, or one without our migration journal, is named and refused before anything is written.</summary>
    private static async Task RefuseUnlessOurBackupAsync(SqliteConnection source, string file, CancellationToken ct)
    {
        try
        {
            var journal = await source.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", cancellationToken: ct));
            if (journal == 0)
            {
                throw new InvalidOperationException($"{file} is a SQLite database but not a Biobank backup (it has no schema_migrations table).");
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"{file} is not a Biobank backup: {e.Message}", e);
        }
    }

    /// <summary>
    /// Row counts of every table of ours, for comparing a restore with its source. Hangfire's job store is not in this
    /// database file (SQLite: a file of its own) or schema (PostgreSQL: the schema hangfire), so neither backed up nor counted.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var tables = options.Provider == DatabaseProvider.Sqlite
            ? await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            : await c.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in tables)
        {
            // Table names come from the catalogue, never from input.
            counts[t] = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
        }
        return counts;
    }

    private static async Task RunAsync(string tool, string arguments, string? password, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (!string.IsNullOrEmpty(password))
        {
            start.Environment["PGPASSWORD"] = password;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not be started; install the PostgreSQL client tools.");
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {error.Trim()}");
        }
    }
}
