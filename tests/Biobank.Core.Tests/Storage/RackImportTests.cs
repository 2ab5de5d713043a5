using System.Text;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Storage;

public sealed class RackImportTests
{
    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    [Theory, Providers]
    public async Task Fills_a_box_from_a_rack_file_with_or_without_header(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 4);
        var box = await LabData.NewBoxAsync(db, tech);
        var import = db.Get<RackImport>();
        var first = await import.ExecuteAsync(tech, box, Csv($"Position,Barcode\nA01,{tubes[0]}\nA02,{tubes[1]}\nA03,NO TUBE\n"), default);
        first.Value.ShouldBe(new RackImportResult(2, 0, 1));
        var second = await import.ExecuteAsync(tech, box, Csv($"A1;{tubes[0]}\r\nB1;{tubes[2]}\r\nB2;{tubes[3]}\r\n"), default);
        second.Value.ShouldBe(new RackImportResult(2, 1, 0));
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task A_file_with_problems_stores_nothing_and_lists_every_row(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        var mistyped = tubes[2][..^1] + (tubes[2][^1] == '0' ? '1' : '0');
        var file = $"A1,{tubes[0]}\nK1,{tubes[1]}\nA2,{mistyped}\nA3,{tubes[0]}\nA1,{tubes[1]}\nA4,NOREAD\nA5\n";
        var error = await Should.ThrowAsync<RackImportException>(() => db.Get<RackImport>().ExecuteAsync(tech, box, Csv(file), default));
        error.Problems.Select(p => p.Row).ShouldBe([2, 3, 4, 5, 6, 7]);
        error.Problems.Single(p => p.Row == 2).Column.ShouldBe("position");
        error.Problems.Single(p => p.Row == 3).Reason.ShouldContain("check character");
        error.Problems.Single(p => p.Row == 4).Reason.ShouldContain("row 1");
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tube t JOIN box b ON b.id = t.box_id WHERE b.barcode = @Box", new { Box = box })).ShouldBe(0);
    }
}
