using BenchmarkDotNet.Running;
using Biobank.Benchmarks;

// dotnet run -c Release --project tests/Biobank.Benchmarks -- --filter *Label*   (BenchmarkDotNet)
// dotnet run -c Release --project tests/Biobank.Benchmarks -- generate-npx | import-phases | parse-csv …

return args.FirstOrDefault() switch
{
    "generate-npx" => await NpxGenerator.RunAsync(args[1..]),
    "import-phases" => await ImportPhases.RunAsync(args[1..]),
    "parse-csv" => await ParseCsvAsync(args[1]),
    "--filter" or "--list" or "--job" => RunBenchmarks(args),
    _ => Usage(),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(LabelBenchmarks).Assembly).Run(args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Biobank.Benchmarks generate-npx --db CONNECTION --out FILE [--rows N] [--semicolon] [--seed S]");
    Console.Error.WriteLine("       Biobank.Benchmarks import-phases --db CONNECTION --file FILE --run RUN [--format npx]");
    return 2;
}

// How fast the shared CSV reader alone goes through a file: the floor under the import's validation pass.
static async Task<int> ParseCsvAsync(string path)
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, 1 << 16);
    var records = new Biobank.Core.Common.CsvRecords(reader);
    long rows = 0, fields = 0;
    while (await records.ReadAsync() is { } r)
    {
        rows++;
        fields += r.Fields.Length;
    }
    Console.WriteLine($"{rows:N0} records, {fields:N0} fields in {watch.Elapsed.TotalSeconds:F2} s");
    return 0;
}
