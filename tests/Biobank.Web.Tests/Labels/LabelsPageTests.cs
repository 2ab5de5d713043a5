using System.Net;
using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Labels.Tests.Support;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Labels;

public sealed class LabelsPageTests(LabelsPageTests.LocalPrintersFactory app) : IClassFixture<LabelsPageTests.LocalPrintersFactory>, IDisposable
{
    /// <summary>The tests' printer listens on loopback, which only the operator's setting allows.</summary>
    public sealed class LocalPrintersFactory : BiobankWebFactory
    {
        public LocalPrintersFactory() => Settings[PrinterOptions.Setting] = "true";
    }

    private readonly TempFolder _dir = new("labels-web");

    [RequiresToolFact("pdftotext", "pdfinfo")]
    public async Task A_boxs_tube_labels_print_as_PDF_through_the_form_and_every_print_is_audited()
    {
        var (box, tubes) = await BoxWithTubesAsync("tech.aar", 5);
        var client = await app.SignInAsync("tech.aar");

        // The box page links to the labels page with the choice made; the preview is there at once.
        var boxPage = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Storage/Box/{box}"));
        var link = boxPage.QuerySelector("#print-tube-labels")!.GetAttribute("href")!;
        var labels = await BiobankWebFactory.HtmlAsync(await client.GetAsync(link));
        labels.QuerySelector("#label-preview").ShouldNotBeNull();
        labels.QuerySelectorAll("#label-rows tbody tr").Length.ShouldBe(5);

        var response = await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.BoxTubes, ["BoxBarcode"] = box, ["Template"] = "cryovial-2d", ["Output"] = "pdf",
        }, "#labels-form", link);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        response.Content.Headers.ContentDisposition!.FileName!.ShouldContain("cryovial-2d");
        var pdf = _dir.File("box.pdf");
        await File.WriteAllBytesAsync(pdf, await response.Content.ReadAsByteArrayAsync());
        Pdf.Info(pdf).Pages.ShouldBe(5);
        var text = Pdf.Text(pdf);
        tubes.ShouldAllBe(t => text.Contains(t, StringComparison.Ordinal));

        // Printed again: the audit trail tells the reprint from the first print.
        (await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.BoxTubes, ["BoxBarcode"] = box, ["Template"] = "cryovial-2d", ["Output"] = "zpl", ["Dpi"] = "300",
        }, "#labels-form", link)).Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.zebra.zpl");
        foreach (var code in tubes)
        {
            var rows = await PrintAuditAsync("tube", code);
            rows.Count.ShouldBe(2);
            rows.ShouldAllBe(r => r.UserName == "tech.aar" && r.NewValues!.Contains("\"template\":\"cryovial-2d\"") && r.NewValues.Contains("\"count\":5"));
            rows.Single(r => r.NewValues!.Contains("\"format\":\"pdf\"")).NewValues!.ShouldContain("\"reprint\":false");
            rows.Single(r => r.NewValues!.Contains("\"format\":\"zpl\"")).NewValues!.ShouldContain("\"reprint\":true");
        }
    }

    [Fact]
    public async Task The_box_label_prints_with_the_box_template_and_is_audited_on_the_box()
    {
        var (box, _) = await BoxWithTubesAsync("tech.aar", 2);
        var client = await app.SignInAsync("tech.aar");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Labels?Source=box&BoxBarcode={box}"));
        page.QuerySelector("#Template option[selected]")!.GetAttribute("value").ShouldBe("box");
        page.QuerySelector("#label-rows")!.TextContent.ShouldContain("2 tubes");

        var response = await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Box, ["BoxBarcode"] = box, ["Template"] = "box", ["Output"] = "zpl", ["Dpi"] = "203",
        }, "#labels-form", "/Labels");
        var zpl = await response.Content.ReadAsStringAsync();
        zpl.Split("^XA").Length.ShouldBe(2);
        zpl.ShouldContain("^BC");
        (await PrintAuditAsync("box", box)).Count.ShouldBe(1);
    }

    [RequiresToolFact("ZXingReader")]
    public async Task The_preview_handler_returns_a_PNG_of_the_first_label_that_decodes()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.aar", 2);
        var client = await app.SignInAsync("tech.aar");
        var response = await client.GetAsync($"/Labels?handler=Preview&Source=aliquots&Barcodes={tubes[0]}&Template=cryovial-2d");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        var png = await response.Content.ReadAsByteArrayAsync();
        png[..8].ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });
        var file = _dir.File("preview.png");
        await File.WriteAllBytesAsync(file, png);
        Decoders.ZXing([file], "DataMatrix")[0].ShouldBe(tubes[0]);

        // The page's <img> points at this handler.
        var page = await BiobankWebFactory.HtmlAsync(await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Preview", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = $"{tubes[0]}\r\n{tubes[1]}\r\n", ["Template"] = "cryovial-2d", ["Output"] = "pdf",
        }, "#labels-form", "/Labels"));
        var src = page.QuerySelector("#label-preview")!.GetAttribute("src")!;
        src.ShouldContain("handler=Preview");
        (await client.GetAsync(src)).Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        page.QuerySelector("#label-summary")!.TextContent.ShouldContain("2 labels");
    }

    [Fact]
    public async Task Another_sites_tube_is_refused_and_nothing_is_printed_or_audited()
    {
        var theirs = await WebLabData.NewAliquotsAsync(app, "tech.lyo", 1);
        var ours = await WebLabData.NewAliquotsAsync(app, "tech.bru", 1);
        var client = await app.SignInAsync("tech.bru");

        var response = await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = $"{ours[0]}\n{theirs[0]}", ["Template"] = "cryovial-2d", ["Output"] = "pdf",
        }, "#labels-form", "/Labels");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var page = await BiobankWebFactory.HtmlAsync(response);
        var errors = page.QuerySelector(".validation-errors")!.TextContent;
        errors.ShouldContain("Not known at your site");
        errors.ShouldContain(theirs[0]);
        errors.ShouldNotContain(ours[0]);
        (await PrintAuditAsync("tube", theirs[0])).ShouldBeEmpty();
        (await PrintAuditAsync("tube", ours[0])).ShouldBeEmpty();
        (await client.GetAsync($"/Labels?handler=Preview&Source=aliquots&Barcodes={theirs[0]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_mistyped_code_and_a_template_that_does_not_fit_are_explained()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.aar", 1);
        var client = await app.SignInAsync("tech.aar");
        var typo = tubes[0][..^1] + (tubes[0][^1] == '0' ? '1' : '0');
        var page = await BiobankWebFactory.HtmlAsync(await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Preview", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = typo, ["Template"] = "cryovial-2d", ["Output"] = "pdf",
        }, "#labels-form", "/Labels"));
        page.QuerySelector(".validation-errors")!.TextContent.ShouldContain("check character");

        page = await BiobankWebFactory.HtmlAsync(await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Preview", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = tubes[0], ["Template"] = "box", ["Output"] = "pdf",
        }, "#labels-form", "/Labels"));
        var error = page.QuerySelector(".validation-errors")!.TextContent;
        error.ShouldContain("prints contents, which tube labels do not have");
        error.ShouldContain("Templates that fit: cryovial-2d");
    }

    [Fact]
    public async Task A_payload_that_cannot_be_encoded_is_shown_with_the_label_number_and_field()
    {
        // A pre-printed box code of 40 lower-case letters: a valid code, too wide for the box label's Code 128.
        var caller = await CallerAsync("tech.aar");
        var code = "lab-" + new string('q', 36);
        (await app.Get<StorageSetup>().AddBoxAsync(caller, caller.SiteId!.Value, null, "long code box", 9, 9, code, default)).Ok.ShouldBeTrue();
        var client = await app.SignInAsync("tech.aar");

        var response = await BiobankWebFactory.PostFormAsync(client, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Box, ["BoxBarcode"] = code, ["Template"] = "box", ["Output"] = "pdf",
        }, "#labels-form", "/Labels");

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var error = (await BiobankWebFactory.HtmlAsync(response)).QuerySelector(".validation-errors")!.TextContent;
        error.ShouldContain("Label 1");
        error.ShouldContain("'barcode'");
        error.ShouldContain(code);
        error.ShouldContain("Nothing was printed");
        (await PrintAuditAsync("box", code)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ZPL_goes_to_a_loopback_printer_set_up_on_the_admin_page_and_only_that_sites_staff_can_use_it()
    {
        using var printer = new LoopbackPrinter();
        var admin = await app.SignInAsync("admin.ess");
        var added = await BiobankWebFactory.PostFormAsync(admin, "/Admin/Printers", new()
        {
            ["Input.SiteId"] = (await CallerAsync("admin.ess")).SiteId!.Value.ToString(),
            ["Input.Name"] = "Bench Zebra", ["Input.Host"] = "127.0.0.1", ["Input.Port"] = printer.Port.ToString(), ["Input.Dpi"] = "300",
        }, "#add-printer");
        added.StatusCode.ShouldBe(HttpStatusCode.Redirect, await added.Content.ReadAsStringAsync());
        var list = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Admin/Printers"));
        list.QuerySelector("#printers tr[data-printer='Bench Zebra']")!.TextContent.ShouldContain($"127.0.0.1:{printer.Port}");
        var id = (await app.Get<Printers>().ListAsync(await CallerAsync("admin.ess"), true, default)).Single(p => p.Name == "Bench Zebra").Id;

        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.ess", 3);
        var tech = await app.SignInAsync("tech.ess");
        var form = await BiobankWebFactory.HtmlAsync(await tech.GetAsync("/Labels"));
        form.QuerySelector($"#PrinterId option[value='{id}']").ShouldNotBeNull();
        var sent = await BiobankWebFactory.PostFormAsync(tech, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = string.Join("\n", tubes), ["Template"] = "cryovial-2d", ["Output"] = "printer", ["PrinterId"] = id.ToString(),
        }, "#labels-form", "/Labels");

        sent.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var zpl = System.Text.Encoding.UTF8.GetString(await printer.ReceivedAsync());
        zpl.Split("^XA").Length.ShouldBe(4);
        zpl.Split("^BX").Length.ShouldBe(4);
        tubes.ShouldAllBe(t => zpl.Contains(t, StringComparison.Ordinal));
        var after = await BiobankWebFactory.HtmlAsync(await tech.GetAsync(sent.Headers.Location!.ToString()));
        after.QuerySelector("[role=status]")!.TextContent.ShouldContain("3 labels");
        after.QuerySelector("[role=status]")!.TextContent.ShouldContain("Bench Zebra");
        // The job records the print right after the printer took the bytes.
        for (var i = 0; i < 50 && (await PrintAuditAsync("tube", tubes[0])).Count == 0; i++)
        {
            await Task.Delay(100);
        }
        (await PrintAuditAsync("tube", tubes[0])).Single().NewValues!.ShouldContain("\"printer\":\"Bench Zebra\"");

        // Another site's technician neither sees nor reaches it.
        var other = await app.SignInAsync("tech.bru");
        (await BiobankWebFactory.HtmlAsync(await other.GetAsync("/Labels"))).QuerySelector($"#PrinterId option[value='{id}']").ShouldBeNull();
        var own = await WebLabData.NewAliquotsAsync(app, "tech.bru", 1);
        var refused = await BiobankWebFactory.PostFormAsync(other, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = own[0], ["Template"] = "cryovial-2d", ["Output"] = "printer", ["PrinterId"] = id.ToString(),
        }, "#labels-form", "/Labels");
        (await BiobankWebFactory.HtmlAsync(refused)).QuerySelector(".validation-errors")!.TextContent.ShouldContain("your site's printers");
    }

    [Fact]
    public async Task A_printer_that_is_off_is_named_on_its_queued_batch_which_waits_to_be_tried_again_and_nothing_is_audited()
    {
        var caller = await CallerAsync("admin.ess");
        var port = LoopbackPrinter.ClosedPort();
        var id = (await app.Get<Printers>().AddAsync(caller, new PrinterInput(caller.SiteId!.Value, "Switched off", "127.0.0.1", port), default)).Value;
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.ess", 1);
        var tech = await app.SignInAsync("tech.ess");

        var response = await BiobankWebFactory.PostFormAsync(tech, "/Labels?handler=Print", new()
        {
            ["Source"] = LabelSources.Aliquots, ["Barcodes"] = tubes[0], ["Template"] = "cryovial-2d", ["Output"] = "printer", ["PrinterId"] = id.ToString(),
        }, "#labels-form", "/Labels");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The background job tries the printer; its batch then names it and waits for the next attempt.
        string message = "";
        for (var i = 0; i < 150 && !message.Contains("tried again", StringComparison.Ordinal); i++)
        {
            await Task.Delay(200);
            var page = await BiobankWebFactory.HtmlAsync(await tech.GetAsync("/Labels"));
            message = page.QuerySelector("#label-batches tbody tr")?.TextContent ?? "";
        }
        message.ShouldContain("Switched off");
        message.ShouldContain($"127.0.0.1:{port}");
        message.ShouldContain("tried again");
        message.ShouldContain("queued");
        (await PrintAuditAsync("tube", tubes[0])).ShouldBeEmpty();

        // Another site's technician does not see the batch.
        var other = await app.SignInAsync("tech.bru");
        (await BiobankWebFactory.HtmlAsync(await other.GetAsync("/Labels"))).QuerySelector("#label-batches")?.TextContent.ShouldNotContain("Switched off");
    }

    [Fact]
    public async Task A_site_admin_adds_printers_for_their_own_site_only_and_can_deactivate_them()
    {
        var bru = await CallerAsync("admin.bru");
        var lyo = await CallerAsync("admin.lyo");
        var printers = app.Get<Printers>();
        (await printers.AddAsync(bru, new PrinterInput(lyo.SiteId!.Value, "Not mine", "10.0.0.9"), default)).Problem!.Field.ShouldBe("SiteId");
        (await printers.AddAsync(await CallerAsync("tech.bru"), new PrinterInput(bru.SiteId!.Value, "Tech's", "10.0.0.9"), default)).Problem!.Kind.ShouldBe(ProblemKind.Forbidden);
        (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Bad host", "printer one"), default)).Problem!.Field.ShouldBe("Host");
        (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Bad dpi", "zebra1", Dpi: 600), default)).Problem!.Field.ShouldBe("Dpi");
        var id = (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Cold room", "zebra-cold.lab.local"), default)).Value;
        (await printers.AddAsync(bru, new PrinterInput(bru.SiteId!.Value, "Cold room", "zebra2"), default)).Problem!.Kind.ShouldBe(ProblemKind.Conflict);

        var admin = await app.SignInAsync("admin.bru");
        var page = await BiobankWebFactory.HtmlAsync(await admin.GetAsync("/Admin/Printers"));
        page.QuerySelector("#printers")!.TextContent.ShouldContain("zebra-cold.lab.local:9100");
        var deactivated = await BiobankWebFactory.PostFormAsync(admin, $"/Admin/Printers?id={id}&handler=Deactivate", new() { ["reason"] = "broken head" },
            "#printers tr[data-printer='Cold room'] form", "/Admin/Printers");
        deactivated.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await printers.FindAsync(bru, id, default))!.Active.ShouldBeFalse();
        (await printers.ListAsync(bru, activeOnly: true, default)).ShouldNotContain(p => p.Id == id);
        var audit = await app.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: "printer", Key: id.ToString()), default);
        audit.Select(a => a.Action).ShouldBe(["update", "insert"]);
        audit[0].Reason.ShouldBe("broken head");

        // Another site's admin gets 404 for it.
        var lyoAdmin = await app.SignInAsync("admin.lyo");
        var token = (await BiobankWebFactory.HtmlAsync(await lyoAdmin.GetAsync("/Admin/Printers"))).QuerySelector("#add-printer input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var foreign = await lyoAdmin.PostAsync($"/Admin/Printers?id={id}&handler=Deactivate", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<Caller> CallerAsync(string userName) => (await app.Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();

    private async Task<(string Box, IReadOnlyList<string> Tubes)> BoxWithTubesAsync(string userName, int count)
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, userName, count);
        var box = await WebLabData.NewBoxAsync(app, userName, 9, 9);
        var caller = await CallerAsync(userName);
        var store = app.Get<StoreTube>();
        foreach (var t in tubes)
        {
            (await store.ExecuteAsync(caller, new StoreCommand(box, t), default)).Ok.ShouldBeTrue();
        }
        return (box, tubes);
    }

    private async Task<IReadOnlyList<AuditRow>> PrintAuditAsync(string table, string barcode)
    {
        long? id = table == "tube"
            ? (await app.Get<TubeQueries>().ByBarcodeAsync(Caller.System, barcode, default))?.Id
            : (await app.Get<StorageSetup>().BoxAsync(Caller.System, barcode, default))?.Id;
        return id is null ? [] : await app.Get<AuditQueries>().SearchAsync(Caller.System, new AuditFilter(Table: table, Key: id.ToString(), Action: AuditActions.Print), default);
    }
}
