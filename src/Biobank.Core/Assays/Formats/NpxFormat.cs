namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Our documented long NPX layout: the header exactly <see cref="AssayFormats.NpxHeader"/> (Olink NPX Manager's v1
/// columns), nothing more or less. Auto never picks it: <see cref="OlinkLongFormat"/> reads the same files and the
/// vendor's variants; <c>--format npx</c> is the strict check by name.
/// </summary>
internal sealed class NpxFormat : IAssayFormat
{
    public string Name => "npx";

    public string Title => "long NPX, our strict layout";

    public string Expects => $"exactly {string.Join(",", AssayFormats.NpxHeader)} (comma or semicolon)";

    public string ValueKind => ValueKinds.Npx;

    public int Detect(FileSniff file) => 0;

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await table.ReadHeaderAsync(ct);
        var map = header is null ? null : HeaderMaps.Exact(header, AssayFormats.NpxHeader, "NPX", sink);
        if (map is null)
        {
            return null;
        }
        return new OlinkLongFormat.Mapper(new OlinkLongFormat.Columns
        {
            Sample = map["SampleID"], Uniprot = map["UniProt"], Assay = map["Assay"], Panel = map["Panel"], Version = map["Panel_Version"],
            Plate = map["PlateID"], SampleQc = map["QC_Warning"], Lod = map["LOD"], Npx = map["NPX"],
        }, header!);
    }
}
