using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Storage;

public sealed class StoreTubeTests
{
    [Theory, Providers]
    public async Task Stores_in_the_next_free_position_and_records_custody(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        var store = db.Get<StoreTube>();
        (await store.ExecuteAsync(tech, new StoreCommand(box, tubes[0]), default)).Value!.Position.ShouldBe("A1");
        (await store.ExecuteAsync(tech, new StoreCommand(box, tubes[1], "C5"), default)).Value!.Position.ShouldBe("C5");
        (await store.ExecuteAsync(tech, new StoreCommand(box, tubes[2]), default)).Value!.Position.ShouldBe("A2");
        var view = await db.Get<TubeQueries>().ByBarcodeAsync(tech, tubes[1], default);
        view!.Status.ShouldBe("in_storage");
        view.Position.ShouldBe("C5");
        var history = await db.Get<TubeQueries>().HistoryAsync(tech, view.Id, default);
        history.Select(h => h.Event).ShouldBe(["created", "stored"]);
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Refuses_second_tube_in_occupied_position(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 2);
        var box = await LabData.NewBoxAsync(db, tech);
        var store = db.Get<StoreTube>();
        (await store.ExecuteAsync(tech, new StoreCommand(box, tubes[0], "B3"), default)).Ok.ShouldBeTrue();
        var second = await store.ExecuteAsync(tech, new StoreCommand(box, tubes[1], "b3"), default);
        second.Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        second.Problem.Code.ShouldBe(ScanCodes.PositionTaken);
        second.Problem.Message.ShouldContain(tubes[0]);
    }

    [Theory, Providers]
    public async Task A_tube_stored_elsewhere_is_refused_until_moved(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tube = (await LabData.NewAliquotsAsync(db, tech, 1))[0];
        var first = await LabData.NewBoxAsync(db, tech);
        var second = await LabData.NewBoxAsync(db, tech);
        var store = db.Get<StoreTube>();
        (await store.ExecuteAsync(tech, new StoreCommand(first, tube), default)).Ok.ShouldBeTrue();
        var refused = await store.ExecuteAsync(tech, new StoreCommand(second, tube), default);
        refused.Problem!.Code.ShouldBe(ScanCodes.StoredElsewhere);
        refused.Problem.Message.ShouldContain(first);
        var moved = await store.ExecuteAsync(tech, new StoreCommand(second, tube, Move: true), default);
        moved.Value!.Moved.ShouldBeTrue();
        moved.Value.MovedFrom.ShouldBe($"{first} A1");
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Refuses_wrong_check_characters_unknown_codes_other_sites_and_withdrawn_consent(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var other = await LabData.CallerAsync(db, "tech.aar");
        var tube = (await LabData.NewAliquotsAsync(db, tech, 1))[0];
        var withdrawn = (await LabData.NewAliquotsAsync(db, tech, 1, withdrawnPatient: true))[0];
        var box = await LabData.NewBoxAsync(db, tech);
        var otherBox = await LabData.NewBoxAsync(db, other);
        var store = db.Get<StoreTube>();

        var mistyped = tube[..^1] + (tube[^1] == '0' ? '1' : '0');
        (await store.ExecuteAsync(tech, new StoreCommand(box, mistyped), default)).Problem!.Code.ShouldBe(ScanCodes.BadCheck);
        var unknown = Barcodes.Format("BRU", BarcodeKind.Aliquot, 99_999_999);
        (await store.ExecuteAsync(tech, new StoreCommand(box, unknown), default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await store.ExecuteAsync(other, new StoreCommand(otherBox, tube), default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound, "another site's tube is not revealed");
        (await store.ExecuteAsync(other, new StoreCommand(box, tube), default)).Problem!.Code.ShouldBe(ScanCodes.UnknownBox, "another site's box is unknown");
        var refused = await store.ExecuteAsync(tech, new StoreCommand(box, withdrawn), default);
        refused.Problem!.Code.ShouldBe(ScanCodes.Withdrawn);
        refused.Problem.Message.ShouldContain("destruction");
        await using var c = await db.Db.OpenAsync(default);
        var stored = (await c.QueryAsync<string>("SELECT barcode FROM tube WHERE box_id IS NOT NULL")).ToHashSet();
        stored.ShouldNotContain(tube);
        stored.ShouldNotContain(withdrawn);
    }

    [Theory, Providers]
    public async Task Sixteen_clients_scanning_into_one_box_never_share_a_position(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 48);
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        var store = db.Get<StoreTube>();
        // Every tube is scanned by two clients at once, half of them asking for the same explicit position.
        var work = tubes.SelectMany((t, i) => new[] { (Tube: t, Pos: i % 2 == 0 ? null : Positions.Label(i % 9 + 1, 9)), (Tube: t, Pos: (string?)null) }).ToList();
        var results = new System.Collections.Concurrent.ConcurrentBag<Result<Stored>>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (w, ct) =>
            results.Add(await store.ExecuteAsync(tech, new StoreCommand(box, w.Tube, w.Pos), ct)));
        results.Where(r => !r.Ok).ShouldAllBe(r => r.Problem!.Kind == ProblemKind.Conflict);
        await using var c = await db.Db.OpenAsync(default);
        var placed = (await c.QueryAsync<(string Barcode, long Row, long Col)>("SELECT t.barcode, t.pos_row, t.pos_col FROM tube t JOIN box b ON b.id = t.box_id WHERE b.barcode = @Box", new { Box = box })).ToList();
        placed.Count.ShouldBe(48, "every tube found a place exactly once");
        placed.Select(p => (p.Row, p.Col)).Distinct().Count().ShouldBe(48, "no two tubes share a position");
        var storedEvents = await c.QueryAsync<string>("SELECT t.barcode FROM custody_event e JOIN tube t ON t.id = e.tube_id WHERE e.event = 'stored'");
        storedEvents.Count(tubes.Contains).ShouldBe(48, "one stored event per tube, none lost or doubled");
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }
}
