using Biobank.Core.Samples;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Samples;

public sealed class ProcessingAuditTests
{
    [Theory, Providers]
    public async Task Recording_processing_audits_the_new_SPREC_code_of_every_aliquot_it_rewrites(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var aliquots = await LabData.NewAliquotsAsync(db, tech, 3);
        var primary = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, aliquots[0], default))!.ParentId!.Value;
        await using var c = await db.Db.OpenAsync(default);
        var mark = await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM audit_log");

        var recorded = await db.Get<Collections>().RecordProcessingAsync(tech, new ProcessingInput(primary, db.Clock.GetUtcNow().UtcDateTime.AddHours(-1), "RT", 4m, 2000, 10, true, null,
            db.Clock.GetUtcNow().UtcDateTime.AddMinutes(-20), -80m), default);
        recorded.Ok.ShouldBeTrue(recorded.Problem?.Message);

        var tubes = (await c.QueryAsync<(long Id, string Sprec)>("SELECT id, sprec FROM tube WHERE parent_id = @P", new { P = primary })).ToList();
        tubes.Count.ShouldBe(3);
        var audited = (await c.QueryAsync<(string Key, string New)>("SELECT row_key, new_values FROM audit_log WHERE id > @Mark AND table_name = 'tube'", new { Mark = mark })).ToList();
        foreach (var t in tubes)
        {
            audited.ShouldContain(a => a.Key == t.Id.ToString() && a.New.Contains(t.Sprec), $"aliquot {t.Id} got SPREC {t.Sprec} without an audit row");
        }
    }
}
