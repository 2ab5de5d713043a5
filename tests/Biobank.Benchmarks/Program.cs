using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Biobank.Benchmarks -- --filter *Label*
BenchmarkSwitcher.FromAssembly(typeof(Biobank.Benchmarks.LabelBenchmarks).Assembly).Run(args);
