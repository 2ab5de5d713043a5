using Biobank.Core.Data;
using Biobank.Core.Operations;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Operations;

public sealed class RotatingBackupTests
{
    [Fact]
    public async Task Each_run_writes_a_backup_named_by_its_time_and_only_the_newest_kept_files_of_ours_remain()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        var folder = Path.Combine(Path.GetTempPath(), $"bb-backups-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var stranger = Path.Combine(folder, "biobank-keep-me.db");
            await File.WriteAllTextAsync(stranger, "not ours");
            var backup = new RotatingBackup(db.Get<Backup>(), db.Get<DatabaseOptions>(), new BackupOptions(folder, Keep: 2), db.Clock);
            var reports = new List<RotatingBackupReport>();
            for (var i = 0; i < 4; i++)
            {
                reports.Add(await backup.ExecuteAsync(default));
                db.Clock.Advance(TimeSpan.FromDays(1));
            }
            reports.Select(r => r.Deleted.Count).ShouldBe([0, 0, 1, 1]);
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)
                .ShouldBe(["biobank-20261104T090000Z.db", "biobank-20261105T090000Z.db", "biobank-keep-me.db"]);
            reports[^1].Backup.Rows.Keys.ShouldContain("schema_migrations");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
