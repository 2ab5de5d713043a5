using System.Diagnostics;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;
using Xunit.Abstractions;

namespace Biobank.Labels.Tests.Rendering;

/// <summary>
/// A measurement, not a timed assertion (the machine may be busy):
/// <c>dotnet test tests/Biobank.Labels.Tests -c Release --filter RenderTiming --logger "console;verbosity=detailed"</c>.
/// Targets: 1,000 cryovial labels to PDF under 1 s, 10,000 to ZPL under 0.2 s.
/// </summary>
public sealed class RenderTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void Measure_cryovial_pdf_and_zpl()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var pdfRows = Rows.AliquotCodes(1_000, 11).Select(Rows.Cryovial).ToList();
        var zplRows = Rows.AliquotCodes(10_000, 12).Select(Rows.Cryovial).ToList();
        var pdf = new PdfLabelRenderer();
        var zpl = new ZplLabelRenderer();

        // Warm up (JIT, font loading), then take the best of three.
        pdf.Render(template, pdfRows.Take(20), Stream.Null);
        zpl.Render(template, zplRows.Take(20), Stream.Null);
        var pdfTime = Best(() => pdf.Render(template, pdfRows, Stream.Null), out var pdfBytes, pdf);
        var zplTime = Best(() => zpl.Render(template, zplRows, Stream.Null), out var zplBytes, zpl);

        output.WriteLine($"1,000 cryovial-2d labels to PDF:  {pdfTime.TotalMilliseconds,7:0} ms ({pdfBytes / 1024:N0} KiB)");
        output.WriteLine($"10,000 cryovial-2d labels to ZPL: {zplTime.TotalMilliseconds,7:0} ms ({zplBytes / 1024:N0} KiB)");
        pdfBytes.ShouldBeGreaterThan(0);
        zplBytes.ShouldBeGreaterThan(0);

        TimeSpan Best(Action run, out long bytes, ILabelRenderer renderer)
        {
            var best = TimeSpan.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                run();
                best = watch.Elapsed < best ? watch.Elapsed : best;
            }

            using var counter = new MemoryStream();
            renderer.Render(template, renderer is PdfLabelRenderer ? pdfRows : zplRows, counter);
            bytes = counter.Length;
            return best;
        }
    }
}
