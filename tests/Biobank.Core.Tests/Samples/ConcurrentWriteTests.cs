using System.Text.Json;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Samples;

/// <summary>
/// Races that only PostgreSQL (READ COMMITTED, row locks) lets happen; SQLite takes its one write lock at the start of
/// every write transaction. A row lock held by the test stands in for the other user's transaction in flight.
/// </summary>
public sealed class ConcurrentWriteTests
{
    [PostgresFact]
    public async Task Two_aliquotings_of_one_tube_at_once_write_the_true_before_and_after_volumes_into_the_audit()
    {
        await using var db = await TestDatabase.CreateAsync("Postgres");
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var protocol = db.Get<Protocol>();
        var types = await protocol.SampleTypesAsync(default);
        var patient = (await db.Get<Patients>().ListAsync(tech, null, 1, 0, default))[0];
        var collection = await db.Get<Collections>().RegisterAsync(tech, new CollectionInput(patient.Id, (await protocol.TimepointsAsync(default))[0].Id,
            db.Clock.GetUtcNow().UtcDateTime.AddHours(-1), null, [new PrimaryTubeInput(types.Single(t => t.Code == "EDTA").Id, null, 1000m)]), default);
        var parent = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, collection.Value!.Barcodes[0], default))!;
        var plasma = types.Single(t => t.Code == "PLASMA").Id;

        await using var blocker = await db.Db.OpenAsync(default);
        await using var hold = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("UPDATE tube SET updated_utc = updated_utc WHERE id = @Id", new { parent.Id }, hold);
        var aliquoting = db.Get<Aliquoting>();
        // Both read 1,000 µL, then queue on the parent's row lock.
        var first = aliquoting.ExecuteAsync(tech, parent.Id, [new AliquotLine(plasma, 1, 100m)], default);
        var second = aliquoting.ExecuteAsync(tech, parent.Id, [new AliquotLine(plasma, 2, 100m)], default);
        await Task.Delay(1500);
        await hold.CommitAsync();
        var results = await Task.WhenAll(first, second);
        results.ShouldAllBe(r => r.Ok);

        await using var c = await db.Db.OpenAsync(default);
        var rows = (await c.QueryAsync<(string Old, string New)>("SELECT old_values, new_values FROM audit_log WHERE table_name = 'tube' AND row_key = @Key AND reason = 'aliquoted' ORDER BY id",
            new { Key = parent.Id.ToString() })).ToList();
        decimal Volume(string json) => JsonDocument.Parse(json).RootElement.GetProperty("remaining_ul").GetDecimal();
        var steps = rows.Select(r => (Before: Volume(r.Old), After: Volume(r.New))).OrderByDescending(s => s.Before).ToList();
        steps.Count.ShouldBe(2);
        steps[0].Before.ShouldBe(1000m);
        steps[1].Before.ShouldBe(steps[0].After, "the second aliquoting started from what the first left");
        steps[1].After.ShouldBe(700m);
        (await db.Get<TubeQueries>().ByBarcodeAsync(tech, parent.Barcode, default))!.RemainingUl.ShouldBe(700m);
        results.Select(r => r.Value!.RemainingUl).Order().ShouldBe([700m, steps[0].After]);
    }

    [PostgresFact]
    public async Task Consent_given_again_while_a_destruction_is_under_way_keeps_the_tube()
    {
        await using var db = await TestDatabase.CreateAsync("Postgres");
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tube = (await LabData.NewAliquotsAsync(db, tech, 1, withdrawnPatient: true))[0];
        var patientId = (await db.Get<TubeQueries>().ByBarcodeAsync(tech, tube, default))!.PatientId;

        // The registry import that re-grants consent is in flight when the destruction starts.
        await using var registry = await db.Db.OpenAsync(default);
        await using var regrant = await registry.BeginTransactionAsync();
        await registry.ExecuteAsync("UPDATE patient SET consent_status = 'given', withdrawn_utc = NULL WHERE id = @Id", new { Id = patientId }, regrant);
        var destroy = db.Get<TubeActions>().DestroyWithdrawnAsync(tech, tube, "consent withdrawn", default);
        await Task.Delay(1500);
        await regrant.CommitAsync();
        var result = await destroy;

        result.Ok.ShouldBeFalse("consent was given again before the destruction could commit");
        (await db.Get<TubeQueries>().ByBarcodeAsync(tech, tube, default))!.Status.ShouldNotBe("destroyed");
    }
}
