using Biobank.Core.Labels;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

/// <summary>Prints labels from a CSV file whose header names the template's fields; no database (Core's <see cref="PrintLabels"/>).</summary>
public sealed class LabelsVerb : IVerb
{
    public string Name => "labels";
    public string Usage => "labels --template NAME --data FILE.csv --format pdf|zpl --out FILE [--dpi 203|300]";
    public string Summary => "Prints labels from a CSV whose header names the template's fields (at least barcode); templates are in labels/.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var template = args.Required("template");
        var data = args.Required("data");
        var format = args.Required("format").ToLowerInvariant();
        var outPath = args.Required("out");
        var dpi = args.Number("dpi", 203);
        args.RejectUnknown();
        if (format is not (LabelOutputs.Pdf or LabelOutputs.Zpl))
        {
            throw new UsageException($"--format must be pdf or zpl, not '{format}'");
        }
        if (dpi is not (203 or 300))
        {
            throw new UsageException($"--dpi must be 203 or 300, not {dpi}");
        }

        var result = await services.GetRequiredService<PrintLabels>().ExecuteAsync(new PrintLabelFileCommand(template, data, format, outPath, dpi), ct);
        if (!result.Ok)
        {
            await stderr.WriteLineAsync($"labels: {result.Problem!.Message}");
            return 1;
        }
        var written = result.Value!;
        await stdout.WriteLineAsync($"{written.Labels} {written.Template} label(s) written to {written.Path} ({format}{(format == LabelOutputs.Zpl ? $", {dpi} dpi" : "")}).");
        return 0;
    }
}
