using Biobank.Core.Operations;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Operations;

public sealed class IntegrityCheckTests
{
    [Theory, Providers]
    public async Task A_seeded_database_passes_and_each_planted_lie_is_named(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db, 8);
        var clean = await db.Get<IntegrityCheck>().CheckAsync(default);
        clean.Problems.ShouldBeEmpty();
        clean.Tubes.ShouldBeGreaterThan(100);

        await using (var c = await db.Db.OpenAsync(default))
        {
            // A tube moved without a custody event, a status changed behind the trail's back, a run that claims more rows than it holds.
            var (moved, statusOnly) = (await c.QueryAsync<string>("SELECT barcode FROM tube WHERE box_id IS NOT NULL ORDER BY id LIMIT 2")).ToList() switch { [var a, var b] => (a, b), _ => throw new InvalidOperationException() };
            await c.ExecuteAsync("UPDATE tube SET pos_row = pos_row + 100 WHERE barcode = @B", new { B = moved });
            await c.ExecuteAsync("UPDATE tube SET status = 'destroyed' WHERE barcode = @B", new { B = statusOnly });
            await c.ExecuteAsync("UPDATE assay_run SET result_rows = result_rows + 1 WHERE id = (SELECT MIN(id) FROM assay_run)");
            var report = await db.Get<IntegrityCheck>().CheckAsync(default);
            report.Custody.Count.ShouldBe(2);
            report.Custody.ShouldContain(p => p.Contains(moved, StringComparison.Ordinal));
            report.Custody.ShouldContain(p => p.Contains(statusOnly, StringComparison.Ordinal) && p.Contains("destroyed", StringComparison.Ordinal));
            report.Runs.Single().ShouldContain("committed");
            report.Ok.ShouldBeFalse();
        }
    }
}
