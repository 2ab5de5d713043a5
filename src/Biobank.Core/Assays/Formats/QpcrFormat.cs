namespace Biobank.Core.Assays.Formats;

/// <summary>Our long qPCR layout <c>SampleID,miRNA,Ct</c>, one row per sample and miRNA (no replicates), ΔCt against named references.</summary>
internal sealed class QpcrFormat : IAssayFormat
{
    public string Name => "qpcr";

    public string Title => "miRNA qPCR Ct, our long layout";

    public string Expects => $"exactly {string.Join(",", AssayFormats.QpcrHeader)}; --references names the reference miRNAs";

    public string ValueKind => ValueKinds.Ct;

    public bool RequiresReferences => true;

    public int Detect(FileSniff file) =>
        file.Header.Select(h => h.Trim()).SequenceEqual(AssayFormats.QpcrHeader, StringComparer.OrdinalIgnoreCase) ? 100 : 0;

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await table.ReadHeaderAsync(ct);
        var map = header is null ? null : HeaderMaps.Exact(header, AssayFormats.QpcrHeader, "qPCR", sink);
        return map is null ? null : new Mapper(map["SampleID"], map["miRNA"], map["Ct"]) { Header = header!, Columns = HeaderMaps.Uses(header!, new Dictionary<int, string>
        {
            [map["SampleID"]] = "aliquot barcode", [map["miRNA"]] = "analyte (miRBase name)", [map["Ct"]] = "Ct (stored as raw value; value = ΔCt)",
        }) };
    }

    private sealed class Mapper(int sample, int mirna, int ctColumn) : AssayRowMapper
    {
        public override async ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            var ok = true;
            var sampleId = f[sample];
            if (sampleId.Length == 0)
            {
                sink.Problem(row, "SampleID", "", "no sample ID");
                ok = false;
            }
            var analyte = sink.Analyte(row, "miRNA", f[mirna]);
            ok &= analyte >= 0;
            ok &= Cts.TryRead(row, "Ct", f[ctColumn], sink, out var ctValue);
            return await sink.AcceptAsync(new AssayRecord(row, "SampleID", sampleId, null, analyte, double.NaN, double.NaN, false, "Ct", Ct: ctValue), ok, ct);
        }
    }
}

/// <summary>How Ct cells are read, the same for every qPCR shape.</summary>
internal static class Cts
{
    /// <summary>A Ct, or NaN for no amplification (<c>Undetermined</c>, empty; CFX writes <c>NaN</c>); refuses text and a Ct outside 0–50.</summary>
    public static bool TryRead(int row, string column, string text, IAssayRowSink sink, out double ct, bool nanIsUndetermined = false)
    {
        ct = double.NaN;
        if (AssayText.IsMissing(text) || text.Equals("Undetermined", StringComparison.OrdinalIgnoreCase) || text.Equals("Undet", StringComparison.OrdinalIgnoreCase)
            || (nanIsUndetermined && text.Equals("NaN", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        if (!sink.Number(row, column, text, out ct))
        {
            return false;
        }
        if (ct is < 0 or > 50)
        {
            sink.Problem(row, column, text, "a Ct lies between 0 and 50 cycles");
            ct = double.NaN;
            return false;
        }
        return true;
    }
}
