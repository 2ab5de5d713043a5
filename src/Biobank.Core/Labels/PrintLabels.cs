using Biobank.Core.Common;
using Biobank.Labels.Printing;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Microsoft.Extensions.Logging;

namespace Biobank.Core.Labels;

public static class LabelOutputs
{
    public const string Pdf = "pdf";
    public const string Zpl = "zpl";
    public const string Printer = "printer";

    public static readonly IReadOnlyList<string> All = [Pdf, Zpl, Printer];

    /// <summary>Problem codes of a send: the printer took nothing (safe to try again), or broke off partway (some labels may be out).</summary>
    public const string PrinterUnavailable = "printer-unavailable";
    public const string PrinterInterrupted = "printer-interrupted";
}

/// <summary>A document to download: its bytes, MIME type and the file name offered.</summary>
public sealed record LabelFile(byte[] Content, string ContentType, string FileName);

/// <summary>Labels of tubes or boxes the caller's site holds, as a PDF or ZPL file or sent to one of the site's printers.</summary>
public sealed record PrintLabelsCommand(LabelSelection What, string? Template, string? Output, int Dpi = 203, long? PrinterId = null);

/// <summary>What was printed: a file to download, or the printer the labels went to; reprints counted from the audit trail.</summary>
public sealed record PrintOutcome(LabelSet Set, int Reprints, LabelFile? File, string? Printer)
{
    public int Labels => Set.Labels.Count;
}

/// <summary>Labels from a CSV file whose header names the template's fields, written to a PDF or ZPL file; no database.</summary>
public sealed record PrintLabelFileCommand(string Template, string DataPath, string Format, string OutPath, int Dpi = 203);

public sealed record LabelFileWritten(int Labels, string Template, string Path);

/// <summary>
/// Prints labels with a template — PDF for office and label printers, ZPL to download or to send to one of
/// the site's Zebra printers — and audits every print of the site's tubes and boxes. Rendering happens
/// before anything is sent, so a label that cannot be printed stops the job before the first label comes out.
/// A CSV file printed to a file (the <c>labels</c> verb) names no tube of the database and is not audited.
/// </summary>
public sealed partial class PrintLabels(PreviewLabels preview, LabelTemplates templates, Printers printers, LabelPrintLog log, ZplPrinter zpl, TimeProvider clock, ILogger<PrintLabels> logger)
{
    public async Task<Result<PrintOutcome>> ExecuteAsync(Caller caller, PrintLabelsCommand cmd, CancellationToken ct)
    {
        var checkedLabels = await preview.ExecuteAsync(caller, new PreviewLabelsCommand(cmd.What, cmd.Template), ct);
        if (!checkedLabels.Ok)
        {
            return checkedLabels.Problem!;
        }
        var (set, template, _) = checkedLabels.Value!;
        PrinterRow? printer = null;
        int dpi;
        switch (cmd.Output)
        {
            case LabelOutputs.Pdf:
                dpi = 0;
                break;
            case LabelOutputs.Zpl:
                if (!Printers.Resolutions.Contains(cmd.Dpi))
                {
                    return Result<PrintOutcome>.Invalid("ZPL resolution: 203 or 300 dpi, as the printer prints.", "Dpi");
                }
                dpi = cmd.Dpi;
                break;
            case LabelOutputs.Printer:
                printer = cmd.PrinterId is { } id ? await printers.FindAsync(caller, id, ct) : null;
                if (printer is null || !printer.Active)
                {
                    return Result<PrintOutcome>.Invalid("Choose one of your site's printers.", "PrinterId");
                }
                dpi = printer.Dpi;
                break;
            default:
                return Result<PrintOutcome>.Invalid("Choose PDF, ZPL or a printer.", "Output");
        }
        var format = printer is null ? cmd.Output : LabelOutputs.Zpl;

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            Render(template, format, dpi, set.Rows, buffer);
            bytes = buffer.ToArray();
        }
        catch (LabelDataException e)
        {
            return set.Unprintable(e);
        }

        if (printer is not null)
        {
            // The name may resolve to the server itself even when it was not written as such (or came to since).
            if (!printers.AllowsLocalHosts && await ResolvesLocallyAsync(printer.Host, ct))
            {
                return new Problem(Printers.LocalRefused, "PrinterId", ProblemKind.Invalid);
            }
            try
            {
                await zpl.SendAsync(new PrinterEndpoint(printer.Name, printer.Host, printer.Port), bytes, ct);
            }
            catch (PrinterUnavailableException e)
            {
                LogPrinterUnavailable(logger, caller.UserName, set.Labels.Count, e.Printer, e.Message);
                if (e.MayHavePrinted)
                {
                    // Part of the job may be on labels already: the audit trail must say so.
                    await log.RecordAsync(caller, set, template.Name, new PrintTarget("zpl-interrupted", printer.Name), ct);
                }
                return new Problem(e.Message, "PrinterId", ProblemKind.Conflict, e.MayHavePrinted ? LabelOutputs.PrinterInterrupted : LabelOutputs.PrinterUnavailable);
            }
        }

        var reprints = await log.RecordAsync(caller, set, template.Name, new PrintTarget(format, printer?.Name), ct);
        var file = printer is null
            ? new LabelFile(bytes, ContentType(format), $"labels-{template.Name}-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}.{format}")
            : null;
        return Result<PrintOutcome>.Success(new PrintOutcome(set, reprints, file, printer?.Name));
    }

    /// <summary>
    /// The CSV is read one record at a time, so a file of any length prints in constant memory (ZPL) or in the
    /// memory of the PDF itself. The output is written beside the target and moved into place at the end:
    /// a failed job leaves no half-written file.
    /// </summary>
    public async Task<Result<LabelFileWritten>> ExecuteAsync(PrintLabelFileCommand cmd, CancellationToken ct)
    {
        if (cmd.Format is not (LabelOutputs.Pdf or LabelOutputs.Zpl))
        {
            return Result<LabelFileWritten>.Invalid($"the format must be pdf or zpl, not '{cmd.Format}'.", "Format");
        }
        if (cmd.Format == LabelOutputs.Zpl && !Printers.Resolutions.Contains(cmd.Dpi))
        {
            return Result<LabelFileWritten>.Invalid($"the ZPL resolution must be 203 or 300 dpi, not {cmd.Dpi}.", "Dpi");
        }
        var loaded = templates.Load(cmd.Template);
        if (!loaded.Ok)
        {
            return loaded.Problem!;
        }
        var template = loaded.Value!;
        if (!File.Exists(cmd.DataPath))
        {
            return Result<LabelFileWritten>.Invalid($"the data file '{cmd.DataPath}' does not exist.", "Data");
        }

        var outFull = Path.GetFullPath(cmd.OutPath);
        var partial = outFull + ".partial";
        var lines = new List<int>(); // the CSV line of each label, for error messages
        try
        {
            using var reader = new StreamReader(cmd.DataPath, detectEncodingFromByteOrderMarks: true);
            var csv = new CsvRecords(reader);
            var header = await csv.ReadAsync() ?? throw new CsvFormatException(1, "the file is empty: the first line must name the fields, e.g. barcode,pseudonym,…");
            var names = header.Fields.Select(f => f.Trim()).ToArray();
            if (!names.Contains("barcode", StringComparer.Ordinal))
            {
                return Result<LabelFileWritten>.Invalid(
                    $"the CSV header ({string.Join(", ", names)}) has no 'barcode' column; {template.Name} prints {string.Join(", ", template.RequiredFields())}.", "Data");
            }
            int count;
            await using (var output = File.Create(partial))
            {
                count = Render(template, cmd.Format, cmd.Dpi, CsvRows(csv, names, lines, ct), output);
            }
            if (count == 0)
            {
                throw new ArgumentException("There are no rows.");
            }
            File.Move(partial, outFull, overwrite: true);
            return Result<LabelFileWritten>.Success(new LabelFileWritten(count, template.Name, outFull));
        }
        catch (LabelDataException e)
        {
            Delete(partial);
            var line = e.LabelNumber >= 1 && e.LabelNumber <= lines.Count ? $"line {lines[e.LabelNumber - 1]} of {cmd.DataPath}" : cmd.DataPath;
            return Result<LabelFileWritten>.Invalid($"{e.Message} (label {e.LabelNumber}, field '{e.Field}', {line}). Nothing was written.", "Data");
        }
        catch (CsvFormatException e)
        {
            Delete(partial);
            return Result<LabelFileWritten>.Invalid($"{cmd.DataPath}: {e.Message}", "Data");
        }
        catch (ArgumentException e) when (e.ParamName is "rows" or null)
        {
            Delete(partial);
            return Result<LabelFileWritten>.Invalid($"{cmd.DataPath} has a header but no data rows: nothing to print.", "Data");
        }
        catch (IOException e)
        {
            Delete(partial);
            return Result<LabelFileWritten>.Invalid(e.Message);
        }
    }

    /// <summary>The problem that stops these labels rendering (named by tube or box), or null when every one renders.</summary>
    internal static Problem? Unprintable(LabelTemplate template, string format, int dpi, LabelSet set)
    {
        try
        {
            Render(template, format, dpi, set.Rows, Stream.Null);
            return null;
        }
        catch (LabelDataException e)
        {
            return set.Unprintable(e);
        }
    }

    /// <summary>The one place labels become PDF or ZPL; returns the number of labels.</summary>
    /// <exception cref="LabelDataException">A row lacks a template field, or a barcode refuses its value.</exception>
    internal static int Render(LabelTemplate template, string format, int dpi, IEnumerable<IReadOnlyDictionary<string, string>> rows, Stream output)
    {
        ILabelRenderer renderer = format == LabelOutputs.Pdf ? new PdfLabelRenderer() : new ZplLabelRenderer(dpi);
        return renderer.Render(template, rows, output);
    }

    internal static string ContentType(string format) => format == LabelOutputs.Pdf ? "application/pdf" : "application/vnd.zebra.zpl";

    /// <summary>Data rows as field dictionaries, read lazily; a short row simply lacks its last fields (the renderer names them).</summary>
    private static IEnumerable<IReadOnlyDictionary<string, string>> CsvRows(CsvRecords csv, string[] names, List<int> lines, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // The renderers take a plain IEnumerable; the command-line program has no synchronisation context to block.
            var record = csv.ReadAsync().GetAwaiter().GetResult();
            if (record is null)
            {
                yield break;
            }
            var fields = record.Value.Fields;
            if (fields.Length == 1 && fields[0].Length == 0)
            {
                continue; // a blank line
            }
            lines.Add(record.Value.Line);
            var row = new Dictionary<string, string>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length && i < fields.Length; i++)
            {
                row.TryAdd(names[i], fields[i]);
            }
            yield return row;
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Label job of {User} ({Count} labels) to {Printer}: {Message}")]
    private static partial void LogPrinterUnavailable(ILogger logger, string user, int count, PrinterEndpoint printer, string message);
}
