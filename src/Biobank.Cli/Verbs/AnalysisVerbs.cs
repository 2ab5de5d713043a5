using Biobank.Core.Analysis;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

public sealed class AssociateVerb : IVerb
{
    public string Name => "associate";
    public string Usage => "associate --biomarkers all|class:NAME|panel:NAME --response value:T|change:TA:TB --dose ORGAN:METRIC [--covariates age,sex,modality] [--dose-version LABEL] [--min-n N] [--include-unapproved] [--below-lod exclude|lod-sqrt2|as-measured] --out results.csv [--data-out data.csv]";
    public string Summary => "Scans biomarkers against an organ dose (Spearman and least squares, Benjamini–Hochberg q) and writes the results and the data set.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var request = new AnalysisRequest
        {
            Biomarkers = args.Required("biomarkers"),
            Response = args.Required("response"),
            Dose = args.Required("dose"),
            Covariates = (args.Option("covariates") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            DoseVersion = args.Option("dose-version"),
            MinN = args.Number("min-n", 10),
            ApprovedRunsOnly = !args.Flag("include-unapproved"),
            BelowLod = (args.Option("below-lod") ?? "exclude") switch
            {
                "exclude" => BelowLod.Exclude,
                "lod-sqrt2" => BelowLod.LodOverSqrt2,
                "as-measured" => BelowLod.AsMeasured,
                var other => throw new UsageException($"--below-lod must be exclude, lod-sqrt2 or as-measured, not '{other}'"),
            },
        };
        var output = args.Required("out");
        var dataOut = args.Option("data-out");
        args.RejectUnknown();
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var caller = Caller.System with { UserName = $"cli:{Environment.UserName}" };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await services.GetRequiredService<AssociationAnalysis>().RunAsync(caller, request, ct);
        if (!result.Ok)
        {
            await stderr.WriteLineAsync($"associate: {result.Problem!.Message}");
            return 1;
        }
        var o = result.Value!;
        await using (var w = new StreamWriter(output))
        {
            await AssociationAnalysis.WriteResultsCsvAsync(o, w);
        }
        if (dataOut is not null)
        {
            await using var w = new StreamWriter(dataOut);
            await AssociationAnalysis.WriteDataCsvAsync(o, w);
        }
        var endToEnd = clock.Elapsed;
        var significant = o.Results.Count(r => r.QValue < 0.05);
        await stdout.WriteLineAsync($"{o.Results.Count} biomarkers, {o.Patients.Count} patients, dose version {o.DoseVersion}, {o.Runs.Count} run(s); {significant} with q < 0.05.");
        await stdout.WriteLineAsync($"Loading {o.Loading.TotalMilliseconds:F0} ms, computing {o.Computing.TotalMilliseconds:F0} ms, end to end {endToEnd.TotalMilliseconds:F0} ms (database to {Path.GetFileName(output)}{(dataOut is null ? "" : " and " + Path.GetFileName(dataOut))}). Transform: {o.Transform}. Fingerprint {o.Fingerprint[..16]}.");
        foreach (var r in o.Results.Take(10))
        {
            await stdout.WriteLineAsync($"  {r.Biomarker,-20} n={r.N,-5} slope={r.Slope,10:G4}/Gy  q={r.QValue:G3}  rho={r.SpearmanRho:F3}");
        }
        return 0;
    }
}
