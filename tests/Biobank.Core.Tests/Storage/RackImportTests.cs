using System.Text;
using Biobank.Core.Samples;
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

/// <summary>The rack readers' exports as they write them (docs/vendor-formats.md, "Rack scanners"), with our own tubes in them.</summary>
public sealed class RackScannerShapesTests
{
    private static MemoryStream Bytes(string text, bool bom = false) => new([.. (bom ? Encoding.UTF8.GetPreamble() : []), .. Encoding.UTF8.GetBytes(text)]);

    [Theory]
    [InlineData("racks/fluidx_rack_position_tube_noheader.csv")]
    [InlineData("racks/fluidx_xtr96_position_tube_rowmajor.csv")]
    [InlineData("racks/rack_position_tube_comma_space.csv")]
    public async Task Every_vendor_shaped_rack_file_reads_as_positions_without_a_problem(string fixture)
    {
        await using var file = File.OpenRead(VendorFixtures.Path(fixture));
        var scan = await RackScanFile.ReadAsync(file, default);
        scan.Problems.ShouldBeEmpty();
        scan.Lines.Count.ShouldBeGreaterThanOrEqualTo(10);
        scan.Lines.ShouldAllBe(l => l.Position.Length >= 2 && l.Position.Length <= 3);
        var places = scan.Lines.Select(l => Positions.TryParse(l.Position, 8, 12, out var r, out var c) ? (r, c) : (0, 0)).ToList();
        places.ShouldNotContain((0, 0));
        places.Distinct().Count().ShouldBe(scan.Lines.Count, "each position once");
    }

    [Theory, Providers]
    public async Task A_FluidX_scan_with_its_rack_column_fills_the_box_of_that_rack_and_a_no_read_is_refused_by_row(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var box = await LabData.NewBoxAsync(db, tech, 8, 12);
        var import = db.Get<RackImport>();
        // Column-major as the reader writes it (A1, B1, C1, …), a BOM, the rack's code first on every line.
        var unread = $"{box},A1,{tubes[0]}\r\n{box},B1,NO READ\r\n{box},C1,{tubes[1]}\r\n";
        var refused = await Should.ThrowAsync<RackImportException>(() => import.ExecuteAsync(tech, box, Bytes(unread, bom: true), default));
        refused.Problems.Single().ShouldBe(new RowProblem(2, "barcode", "NO READ", "the rack scanner could not read this tube: rescan the rack or scan it by hand"));

        var otherRack = $"{box},A1,{tubes[0]}\r\nFX20260311,B1,{tubes[1]}\r\n";
        var mismatch = await Should.ThrowAsync<RackImportException>(() => import.ExecuteAsync(tech, box, Bytes(otherRack), default));
        mismatch.Problems.Single().Row.ShouldBe(2);
        mismatch.Problems.Single().Column.ShouldBe("rack");
        mismatch.Problems.Single().Reason.ShouldContain("FX20260311");
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();

        var stored = await import.ExecuteAsync(tech, box, Bytes($"{box},A1,{tubes[0]}\r\n{box},B1,\r\n{box},C1,{tubes[1]}\r\n{box},A2,{tubes[2]}\r\n", bom: true), default);
        stored.Value.ShouldBe(new RackImportResult(3, 0, 1));
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task A_header_block_and_named_columns_are_read_as_the_reader_writes_them(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 4);
        var box = await LabData.NewBoxAsync(db, tech, 8, 12);
        var import = db.Get<RackImport>();

        // A Matrix-style trace: a header block naming the rack, then "A01;    code" lines and "No TrakMate" for an empty place.
        var matrix = $"Date & time of Trace = 02 Dec 2026 09:12:44 AM\nRack Base Name: {box}\nA01;    {tubes[0]}\nA02;    No TrakMate\nA03;    {tubes[1]}\n";
        (await import.ExecuteAsync(tech, box, Bytes(matrix), default)).Value.ShouldBe(new RackImportResult(2, 0, 1));

        // A header row naming more columns than we store (date, status): mapped by name, the rest ignored.
        var named = $"Date,Time,Rack ID,Tube Position,Tube Barcode,Status\n2026-12-02,09:15,{box},B01,{tubes[2]},OK\n2026-12-02,09:15,{box},B02,No Tube,OK\n";
        (await import.ExecuteAsync(tech, box, Bytes(named), default)).Value.ShouldBe(new RackImportResult(1, 0, 1));

        // Row and column in two columns.
        (await import.ExecuteAsync(tech, box, Bytes($"C,1,{tubes[3]}\n"), default)).Value.ShouldBe(new RackImportResult(1, 0, 0));

        // A header block of another rack refuses the whole file, named by its line.
        var wrong = "Rack Base Name: 02498606\nA04;    No TrakMate\n";
        var refused = await Should.ThrowAsync<RackImportException>(() => import.ExecuteAsync(tech, box, Bytes(wrong), default));
        refused.Problems.Single().ShouldBe(refused.Problems.Single() with { Row = 1, Column = "rack", Value = "02498606" });
        (await LabData.ReplayMismatchesAsync(db)).ShouldBeEmpty();
    }
}
