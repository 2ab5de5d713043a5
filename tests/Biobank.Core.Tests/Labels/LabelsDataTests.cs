using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Labels;

/// <summary>Printers, label data and the print log on each database.</summary>
public sealed class LabelsDataTests
{
    [Theory, Providers]
    public async Task Printers_are_per_site_unique_by_name_deactivated_not_deleted_and_audited(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var bru = await LabData.CallerAsync(db, "admin.bru");
        var lyo = await LabData.CallerAsync(db, "admin.lyo");
        var printers = db.Get<Printers>();

        var id = (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Bench 1", "zebra-1.lab.local", 9100, 300), default)).Value;
        (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Bench 1", "zebra-2.lab.local"), default)).Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        (await printers.AddAsync(lyo, new PrinterInput(lyo.SiteId!.Value, "Bench 1", "zebra-1.lab.local"), default)).Ok.ShouldBeTrue("another site may use the same name");

        var row = (await printers.FindAsync(bru, id, default))!;
        (row.Name, row.Host, row.Port, row.Dpi, row.Kind, row.Active, row.SiteCode).ShouldBe(("Bench 1", "zebra-1.lab.local", 9100, 300, "zpl", true, "BRU"));
        (await printers.FindAsync(lyo, id, default)).ShouldBeNull();
        (await printers.ListAsync(lyo, activeOnly: false, default)).ShouldAllBe(p => p.SiteCode == "LYO");
        (await printers.ListAsync(Caller.System, activeOnly: false, default)).Count.ShouldBe(2);

        (await printers.DeactivateAsync(lyo, id, null, default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        (await printers.DeactivateAsync(bru, id, "head worn out", default)).Ok.ShouldBeTrue();
        (await printers.DeactivateAsync(bru, id, null, default)).Problem!.Kind.ShouldBe(ProblemKind.Conflict);
        (await printers.ListAsync(bru, activeOnly: true, default)).ShouldBeEmpty();
        (await printers.ListAsync(bru, activeOnly: false, default)).Single().Active.ShouldBeFalse();

        var audit = await AuditAsync(db, "printer", id.ToString());
        audit.Select(a => a.Action).ShouldBe(["update", "insert"]);
        audit[0].Reason.ShouldBe("head worn out");
    }

    [Theory, Providers]
    public async Task Label_rows_carry_the_template_fields_and_stay_within_the_site(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var other = await LabData.CallerAsync(db, "tech.lyo");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 3);
        var theirs = await LabData.NewAliquotsAsync(db, other, 1);
        var data = db.Get<LabelData>();

        var set = (await data.AliquotsAsync(tech, [tubes[2], "  " + tubes[0].ToLowerInvariant() + "\r", "", tubes[2]], default)).Value!;
        set.Labels.Select(l => l.Barcode).ShouldBe([tubes[2], tubes[0], tubes[2]]);
        var fields = set.Labels[0].Fields;
        foreach (var name in new[] { "barcode", "pseudonym", "sample_type", "timepoint", "date", "volume", "site", "box_name" })
        {
            fields.ContainsKey(name).ShouldBeTrue(name);
        }
        fields["date"].ShouldBe(db.Clock.GetUtcNow().UtcDateTime.AddHours(-2).ToString("yyyy-MM-dd"));
        fields["volume"].ShouldBe("10 µl");
        fields["site"].ShouldBe("BRU");

        var refused = await data.AliquotsAsync(tech, [tubes[1], theirs[0]], default);
        refused.Problem!.Kind.ShouldBe(ProblemKind.NotFound);
        refused.Problem.Message.ShouldContain(theirs[0]);

        // A sample's aliquots, from its primary tube.
        var primary = (await db.Get<Biobank.Core.Samples.TubeQueries>().ByBarcodeAsync(tech, tubes[0], default))!.ParentBarcode!;
        (await data.SampleAsync(tech, primary, default)).Value!.Labels.Select(l => l.Barcode).ShouldBe(tubes, ignoreOrder: true);
        (await data.SampleAsync(tech, tubes[0], default)).Problem!.Message.ShouldContain("not a primary tube");
        (await data.SampleAsync(other, primary, default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);

        // A box: its own label, or its tubes in position order.
        var box = await LabData.NewBoxAsync(db, tech, 9, 9);
        (await data.BoxAsync(tech, box, itsTubes: true, default)).Problem!.Message.ShouldContain("holds no tubes");
        (await db.Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(box, tubes[1], "B1"), default)).Ok.ShouldBeTrue();
        (await db.Get<StoreTube>().ExecuteAsync(tech, new StoreCommand(box, tubes[0], "A2"), default)).Ok.ShouldBeTrue();
        (await data.BoxAsync(tech, box, itsTubes: true, default)).Value!.Labels.Select(l => l.Barcode).ShouldBe([tubes[0], tubes[1]]);
        var label = (await data.BoxAsync(tech, box, itsTubes: false, default)).Value!.Labels.Single();
        (label.Table, label.Barcode).ShouldBe(("box", box));
        label.Fields["contents"].ShouldStartWith("2 tubes: ");
        label.Fields["location"].ShouldBe("not in a freezer");
        (await data.BoxAsync(other, box, itsTubes: false, default)).Problem!.Kind.ShouldBe(ProblemKind.NotFound);
    }

    [Theory, Providers]
    public async Task Each_print_is_audited_per_tube_and_a_reprint_is_marked(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(db, tech, 2);
        var set = (await db.Get<LabelData>().AliquotsAsync(tech, [tubes[0], tubes[1], tubes[1]], default)).Value!;
        var log = db.Get<LabelPrintLog>();

        (await log.RecordAsync(tech, set, "cryovial-2d", new PrintTarget("pdf"), default)).ShouldBe(0);
        (await log.RecordAsync(tech, set, "cryovial-2d", new PrintTarget("zpl", "Bench 1"), default)).ShouldBe(2);

        var id = set.Labels[1].Id.ToString();
        var rows = (await AuditAsync(db, "tube", id)).Where(r => r.Action == AuditActions.Print).ToList();
        rows.Count.ShouldBe(2);
        rows[1].NewValues!.ShouldContain("\"copies\":2");
        rows[1].NewValues!.ShouldContain("\"reprint\":false");
        rows[0].NewValues!.ShouldContain("\"printer\":\"Bench 1\"");
        rows[0].NewValues!.ShouldContain("\"reprint\":true");
        rows.ShouldAllBe(r => r.SiteId == tech.SiteId && r.UserName == "tech.bru");
    }

    /// <summary>The audit rows of one record, newest first, read straight from the table.</summary>
    private static async Task<List<AuditRow>> AuditAsync(TestDatabase db, string table, string key)
    {
        await using var c = await db.Db.OpenAsync(default);
        return (await c.QueryAsync<AuditRow>("""
            SELECT id AS Id, user_name AS UserName, action AS Action, table_name AS TableName, row_key AS RowKey, site_id AS SiteId,
                   new_values AS NewValues, reason AS Reason
            FROM audit_log WHERE table_name = @Table AND row_key = @Key ORDER BY id DESC
            """, new { Table = table, Key = key })).AsList();
    }
}
