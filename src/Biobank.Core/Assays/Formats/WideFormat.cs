using System.Globalization;
using System.Text.RegularExpressions;
using Biobank.Core.Samples;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// One row per aliquot: the first column the barcode, then one column per analyte headed <c>P05231</c> or
/// <c>IL6 (pg/mL)</c> (code, UniProt or unique name; a unit that differs from the catalogue's is refused); values as measured.
/// </summary>
internal sealed partial class WideFormat : IAssayFormat
{
    [GeneratedRegex(@"^(?<code>[^()]+?)\s*(?:\((?<unit>[^()]*)\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderCell();

    [GeneratedRegex(@"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Uniprot();

    public string Name => "wide";

    public string Title => "wide matrix, one row per aliquot";

    public string Expects => "first column the aliquot barcode, then one column per analyte headed P05231 or IL6 (pg/mL)";

    public string ValueKind => ValueKinds.Concentration;

    public bool Fits(string valueKind) => valueKind is ValueKinds.Concentration or ValueKinds.Npx or ValueKinds.Counts;

    public string Delimiters => ",;\t";

    /// <summary>Likely when most cells after the first header cell are UniProt accessions or "name (unit)", and the rows start with our barcodes.</summary>
    public int Detect(FileSniff file)
    {
        var header = file.Header;
        if (header.Length < 2 || file.Rows.Count < 2)
        {
            return 0;
        }
        var analytes = HeaderMaps.Mostly(header[1..], h => Uniprot().IsMatch(h.Trim()) || (HeaderCell().Match(h) is { Success: true } m && m.Groups["unit"].Success));
        var barcodes = HeaderMaps.Mostly(file.Rows.Skip(1).ToList(), r => r.Length > 0 && Barcodes.Check(Barcodes.Normalize(r[0]).ToUpperInvariant()) == BarcodeCheck.Valid);
        return analytes && barcodes ? 60 : 0;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await HeaderMaps.MatrixHeaderAsync(table, sink, "a wide file has the aliquot barcode in its first column and one column per analyte", ct);
        if (header is null)
        {
            return null;
        }
        var columns = new int[header.Length];
        var seen = new Dictionary<int, string>();
        var ok = true;
        for (var i = 1; i < header.Length; i++)
        {
            var cell = header[i];
            var match = HeaderCell().Match(cell);
            if (cell.Length == 0 || !match.Success)
            {
                sink.Problem(1, (i + 1).ToString(CultureInfo.InvariantCulture), cell, cell.Length == 0 ? "an empty column header: every column names its analyte" : "not an analyte header: write 'P05231' or 'IL6 (pg/mL)'");
                ok = false;
                continue;
            }
            var code = match.Groups["code"].Value.Trim();
            var unit = match.Groups["unit"].Success ? match.Groups["unit"].Value.Trim() : null;
            var local = sink.Analyte(1, cell, code, unit: unit, byName: true);
            if (local < 0)
            {
                ok = false;
                continue;
            }
            if (seen.TryGetValue(local, out var first))
            {
                sink.Problem(1, cell, cell, $"the analyte {sink.AnalyteCode(local)} has two columns (also '{first}')");
                ok = false;
                continue;
            }
            seen[local] = cell;
            if (unit is not null && sink.ExpectedUnit(local) is { } expected && FoldUnit(expected) != FoldUnit(unit))
            {
                sink.Problem(1, cell, cell, $"the unit {unit} differs from the catalogue's {expected} for {sink.AnalyteCode(local)}: convert the values, or correct the catalogue");
                ok = false;
                continue;
            }
            columns[i] = local;
        }
        var uses = Enumerable.Range(1, header.Length - 1).ToDictionary(i => i, i => "value of an analyte");
        uses[0] = "aliquot barcode";
        return ok ? new Mapper(columns) { Header = header, Columns = HeaderMaps.Uses(header, uses) } : null;
    }

    private static string FoldUnit(string unit) =>
        unit.Replace(" ", "", StringComparison.Ordinal).Replace('µ', 'u').Replace('μ', 'u').ToLowerInvariant();

    private sealed class Mapper(int[] columns) : AssayRowMapper
    {
        public override async ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            var sampleId = f[0];
            if (sampleId.Length == 0)
            {
                sink.Problem(row, Header[0], "", "no aliquot barcode");
                return false;
            }
            var values = new double[f.Length];
            var good = true;
            for (var i = 1; i < f.Length; i++)
            {
                good &= sink.Number(row, Header[i], f[i], out values[i]);
            }
            if (!good)
            {
                return false;
            }
            var control = sink.IsControl(sampleId);
            var tube = control ? -1 : await sink.TubeAsync(row, Header[0], sampleId, ct);
            if (!control && tube < 0)
            {
                return false;
            }
            for (var i = 1; i < f.Length; i++)
            {
                var record = new AssayRecord(row, Header[0], sampleId, null, columns[i], values[i], double.NaN, false, Header[i], control ? SampleRole.Control : SampleRole.ByPattern);
                good &= control ? await sink.AcceptAsync(record, ct) : sink.AcceptTube(record, tube);
            }
            return good;
        }
    }
}
