using System.Text;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Shipments;

public sealed class ExternalManifestTests
{
    private static MemoryStream Csv(params string[] rows) =>
        new(Encoding.UTF8.GetBytes("barcode,pseudonym,sample_type,timepoint,volume_ul\n" + string.Join("\n", rows) + "\n"));

    [Theory, Providers]
    public async Task Another_sites_patient_and_a_withdrawn_one_are_refused_in_the_words_of_an_unknown_pseudonym(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var lyoTech = await LabData.CallerAsync(db, "tech.lyo");
        var lyo = (await db.Get<Patients>().ListAsync(lyoTech, null, 500, 0, default)).Where(p => !p.Withdrawn).ToList();
        var withdrawn = lyo[^1];
        (await db.Get<Patients>().UpdateAsync(lyoTech, withdrawn.Id, new PatientInput(withdrawn.Pseudonym, withdrawn.SiteId, withdrawn.Sex, withdrawn.AgeAtRtYears, "withdrawn", withdrawn.ConsentDate), "test", default)).Ok.ShouldBeTrue();
        var bru = (await db.Get<Patients>().ListAsync(await LabData.CallerAsync(db, "tech.bru"), null, 1, 0, default))[0];
        var receiver = await LabData.CallerAsync(db, "tech.sto");
        await using var c = await db.Db.OpenAsync(default);
        var tubes = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tube");

        var e = await Should.ThrowAsync<ExternalManifestException>(() => db.Get<ImportExternalManifest>().ExecuteAsync(receiver, "LYO", "m.csv",
            Csv($"EXT-LYO-500001,{bru.Pseudonym},PLASMA,BASELINE,250", $"EXT-LYO-500002,{withdrawn.Pseudonym},PLASMA,BASELINE,250", "EXT-LYO-500003,NOBODY-1,PLASMA,BASELINE,250"), default));

        var reasons = e.Problems.Where(p => p.Column == "pseudonym").ToList();
        reasons.Count.ShouldBe(3, "BRU's patient is not LYO's, whatever the receiver claims");
        reasons.Select(p => p.Reason).Distinct().Count().ShouldBe(1, "existence elsewhere and withdrawn consent read like an unknown pseudonym");
        reasons[0].Reason.ShouldNotContain("withdrawn");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tube")).ShouldBe(tubes);
    }

    [Theory, Providers]
    public async Task A_manifest_writes_an_audit_row_for_every_tube_collection_and_shipment_item_it_creates(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var lyo = (await db.Get<Patients>().ListAsync(await LabData.CallerAsync(db, "tech.lyo"), null, 500, 0, default)).First(p => !p.Withdrawn);
        var receiver = await LabData.CallerAsync(db, "tech.sto");
        await using var c = await db.Db.OpenAsync(default);
        // A timepoint the patient has no collection at, so the import creates one.
        var timepoint = await c.ExecuteScalarAsync<string>("""
            SELECT code FROM study_timepoint tp WHERE NOT EXISTS (SELECT 1 FROM collection c WHERE c.patient_id = @P AND c.timepoint_id = tp.id) ORDER BY id LIMIT 1
            """, new { P = lyo.Id });
        var mark = await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM audit_log");

        var result = await db.Get<ImportExternalManifest>().ExecuteAsync(receiver, "LYO", "m.csv",
            Csv($"EXT-LYO-600001,{lyo.Pseudonym},PLASMA,{timepoint},250", $"EXT-LYO-600002,{lyo.Pseudonym},SER,{timepoint},250"), default);
        result.Ok.ShouldBeTrue(result.Problem?.Message);

        var tubeIds = (await c.QueryAsync<long>("SELECT id FROM tube WHERE barcode IN ('EXT-LYO-600001', 'EXT-LYO-600002')")).Select(i => i.ToString()).ToList();
        var collections = (await c.QueryAsync<long>("SELECT DISTINCT collection_id FROM tube WHERE barcode IN ('EXT-LYO-600001', 'EXT-LYO-600002')")).Select(i => i.ToString()).ToList();
        var audited = (await c.QueryAsync<(string Table, string Key)>("SELECT table_name, row_key FROM audit_log WHERE id > @Mark", new { Mark = mark })).ToList();
        tubeIds.Count.ShouldBe(2);
        collections.Count.ShouldBe(1);
        audited.Where(a => a.Table == "tube").Select(a => a.Key).Order().ShouldBe(tubeIds.Order());
        audited.Where(a => a.Table == "collection").Select(a => a.Key).ShouldBe(collections);
        audited.Count(a => a.Table == "shipment_item").ShouldBe(2);
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }
}
