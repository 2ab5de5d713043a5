using Biobank.Core.Common;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

/// <summary>
/// Prints labels from a CSV file whose header names the template's fields; no database. The CSV is
/// read one record at a time, so a file of any length prints in constant memory (ZPL) or in the
/// memory of the PDF itself.
/// </summary>
public sealed class LabelsVerb : IVerb
{
    public string Name => "labels";
    public string Usage => "labels --template NAME --data FILE.csv --format pdf|zpl --out FILE [--dpi 203|300]";
    public string Summary => "Prints labels from a CSV whose header names the template's fields (at least barcode); templates are in labels/.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var templateName = args.Required("template");
        var dataPath = args.Required("data");
        var format = args.Required("format").ToLowerInvariant();
        var outPath = args.Required("out");
        var dpi = args.Number("dpi", 203);
        args.RejectUnknown();
        if (format is not ("pdf" or "zpl"))
        {
            throw new UsageException($"--format must be pdf or zpl, not '{format}'");
        }
        if (dpi is not (203 or 300))
        {
            throw new UsageException($"--dpi must be 203 or 300, not {dpi}");
        }

        var configured = services.GetService<IConfiguration>()?[TemplateFolder.Setting];
        LabelTemplate template;
        try
        {
            var folder = TemplateFolder.Find(configured, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
            template = LabelTemplate.LoadByName(folder, templateName);
        }
        catch (LabelTemplateException e) when (e.Problems.Count == 1 && e.Problems[0].StartsWith("there is no template", StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync($"labels: {e.Problems[0]}");
            return 1;
        }
        catch (Exception e) when (e is LabelTemplateException or DirectoryNotFoundException)
        {
            await stderr.WriteLineAsync($"labels: {e.Message}");
            return 1;
        }
        if (!File.Exists(dataPath))
        {
            await stderr.WriteLineAsync($"labels: the data file '{dataPath}' does not exist.");
            return 1;
        }

        var outFull = Path.GetFullPath(outPath);
        // Written beside the target and moved into place at the end: a failed job leaves no half-written file.
        var partial = outFull + ".partial";
        ILabelRenderer renderer = format == "pdf" ? new PdfLabelRenderer() : new ZplLabelRenderer(dpi);
        int count;
        var lines = new List<int>(); // the CSV line of each label, for error messages
        try
        {
            using var reader = new StreamReader(dataPath, detectEncodingFromByteOrderMarks: true);
            var csv = new CsvRecords(reader);
            var header = await csv.ReadAsync() ?? throw new CsvFormatException(1, "the file is empty: the first line must name the fields, e.g. barcode,pseudonym,…");
            var names = header.Fields.Select(f => f.Trim()).ToArray();
            if (!names.Contains("barcode", StringComparer.Ordinal))
            {
                await stderr.WriteLineAsync($"labels: the CSV header ({string.Join(", ", names)}) has no 'barcode' column; {template.Name} prints {string.Join(", ", template.RequiredFields())}.");
                return 1;
            }
            await using (var output = File.Create(partial))
            {
                count = renderer.Render(template, Rows(csv, names, lines, ct), output);
            }
            if (count == 0)
            {
                throw new ArgumentException("There are no rows.");
            }
            File.Move(partial, outFull, overwrite: true);
        }
        catch (LabelDataException e)
        {
            Delete(partial);
            var line = e.LabelNumber >= 1 && e.LabelNumber <= lines.Count ? $"line {lines[e.LabelNumber - 1]} of {dataPath}" : dataPath;
            await stderr.WriteLineAsync($"labels: {e.Message} (label {e.LabelNumber}, field '{e.Field}', {line}). Nothing was written.");
            return 1;
        }
        catch (CsvFormatException e)
        {
            Delete(partial);
            await stderr.WriteLineAsync($"labels: {dataPath}: {e.Message}");
            return 1;
        }
        catch (ArgumentException e) when (e.ParamName is "rows" or null)
        {
            Delete(partial);
            await stderr.WriteLineAsync($"labels: {dataPath} has a header but no data rows: nothing to print.");
            return 1;
        }
        catch (IOException e)
        {
            Delete(partial);
            await stderr.WriteLineAsync($"labels: {e.Message}");
            return 1;
        }
        await stdout.WriteLineAsync($"{count} {template.Name} label(s) written to {outFull} ({format}{(format == "zpl" ? $", {dpi} dpi" : "")}).");
        return 0;
    }

    /// <summary>Data rows as field dictionaries, read lazily; a short row simply lacks its last fields (the renderer names them).</summary>
    private static IEnumerable<IReadOnlyDictionary<string, string>> Rows(CsvRecords csv, string[] names, List<int> lines, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // The renderers take a plain IEnumerable; a console program has no synchronisation context to block.
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
}
