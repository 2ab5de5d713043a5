using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Biobank.Core.Common;

namespace Biobank.Core.Shipments;

public sealed record ManifestSiteDto(string Code, string Name, string Country);

public sealed record ManifestTubeDto(string Barcode, string? Box, string? BoxName, string? Position, string Pseudonym, string SampleType, string Timepoint, decimal VolumeUl, string? Receipt);

public sealed record ManifestDto(string Shipment, ManifestSiteDto From, ManifestSiteDto To, string State, DateTime? DispatchedUtc, string? Courier, string? TrackingNumber,
    decimal? DryIceKg, string? LoggerId, int Packages, int TubeCount, IReadOnlyList<ManifestTubeDto> Tubes);

/// <summary>The machine-readable manifest another LIMS can read: JSON and CSV with the same fields.</summary>
public sealed class ManifestExport(ShipmentQueries queries)
{
    public const string CsvHeader = "shipment,from_site,to_site,barcode,box,box_name,position,pseudonym,sample_type,timepoint,volume_ul";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    public async Task<(ShipmentView Shipment, ManifestDto Manifest, IReadOnlyList<ManifestLine> Lines)?> BuildAsync(Caller caller, string barcode, CancellationToken ct)
    {
        var s = await queries.ByBarcodeAsync(caller, barcode, ct);
        if (s is null)
        {
            return null;
        }
        var lines = await queries.LinesAsync(caller, s.Id, ct);
        var dto = new ManifestDto(s.Barcode, new ManifestSiteDto(s.FromCode, s.FromName, s.FromCountry), new ManifestSiteDto(s.ToCode, s.ToName, s.ToCountry),
            s.State, s.DispatchedUtc, s.Courier, s.TrackingNumber, s.DryIceKg, s.LoggerId, s.Packages, lines.Count,
            lines.Select(l => new ManifestTubeDto(l.Barcode, l.BoxBarcode, l.BoxName, l.Position, l.Pseudonym, l.SampleTypeCode, l.Timepoint, l.VolumeUl, l.Receipt)).ToList());
        return (s, dto, lines);
    }

    public static async Task WriteCsvAsync(ManifestDto m, TextWriter w)
    {
        await w.WriteLineAsync(CsvHeader);
        foreach (var t in m.Tubes)
        {
            await w.WriteLineAsync(string.Join(',', new[] { m.Shipment, m.From.Code, m.To.Code, t.Barcode, t.Box, t.BoxName, t.Position, t.Pseudonym, t.SampleType, t.Timepoint,
                t.VolumeUl.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) }.Select(CsvOutput.Field)));
        }
    }

    public static byte[] ToJsonBytes(ManifestDto m) => JsonSerializer.SerializeToUtf8Bytes(m, Json);

    public static Encoding Utf8 { get; } = new UTF8Encoding(false);
}
