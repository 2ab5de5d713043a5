using System.Globalization;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Olink NPX Manager / NPX Signature wide "NPX data" workbook (or its CSV): a header block (project and software in
/// row 1, data type in A2, then rows headed <c>Panel</c>, <c>Assay</c>, <c>Uniprot ID</c>, <c>OlinkID</c>), an empty row,
/// one row per sample with its NPX per assay and the panel's <c>Plate ID</c> and <c>QC Warning</c>, an empty row, and
/// rows headed <c>LOD</c> (or <c>Max LOD</c>, <c>Plate LOD</c>), <c>Missing Data freq.</c>, <c>Normalization</c>
/// (docs/vendor-formats.md §2). Rows are matched by the text in column A, never by position; the samples are held
/// until the LOD rows below them are read (a wide sheet is one plate, at most a few hundred rows).
/// </summary>
internal sealed class OlinkWideFormat : IAssayFormat
{
    public string Name => "olink-wide";

    public string Title => "Olink NPX Manager/Signature wide NPX data (XLSX, or its CSV)";

    public string Expects => "rows headed Panel, Assay, Uniprot ID and OlinkID in column A above the samples, LOD / Missing Data freq. / Normalization below";

    public string ValueKind => ValueKinds.Npx;

    public int Detect(FileSniff file)
    {
        var a = file.Rows.Take(12).Select(r => r.Length > 0 ? r[0].Trim() : "").ToList();
        return a.Contains("Panel") && a.Contains("Assay") && a.Any(x => x.StartsWith("Uniprot", StringComparison.OrdinalIgnoreCase)) ? 100 : 0;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var block = new Dictionary<string, (int Line, string[] Cells)>(StringComparer.OrdinalIgnoreCase);
        var software = "";
        var dataType = "";
        while (await table.ReadAsync(ct))
        {
            var f = table.Fields.ToArray();
            if (f.All(string.IsNullOrWhiteSpace))
            {
                if (block.ContainsKey("Assay"))
                {
                    break;
                }
                continue;
            }
            if (table.Line == 1)
            {
                software = f.Length > 1 ? f[1] : "";
            }
            else if (table.Line == 2)
            {
                dataType = f[0];
            }
            else
            {
                block[f[0].Trim()] = (table.Line, f);
            }
        }
        if (!block.TryGetValue("Assay", out var assays) || !block.TryGetValue("Panel", out var panels)
            || block.FirstOrDefault(b => b.Key.StartsWith("Uniprot", StringComparison.OrdinalIgnoreCase)).Value.Cells is not { } uniprots)
        {
            sink.Problem(table.Line, "header", "", $"not an Olink wide sheet: it has {Expects}");
            return null;
        }
        if (!dataType.Contains("NPX", StringComparison.OrdinalIgnoreCase))
        {
            sink.Problem(2, "A", dataType, "only NPX data is imported from a wide Olink sheet (this one holds '" + dataType + "'): export NPX data");
            return null;
        }
        var header = table.CheckHeader(assays.Cells.Select((c, i) => i == 0 ? "SampleID" : c).ToArray());
        if (header is null)
        {
            return null;
        }
        var uses = new Dictionary<int, string> { [0] = "aliquot barcode or control" };
        var analytes = new List<(int Column, int Analyte, string Panel)>();
        var plates = new Dictionary<string, int>(StringComparer.Ordinal);
        var qcs = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 1; i < header.Length; i++)
        {
            var name = header[i].Trim();
            var panel = i < panels.Cells.Length ? panels.Cells[i] : "";
            if (name.Equals("Plate ID", StringComparison.OrdinalIgnoreCase))
            {
                plates.TryAdd(panel, i);
                uses[i] = "plate";
            }
            else if (name.Equals("QC Warning", StringComparison.OrdinalIgnoreCase))
            {
                qcs.TryAdd(panel, i);
                uses[i] = "QC flag";
            }
            else if (i < uniprots.Length && uniprots[i].Length > 0 && !name.StartsWith("QC ", StringComparison.OrdinalIgnoreCase))
            {
                var (panelName, version) = SplitPanel(panel);
                var analyte = sink.Analyte(uniprots.Length > 0 ? 5 : 1, ColumnName(i), uniprots[i], name, panelName, version);
                ok &= analyte >= 0;
                analytes.Add((i, analyte, panel));
                uses[i] = $"value (NPX) of {uniprots[i]}";
            }
            else if (name.Length > 0)
            {
                header[i] = i < uniprots.Length && uniprots[i].Length > 0 ? $"{name} ({uniprots[i]})" : name;
            }
        }
        if (!ok)
        {
            return null;
        }
        var mapper = new Mapper(analytes, plates, qcs) { Header = header, Columns = HeaderMaps.Uses(header, uses) };
        mapper.Facts["value"] = "NPX";
        if (software.Length > 0)
        {
            mapper.Facts["software"] = software;
        }
        return mapper;
    }

    /// <summary>"Olink Target 96 Inflammation(v.3022)" → ("Olink Target 96 Inflammation", "v.3022").</summary>
    private static (string Panel, string? Version) SplitPanel(string panel)
    {
        var open = panel.IndexOf('(', StringComparison.Ordinal);
        return open > 0 && panel.EndsWith(')') ? (panel[..open].Trim(), panel[(open + 1)..^1].Trim()) : (panel.Trim(), null);
    }

    private static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + (n - 1) % 26) + name;
        }
        return name;
    }

    private sealed class Mapper(List<(int Column, int Analyte, string Panel)> analytes, Dictionary<string, int> plates, Dictionary<string, int> qcs) : AssayRowMapper
    {
        private readonly List<(int Row, string Sample, double[] Values, string?[] Plates, bool[] Warnings)> _samples = [];
        private readonly Dictionary<int, double> _lod = [];
        private readonly Dictionary<(int Column, string Plate), double> _plateLod = [];

        public override ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            var label = f[0].Trim();
            if (IsBottom(label))
            {
                return ValueTask.FromResult(Bottom(row, label, f, sink));
            }
            var ok = true;
            var values = new double[analytes.Count];
            var plateIds = new string?[analytes.Count];
            var warnings = new bool[analytes.Count];
            for (var a = 0; a < analytes.Count; a++)
            {
                var (column, _, panel) = analytes[a];
                ok &= sink.Number(row, Header[column], Decimal(f[column]), out values[a]);
                if (plates.TryGetValue(panel, out var p) || plates.Count > 0 && (p = plates.Values.First()) > 0)
                {
                    plateIds[a] = f[p].Length > 0 ? f[p] : null;
                }
                if (qcs.TryGetValue(panel, out var q) || qcs.Count > 0 && (q = qcs.Values.First()) > 0)
                {
                    ok &= sink.Qc(row, Header[q], f[q], out warnings[a]);
                }
            }
            if (label.Length == 0)
            {
                sink.Problem(row, Header[0], "", "no sample ID");
                ok = false;
            }
            if (ok)
            {
                _samples.Add((row, label, values, plateIds, warnings));
            }
            return ValueTask.FromResult(ok);
        }

        private static bool IsBottom(string label) =>
            HeaderMaps.Fold(label) is "LOD" or "MAXLOD" or "PLATELOD" or "MISSINGDATAFREQ" or "NORMALIZATION" or "ASSAYWARNING" or "LOWESTQUANTIFIABLELEVEL" or "LLOQ" or "ULOQ";

        private bool Bottom(int row, string label, string[] f, IAssayRowSink sink)
        {
            var kind = HeaderMaps.Fold(label);
            var ok = true;
            foreach (var (column, _, panel) in analytes)
            {
                switch (kind)
                {
                    case "LOD" or "MAXLOD":
                        ok &= sink.Number(row, Header[column], Decimal(f[column]), out var lod);
                        if (kind == "LOD" || !_lod.ContainsKey(column))
                        {
                            _lod[column] = lod;
                        }
                        break;
                    case "PLATELOD":
                        ok &= sink.Number(row, Header[column], Decimal(f[column]), out var plateLod);
                        var plate = plates.TryGetValue(panel, out var p) ? f[p] : "";
                        _plateLod[(column, plate)] = plateLod;
                        break;
                    case "NORMALIZATION" when f[column].Length > 0:
                        Facts["normalization"] = Facts.TryGetValue("normalization", out var seen) && !seen.Split(", ").Contains(f[column]) ? seen + ", " + f[column] : f[column];
                        break;
                }
            }
            if (kind is "LOD" or "MAXLOD" or "PLATELOD")
            {
                Facts["lod"] = kind == "PLATELOD" && !Facts.ContainsKey("lod") ? "Plate LOD" : Facts.TryGetValue("lod", out var l) && l != label ? l + ", " + label : label;
            }
            return ok;
        }

        public override async ValueTask<bool> FinishAsync(IAssayRowSink sink, CancellationToken ct)
        {
            var ok = true;
            foreach (var (row, sample, values, plateIds, warnings) in _samples)
            {
                for (var a = 0; a < analytes.Count; a++)
                {
                    var (column, analyte, _) = analytes[a];
                    var lod = plateIds[a] is { } plate && _plateLod.TryGetValue((column, plate), out var pl) ? pl : _lod.GetValueOrDefault(column, double.NaN);
                    ok &= await sink.AcceptAsync(new AssayRecord(row, Header[0], sample, plateIds[a], analyte, values[a], lod, warnings[a], Header[column]), ct);
                }
            }
            return ok;
        }

        /// <summary>Olink's own reader turns a decimal comma in a wide sheet's text cell into a point; so do we (never in a thousands position).</summary>
        private static string Decimal(string text) =>
            text.Count(c => c == ',') == 1 && !text.Contains('.', StringComparison.Ordinal) ? text.Replace(',', '.') : text;
    }
}
