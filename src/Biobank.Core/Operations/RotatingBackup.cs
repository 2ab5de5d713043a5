using System.Globalization;
using Biobank.Core.Data;
using Microsoft.Extensions.Configuration;

namespace Biobank.Core.Operations;

/// <summary><c>Biobank:Backup:Folder</c> (default: <c>backups</c> in the data folder) and <c>Biobank:Backup:Keep</c> (default 7).</summary>
public sealed record BackupOptions(string Folder, int Keep)
{
    public static BackupOptions FromConfiguration(IConfiguration config)
    {
        var folder = config["Biobank:Backup:Folder"] is { Length: > 0 } f
            ? f
            : Path.Combine(Path.GetDirectoryName(DatabaseOptions.DefaultSqlitePath(config))!, "backups");
        var keep = config.GetValue("Biobank:Backup:Keep", 7);
        if (keep < 1)
        {
            throw new ConfigurationException($"Biobank:Backup:Keep (environment Biobank__Backup__Keep) must be 1 or more; it is {keep}.");
        }
        return new BackupOptions(folder, keep);
    }
}

public sealed record RotatingBackupReport(BackupReport Backup, IReadOnlyList<string> Deleted);

/// <summary>
/// The nightly backup: one file per run named by its UTC time, through <see cref="Backup"/> (SQLite's online backup,
/// pg_dump on PostgreSQL), then only the newest <see cref="BackupOptions.Keep"/> files of ours are kept. Files in the
/// folder that this class did not name are never touched.
/// </summary>
public sealed class RotatingBackup(Backup backup, DatabaseOptions database, BackupOptions options, TimeProvider clock)
{
    private const string Prefix = "biobank-";

    public async Task<RotatingBackupReport> ExecuteAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.Folder);
        var extension = database.Provider == DatabaseProvider.Sqlite ? ".db" : ".dump";
        var name = Prefix + clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + extension;
        var report = await backup.BackupAsync(Path.Combine(options.Folder, name), ct);
        // The stamp sorts as text; only files whose whole name has our shape take part.
        var ours = Directory.GetFiles(options.Folder, Prefix + "*" + extension)
            .Where(f => IsOurs(Path.GetFileName(f), extension))
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        var deleted = new List<string>();
        foreach (var old in ours.Skip(options.Keep))
        {
            File.Delete(old);
            deleted.Add(old);
        }
        return new RotatingBackupReport(report, deleted);
    }

    private static bool IsOurs(string fileName, string extension) =>
        fileName.Length == Prefix.Length + 16 + extension.Length
        && DateTime.TryParseExact(fileName.AsSpan(Prefix.Length, 16), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
