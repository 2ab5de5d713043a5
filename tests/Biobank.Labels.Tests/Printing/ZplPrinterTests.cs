using System.Diagnostics;
using System.Text;
using Biobank.Labels.Printing;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Printing;

public sealed class ZplPrinterTests
{
    [Fact]
    public async Task A_loopback_printer_receives_exactly_the_rendered_bytes_one_label_each()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        using var zpl = new MemoryStream();
        new ZplLabelRenderer(300).Render(template, Rows.AliquotCodes(7, 5).Select(Rows.Cryovial), zpl);
        var sent = zpl.ToArray();

        using var printer = new LoopbackPrinter();
        await new ZplPrinter().SendAsync(new PrinterEndpoint("bench", "127.0.0.1", printer.Port), sent, CancellationToken.None);
        var received = await printer.ReceivedAsync();

        received.ShouldBe(sent);
        var text = Encoding.UTF8.GetString(received);
        var labels = text.Split("^XZ", StringSplitOptions.RemoveEmptyEntries).Where(s => s.Trim().Length > 0).ToList();
        labels.Count.ShouldBe(7);
        labels.ShouldAllBe(l => l.TrimStart().StartsWith("^XA", StringComparison.Ordinal));
        CountOf(text, "^XA").ShouldBe(7);
        CountOf(text, "^BX").ShouldBe(7);
    }

    [Fact]
    public async Task A_printer_that_is_off_gives_a_clear_error_naming_it_within_seconds()
    {
        var port = LoopbackPrinter.ClosedPort();
        var watch = Stopwatch.StartNew();
        var error = await Should.ThrowAsync<PrinterUnavailableException>(() =>
            new ZplPrinter().SendAsync(new PrinterEndpoint("Bench 2 Zebra", "127.0.0.1", port), "^XA^XZ"u8.ToArray(), CancellationToken.None));
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        error.Message.ShouldContain("Bench 2 Zebra");
        error.Message.ShouldContain($"127.0.0.1:{port}");
        error.Message.ShouldContain("3 attempt(s)");
        error.Message.ShouldContain("refused");
        error.MayHavePrinted.ShouldBeFalse();
    }

    [Fact]
    public async Task A_printer_that_comes_online_during_the_retries_gets_the_job()
    {
        var port = LoopbackPrinter.ClosedPort();
        var options = new ZplPrinterOptions { Attempts = 3, Backoff = TimeSpan.FromMilliseconds(400) };
        var send = new ZplPrinter(options).SendAsync(new PrinterEndpoint("sleepy", "127.0.0.1", port), "^XA^FDhello^FS^XZ"u8.ToArray(), CancellationToken.None);
        await Task.Delay(150);
        using var printer = new LoopbackPrinter(port);
        await send;
        Encoding.ASCII.GetString(await printer.ReceivedAsync()).ShouldBe("^XA^FDhello^FS^XZ");
    }

    [Fact]
    public async Task An_unknown_host_is_named_in_the_error()
    {
        var error = await Should.ThrowAsync<PrinterUnavailableException>(() =>
            new ZplPrinter(new ZplPrinterOptions { Attempts = 1 }).SendAsync(new PrinterEndpoint("x", "no-such-printer.invalid", 9100), "^XA^XZ"u8.ToArray(), CancellationToken.None));
        error.Message.ShouldContain("no-such-printer.invalid:9100");
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
