using System.Diagnostics;
using Biobank.Core.Assays;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;

namespace Biobank.Benchmarks;

/// <summary>
/// Imports a file like <c>biobank import-assay</c> and prints when each phase began, to see where the time goes.
/// <code>import-phases --db "Data Source=…" --file npx.csv --run RUN [--format npx]</code>
/// </summary>
public static class ImportPhases
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Opt(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
        var cs = Opt("db") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Biobank");
        if (cs is null || Opt("file") is not { } file || Opt("run") is not { } run || !AssayFormats.TryParse(Opt("format") ?? "npx", out var format))
        {
            await Console.Error.WriteLineAsync("usage: import-phases --db CONNECTION --file FILE --run RUN [--format npx]");
            return 2;
        }
        DapperSetup.Configure();
        var db = new Db(Db.CreateDialect(new DatabaseOptions(DatabaseProvider.Sqlite, cs)));
        var import = new ImportAssay(db, new AuditTrail(TimeProvider.System), TimeProvider.System);
        var watch = Stopwatch.StartNew();
        var phase = (ImportPhase)(-1);
        var progress = new Reporter(p =>
        {
            if (p.Phase != phase)
            {
                phase = p.Phase;
                Console.WriteLine($"{watch.Elapsed.TotalSeconds,7:F2} s  {p.Phase,-10} read {p.RowsRead:N0}, validated {p.RowsValidated:N0}, written {p.RowsWritten:N0}");
            }
        });
        var outcome = await import.ExecuteAsync(Caller.System with { UserName = "bench" }, new ImportAssayCommand { FilePath = file, Format = format, RunCode = run }, progress, default);
        Console.WriteLine($"{watch.Elapsed.TotalSeconds,7:F2} s  {(outcome.Ok ? $"{outcome.Summary!.RowsRead:N0} rows, {outcome.Summary.RowsPerSecond:N0} rows/s" : $"refused: {outcome.ProblemCount} problems, first {(outcome.Problems.Count > 0 ? outcome.Problems[0] : null)}")}");
        return outcome.Ok ? 0 : 1;
    }

    private sealed class Reporter(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
