using Biobank.Core.Common;
using Biobank.Core.Labels;
using Biobank.Labels.Printing;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;

namespace Biobank.Web.Labels;

public static class LabelOutputs
{
    public const string Pdf = "pdf";
    public const string Zpl = "zpl";
    public const string Printer = "printer";

    public static readonly IReadOnlyList<string> All = [Pdf, Zpl, Printer];
}

public sealed record LabelFile(byte[] Content, string ContentType, string FileName);

public sealed record PrintRequest(string? Template, string Output, int Dpi = 203, long? PrinterId = null);

/// <summary>What was printed: a file to download, or the printer the labels went to; reprints counted from the audit trail.</summary>
public sealed record PrintOutcome(int Labels, int Reprints, LabelFile? File, string? Printer);

/// <summary>
/// Renders a set of labels with a template — PDF for office and label printers, ZPL to download or to
/// send to one of the site's Zebra printers — and audits every print. Rendering happens in memory
/// before anything is sent, so a label that cannot be printed stops the job before the first label
/// comes out.
/// </summary>
public sealed class LabelPrinting(LabelTemplates templates, LabelPreview preview, Printers printers, LabelPrintLog log, ZplPrinter zpl, TimeProvider clock, ILogger<LabelPrinting> logger)
{
    public const int PreviewDpi = 400;

    /// <summary>Loads a template and checks that the labels carry every field it prints.</summary>
    public Result<LabelTemplate> TemplateFor(LabelSet set, string? name)
    {
        var loaded = templates.Load(name);
        if (!loaded.Ok)
        {
            return loaded;
        }
        var template = loaded.Value!;
        var missing = template.RequiredFields().Where(f => !set.FieldNames.Contains(f)).ToList();
        if (missing.Count == 0)
        {
            return Result<LabelTemplate>.Success(template);
        }
        var fitting = templates.Names.Where(n => templates.Load(n) is { Ok: true } t && t.Value!.RequiredFields().All(set.FieldNames.Contains)).ToList();
        return Result<LabelTemplate>.Invalid(
            $"The template '{template.Name}' prints {string.Join(", ", missing)}, which {(set.Labels[0].Table == "box" ? "a box label" : "tube labels")} do not have. " +
            (fitting.Count > 0 ? $"Templates that fit: {string.Join(", ", fitting)}." : "No template fits."), "Template");
    }

    /// <summary>The first label of the set as a PNG.</summary>
    public Result<byte[]> Preview(LabelSet set, string? templateName)
    {
        var template = TemplateFor(set, templateName);
        if (!template.Ok)
        {
            return Result<byte[]>.Fail(template.Problem!);
        }
        try
        {
            return Result<byte[]>.Success(preview.RenderPng(template.Value!, set.Labels[0].Fields, PreviewDpi));
        }
        catch (LabelDataException e)
        {
            return Result<byte[]>.Fail(Explain(set, e));
        }
    }

    public async Task<Result<PrintOutcome>> PrintAsync(Caller caller, LabelSet set, PrintRequest request, CancellationToken ct)
    {
        var loaded = TemplateFor(set, request.Template);
        if (!loaded.Ok)
        {
            return Result<PrintOutcome>.Fail(loaded.Problem!);
        }
        var template = loaded.Value!;
        PrinterRow? printer = null;
        int dpi;
        switch (request.Output)
        {
            case LabelOutputs.Pdf:
                dpi = 0;
                break;
            case LabelOutputs.Zpl:
                if (!Printers.Resolutions.Contains(request.Dpi))
                {
                    return Result<PrintOutcome>.Invalid("ZPL resolution: 203 or 300 dpi, as the printer prints.", "Dpi");
                }
                dpi = request.Dpi;
                break;
            case LabelOutputs.Printer:
                printer = request.PrinterId is { } id ? await printers.FindAsync(caller, id, ct) : null;
                if (printer is null || !printer.Active)
                {
                    return Result<PrintOutcome>.Invalid("Choose one of your site's printers.", "PrinterId");
                }
                dpi = printer.Dpi;
                break;
            default:
                return Result<PrintOutcome>.Invalid("Choose PDF, ZPL or a printer.", "Output");
        }

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            ILabelRenderer renderer = request.Output == LabelOutputs.Pdf ? new PdfLabelRenderer() : new ZplLabelRenderer(dpi);
            renderer.Render(template, set.Rows, buffer);
            bytes = buffer.ToArray();
        }
        catch (LabelDataException e)
        {
            return Result<PrintOutcome>.Fail(Explain(set, e));
        }

        if (printer is not null)
        {
            // The name may resolve to the server itself even when it was not written as such (or came to since).
            if (!printers.AllowsLocalHosts && await ResolvesLocallyAsync(printer.Host, ct))
            {
                return Result<PrintOutcome>.Fail(new Problem(Printers.LocalRefused, "PrinterId", ProblemKind.Invalid));
            }
            try
            {
                await zpl.SendAsync(new PrinterEndpoint(printer.Name, printer.Host, printer.Port), bytes, ct);
            }
            catch (PrinterUnavailableException e)
            {
                logger.LogWarning("Label job of {User} ({Count} labels) to {Printer}: {Message}", caller.UserName, set.Labels.Count, e.Printer, e.Message);
                if (e.MayHavePrinted)
                {
                    // Part of the job may be on labels already: the audit trail must say so.
                    await log.RecordAsync(caller, set, template.Name, new PrintTarget("zpl-interrupted", printer.Name), ct);
                }
                return Result<PrintOutcome>.Fail(new Problem(e.Message, "PrinterId", ProblemKind.Conflict));
            }
        }

        var target = printer is null ? new PrintTarget(request.Output) : new PrintTarget(LabelOutputs.Zpl, printer.Name);
        var reprints = await log.RecordAsync(caller, set, template.Name, target, ct);
        var file = printer is null
            ? new LabelFile(bytes, request.Output == LabelOutputs.Pdf ? "application/pdf" : "application/vnd.zebra.zpl",
                $"labels-{template.Name}-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}.{request.Output}")
            : null;
        return Result<PrintOutcome>.Success(new PrintOutcome(set.Labels.Count, reprints, file, printer?.Name));
    }

    private static async Task<bool> ResolvesLocallyAsync(string host, CancellationToken ct)
    {
        if (Printers.IsLocalName(host))
        {
            return true;
        }
        try
        {
            return (await System.Net.Dns.GetHostAddressesAsync(host, ct)).Any(Printers.IsLocalAddress);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;   // an unknown name: the printer's own "cannot connect" answer says so
        }
    }

    private static Problem Explain(LabelSet set, LabelDataException e)
    {
        var what = e.LabelNumber >= 1 && e.LabelNumber <= set.Labels.Count ? $" ({set.Labels[e.LabelNumber - 1].Table} {set.Labels[e.LabelNumber - 1].Barcode})" : "";
        return new Problem($"{e.Message}{what} Nothing was printed.", "Template");
    }
}
