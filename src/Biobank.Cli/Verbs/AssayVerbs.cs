using System.Globalization;
using Biobank.Core.Assays;
using Biobank.Core.Assays.Formats;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

public sealed class ImportAssayVerb : IVerb
{
    public string Name => "import-assay";

    public string Usage =>
        $"import-assay FILE [--format {AssayFormatRegistry.Choices}] --run RUN-ID [--platform CODE] [--add-analytes] " +
        "[--references hsa-miR-16-5p,hsa-miR-93-5p] [--consume-ul N] [--max-replicate-sd CYCLES]";

    public string Summary =>
        "Imports an assay result file (CSV/TXT, XLSX or Parquet) into a run; --format auto (the default) detects the format and says which. " +
        "A file with any problem is refused whole, every problem listed. Formats: " +
        string.Join("; ", AssayFormatRegistry.All.Select(f => $"{f.Name} = {f.Title}")) + ".";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var formatText = args.Option("format");
        if (!AssayFormatChoice.TryParse(formatText, out var format))
        {
            throw new UsageException($"--format is {AssayFormatRegistry.Choices.Replace("|", ", ", StringComparison.Ordinal)}, not '{formatText}'");
        }
        var run = args.Required("run");
        var platform = args.Option("platform");
        var files = args.Positional.ToList();
        var addAnalytes = args.Flag("add-analytes");
        if (args.Option("add-analytes") is { } swallowed)
        {
            // "--add-analytes FILE": the parser took the next word as the flag's value.
            files.Insert(0, swallowed);
        }
        var references = (args.Option("references") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var consumeText = args.Option("consume-ul");
        var consume = 10m;
        if (consumeText is not null && !decimal.TryParse(consumeText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out consume))
        {
            throw new UsageException($"--consume-ul is a volume in µL such as 10 or 2.5, not '{consumeText}'");
        }
        var sdText = args.Option("max-replicate-sd");
        double? maxSd = null;
        if (sdText is not null)
        {
            if (!double.TryParse(sdText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var sd) || sd > 50)
            {
                throw new UsageException($"--max-replicate-sd is the largest SD of a replicate group's Ct in cycles, such as 0.5, not '{sdText}'");
            }
            maxSd = sd;
        }
        args.RejectUnknown();
        if (files.Count != 1)
        {
            throw new UsageException(files.Count == 0 ? "name the result file" : $"one file at a time, not {files.Count}");
        }
        if (format.Format is { RequiresReferences: true } && references.Length == 0)
        {
            throw new UsageException($"--references is required with --format {format.Name}: ΔCt is computed against those miRNAs");
        }
        var path = Path.GetFullPath(files[0]);
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var caller = Caller.System with { UserName = "cli:" + Environment.UserName };
        var outcome = await services.GetRequiredService<ImportAssay>().ExecuteAsync(caller, new ImportAssayCommand
        {
            FilePath = path,
            Format = format,
            RunCode = run,
            PlatformCode = platform,
            AddAnalytes = addAnalytes,
            References = references,
            ConsumeUl = consume,
            MaxReplicateSd = maxSd,
        }, null, ct);
        if (outcome.Ok)
        {
            var s = outcome.Summary!;
            await stdout.WriteLineAsync(
                $"Imported {s.FileName} into run {s.RunCode}: {s.RowsRead:N0} rows ({s.Results:N0} results, {s.Controls:N0} plate controls), " +
                $"{s.Aliquots:N0} aliquots ({s.AliquotsNewToRun:N0} new to the run, {s.ConsumedUl:0.##} µL used), {s.Analytes:N0} analytes ({s.AnalytesAdded:N0} added), " +
                $"in {s.Elapsed.TotalSeconds:F1} s ({s.RowsPerSecond:N0} rows/s).");
            if (s.Format is { } f)
            {
                await stdout.WriteLineAsync($"Read as {f.Describe()}{(f.ControlSamples > 0 ? $"; {f.ControlSamples:N0} control sample(s)" : "")}.");
            }
            return 0;
        }
        await stderr.WriteLineAsync($"{Path.GetFileName(path)} was refused: {outcome.ProblemCount:N0} problem(s); nothing was written.");
        foreach (var p in outcome.Problems)
        {
            await stderr.WriteLineAsync(p.ToString());
        }
        if (outcome.ProblemCount > outcome.Problems.Count)
        {
            await stderr.WriteLineAsync($"… and {outcome.ProblemCount - outcome.Problems.Count:N0} more problem(s) not listed.");
        }
        return 1;
    }
}
