using System.Globalization;
using Biobank.Core.Samples;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// A small-RNA sequencing count matrix: one row per miRNA, one column per aliquot (first header cell any label such
/// as <c>miRNA</c>; the others aliquot barcodes), as miRDeep2 and nf-core/smrnaseq write them; counts ≥ 0.
/// </summary>
internal sealed class CountsFormat : IAssayFormat
{
    public string Name => "counts";

    public string Title => "sequencing count matrix, one row per miRNA";

    public string Expects => "first header cell any label (e.g. miRNA), the others aliquot barcodes; one row per miRNA";

    public string ValueKind => ValueKinds.Counts;

    public string Delimiters => ",;\t";

    /// <summary>Likely when the header cells after the first are our barcodes and the rows start with miRBase names.</summary>
    public int Detect(FileSniff file)
    {
        var header = file.Header;
        if (header.Length < 2 || file.Rows.Count < 2)
        {
            return 0;
        }
        var barcodes = HeaderMaps.Mostly(header[1..], h => Barcodes.Check(Barcodes.Normalize(h).ToUpperInvariant()) == BarcodeCheck.Valid);
        var mirnas = HeaderMaps.Mostly(file.Rows.Skip(1).ToList(), r => r.Length > 0 && AnalyteCodes.IsMirna(r[0]));
        return barcodes && mirnas ? 70 : 0;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await HeaderMaps.MatrixHeaderAsync(table, sink, "a counts matrix has the miRNA in its first column and one column per aliquot", ct);
        if (header is null)
        {
            return null;
        }
        // Column i holds a tube (index ≥ 0) or a control (−2).
        var columns = new int[header.Length];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 1; i < header.Length; i++)
        {
            var sampleId = header[i];
            var position = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (sampleId.Length == 0)
            {
                sink.Problem(1, position, "", "an empty column header: every column names its aliquot");
                ok = false;
                continue;
            }
            if (seen.TryGetValue(sampleId, out var first))
            {
                sink.Problem(1, position, sampleId, $"this sample has two columns ({first + 1} and {i + 1})");
                ok = false;
                continue;
            }
            seen[sampleId] = i;
            if (sink.IsControl(sampleId))
            {
                columns[i] = -2;
                continue;
            }
            var tube = await sink.TubeAsync(1, position, sampleId, ct);
            ok &= tube >= 0;
            columns[i] = tube;
        }
        var uses = Enumerable.Range(1, header.Length - 1).ToDictionary(i => i, i => "read counts of an aliquot");
        uses[0] = "analyte (miRBase name)";
        return ok ? new Mapper(columns) { Header = header, Columns = HeaderMaps.Uses(header, uses) } : null;
    }

    private sealed class Mapper(int[] columns) : AssayRowMapper
    {
        public override async ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            var analyte = sink.Analyte(row, Header[0], f[0]);
            var good = analyte >= 0;
            var values = new double[f.Length];
            for (var i = 1; i < f.Length; i++)
            {
                if (!sink.Number(row, Header[i], f[i], out values[i]))
                {
                    good = false;
                }
                else if (values[i] < 0)
                {
                    sink.Problem(row, Header[i], f[i], "a read count cannot be negative");
                    good = false;
                }
            }
            if (!good)
            {
                return false;
            }
            for (var i = 1; i < f.Length; i++)
            {
                var record = new AssayRecord(row, Header[i], Header[i], null, analyte, values[i], double.NaN, false, Header[i], columns[i] == -2 ? SampleRole.Control : SampleRole.ByPattern);
                good &= columns[i] == -2 ? await sink.AcceptAsync(record, ct) : sink.AcceptTube(record, columns[i]);
            }
            return good;
        }
    }
}
