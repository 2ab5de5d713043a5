using System.Diagnostics;
using Biobank.Labels.Documents;
using Xunit.Abstractions;

namespace Biobank.Labels.Tests.Documents;

/// <summary>
/// A measurement, not a timed assertion (the machine may be busy):
/// <c>dotnet test tests/Biobank.Labels.Tests -c Release --filter ManifestTiming --logger "console;verbosity=detailed"</c>.
/// Target: a 10-box shipment of 810 tubes well under 1 s.
/// </summary>
public sealed class ManifestTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void Measure_810_tube_manifest()
    {
        var doc = Manifests.Shipment(boxes: 10);

        var cold = Stopwatch.StartNew();
        ShipmentManifestPdf.Render(doc, Stream.Null);
        cold.Stop();

        var best = TimeSpan.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            ShipmentManifestPdf.Render(doc, Stream.Null);
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        using var counter = new MemoryStream();
        ShipmentManifestPdf.Render(doc, counter);
        output.WriteLine($"Manifest, 10 boxes, 810 tubes: {best.TotalMilliseconds:0} ms warm (best of 5), {cold.Elapsed.TotalMilliseconds:0} ms first in process ({counter.Length / 1024:N0} KiB)");
        counter.Length.ShouldBeGreaterThan(0);
    }
}
