using BenchmarkDotNet.Attributes;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;

namespace Biobank.Benchmarks;

/// <summary>
/// The Labels issues' targets on this machine: 1,000 cryovial-2d labels to PDF within 0.5 s and 10,000 to
/// ZPL within 0.2 s, barcodes encoded by ZXing.Net. Rows are built once; the renderers write to a null
/// stream, so the figures are rendering and encoding only (no disk).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class LabelBenchmarks
{
    private LabelTemplate _template = null!;
    private List<IReadOnlyDictionary<string, string>> _pdfRows = null!;
    private List<IReadOnlyDictionary<string, string>> _zplRows = null!;
    private PdfLabelRenderer _pdf = null!;
    private ZplLabelRenderer _zpl = null!;

    [GlobalSetup]
    public void Setup()
    {
        _template = LabelTemplate.LoadByName(TemplateFolder.Find(null, AppContext.BaseDirectory, Directory.GetCurrentDirectory()), "cryovial-2d");
        _pdfRows = Rows(1_000, 11);
        _zplRows = Rows(10_000, 12);
        _pdf = new PdfLabelRenderer();
        _zpl = new ZplLabelRenderer(203);
    }

    [Benchmark(Description = "1,000 cryovial-2d labels to PDF")]
    public int Pdf1000() => _pdf.Render(_template, _pdfRows, Stream.Null);

    [Benchmark(Description = "10,000 cryovial-2d labels to ZPL")]
    public int Zpl10000() => _zpl.Render(_template, _zplRows, Stream.Null);

    /// <summary>Aliquot codes as the system allocates them (site prefix, kind letter, 8 digits, check character) with realistic fields.</summary>
    private static List<IReadOnlyDictionary<string, string>> Rows(int count, int seed)
    {
        var random = new Random(seed);
        string[] sites = ["BRU", "AAR", "LYO", "ESS"];
        string[] types = ["EDTA plasma", "Serum", "Buffy coat", "PAXgene RNA", "Saliva supernatant"];
        string[] timepoints = ["Baseline (before RT)", "End of RT", "3 months after RT", "12 months after RT"];
        var rows = new List<IReadOnlyDictionary<string, string>>(count);
        for (var i = 0; i < count; i++)
        {
            var site = sites[random.Next(sites.Length)];
            rows.Add(new Dictionary<string, string>
            {
                ["barcode"] = $"{site}A{random.Next(0, 100_000_000):D8}{(char)('A' + random.Next(26))}",
                ["pseudonym"] = $"PSN-{site}-{random.Next(1, 10_000):D4}",
                ["sample_type"] = types[random.Next(types.Length)],
                ["timepoint"] = timepoints[random.Next(timepoints.Length)],
                ["date"] = new DateOnly(2026, 1, 1).AddDays(random.Next(365)).ToString("yyyy-MM-dd"),
            });
        }
        return rows;
    }
}
