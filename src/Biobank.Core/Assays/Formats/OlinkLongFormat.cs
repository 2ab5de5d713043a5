namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Olink's long NPX exports: Target 96 from NPX Manager / NPX Signature (header versions with <c>Panel_Version</c> or
/// <c>Panel_Lot_Nr</c>, optional <c>Normalization</c> and <c>Assay_Warning</c>), Explore 3072 from NPX Explore
/// (<c>Sample_Type</c>, <c>ExploreVersion</c>), as CSV (comma, or semicolon with decimal point or comma) — and the
/// Explore HT / 3072 / Reveal Parquet delivery (<c>SampleType</c>, <c>SampleQC</c>, <c>AssayQC</c>, <c>PCNormalizedNPX</c>).
/// Columns are matched by name in any order (docs/vendor-formats.md §1, §3). The value stored is <c>NPX</c>; the LOD is
/// <c>LOD</c>, else <c>PlateLOD</c>, else <c>MaxLOD</c>; both choices are recorded with the file.
/// </summary>
internal sealed class OlinkLongFormat : IAssayFormat
{
    public string Name => "olink";

    public IReadOnlyList<string> Aliases => ["olink-long", "olink-explore"];

    public string Title => "Olink NPX long export (Target 96 NPX Manager/Signature, Explore 3072 CSV, Explore HT Parquet)";

    public string Expects => "columns SampleID, UniProt and NPX by name, with OlinkID, Assay, Panel, PlateID, QC_Warning or SampleQC, LOD as exported";

    public string ValueKind => ValueKinds.Npx;

    public int Detect(FileSniff file)
    {
        var h = file.Header;
        if (HeaderMaps.Find(h, "SampleID") < 0 || HeaderMaps.Find(h, "NPX") < 0 || HeaderMaps.Find(h, "UniProt", "OlinkID") < 0)
        {
            return 0;
        }
        return HeaderMaps.Find(h, "Panel_Version", "Panel_Lot_Nr", "SampleQC", "QC_Warning", "DataAnalysisRefID") >= 0 || file.Metadata.ContainsKey("Product") ? 95 : 80;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await table.ReadHeaderAsync(ct);
        if (header is null)
        {
            return null;
        }
        var c = new Columns
        {
            Sample = HeaderMaps.Find(header, "SampleID"),
            Uniprot = HeaderMaps.Find(header, "UniProt"),
            Assay = HeaderMaps.Find(header, "Assay"),
            Panel = HeaderMaps.Find(header, "Panel"),
            Version = HeaderMaps.Find(header, "Panel_Version", "Panel_Lot_Nr", "DataAnalysisRefID"),
            Plate = HeaderMaps.Find(header, "PlateID"),
            SampleQc = HeaderMaps.Find(header, "QC_Warning", "SampleQC"),
            AssayQc = HeaderMaps.Find(header, "Assay_Warning", "AssayQC"),
            Lod = HeaderMaps.Find(header, "LOD", "PlateLOD", "MaxLOD"),
            Npx = HeaderMaps.Find(header, "NPX"),
            SampleType = HeaderMaps.Find(header, "Sample_Type", "SampleType"),
            AssayType = HeaderMaps.Find(header, "AssayType"),
            Normalization = HeaderMaps.Find(header, "Normalization"),
            Software = HeaderMaps.Find(header, "ExploreVersion"),
        };
        var ok = true;
        foreach (var (index, name) in new[] { (c.Sample, "SampleID"), (c.Uniprot, "UniProt"), (c.Npx, "NPX") })
        {
            if (index < 0)
            {
                sink.Problem(1, name, "", header.Length == 1
                    ? $"the header is one column: an Olink long file is comma- or semicolon-separated ({Expects})"
                    : $"the column {name} is missing: an Olink long file has {Expects}");
                ok = false;
            }
        }
        if (!ok)
        {
            return null;
        }
        var mapper = new Mapper(c, header);
        mapper.Facts["value"] = header[c.Npx] + (HeaderMaps.Find(header, "PCNormalizedNPX") >= 0 ? " (PCNormalizedNPX not stored)" : "");
        mapper.Facts["lod"] = c.Lod >= 0 ? header[c.Lod] : "none in the file";
        if (table.Metadata.Count > 0)
        {
            foreach (var key in new[] { "Product", "DataFileType", "FileVersion", "ProjectName", "SampleMatrix" })
            {
                if (table.Metadata.TryGetValue(key, out var v) && v.Length > 0)
                {
                    mapper.Facts[key] = v;
                }
            }
        }
        return mapper;
    }

    /// <summary>Where each meaning sits in the header (−1 when the file lacks it).</summary>
    internal sealed record Columns
    {
        public int Sample { get; init; } = -1;
        public int Uniprot { get; init; } = -1;
        public int Assay { get; init; } = -1;
        public int Panel { get; init; } = -1;
        public int Version { get; init; } = -1;
        public int Plate { get; init; } = -1;
        public int SampleQc { get; init; } = -1;
        public int AssayQc { get; init; } = -1;
        public int Lod { get; init; } = -1;
        public int Npx { get; init; } = -1;
        public int SampleType { get; init; } = -1;
        public int AssayType { get; init; } = -1;
        public int Normalization { get; init; } = -1;
        public int Software { get; init; } = -1;

        public Dictionary<int, string> Uses() => new[]
        {
            (Sample, "aliquot barcode or control"), (Uniprot, "analyte (UniProt)"), (Assay, "analyte name (new analytes)"), (Panel, "panel (new analytes)"),
            (Version, "panel version (new analytes)"), (Plate, "plate"), (SampleQc, "QC flag"), (AssayQc, "QC flag"), (Lod, "LOD"), (Npx, "value (NPX)"),
            (SampleType, "control or sample"), (AssayType, "internal controls skipped"), (Normalization, "normalisation (recorded with the file)"),
            (Software, "software version (recorded with the file)"),
        }.Where(u => u.Item1 >= 0).GroupBy(u => u.Item1).ToDictionary(g => g.Key, g => g.First().Item2);
    }

    /// <summary>One Olink long row → one result or control; shared with the strict <see cref="NpxFormat"/>.</summary>
    internal sealed class Mapper : AssayRowMapper
    {
        private readonly Columns _c;
        private readonly HashSet<string> _normalizations = new(StringComparer.Ordinal);
        private readonly HashSet<string> _versions = new(StringComparer.Ordinal);
        private long _internalControls;

        public Mapper(Columns columns, string[] header)
        {
            _c = columns;
            Header = header;
            Columns = HeaderMaps.Uses(header, columns.Uses());
        }

        public override ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            if (_c.AssayType >= 0 && f[_c.AssayType].Length > 0 && !f[_c.AssayType].Equals("assay", StringComparison.OrdinalIgnoreCase))
            {
                // Explore's incubation, extension and amplification controls: QC of the run, not analytes.
                _internalControls++;
                return ValueTask.FromResult(true);
            }
            var ok = true;
            var sampleId = f[_c.Sample];
            if (sampleId.Length == 0)
            {
                sink.Problem(row, Header[_c.Sample], "", "no sample ID");
                ok = false;
            }
            var analyte = sink.Analyte(row, Header[_c.Uniprot], f[_c.Uniprot], At(f, _c.Assay), At(f, _c.Panel), At(f, _c.Version));
            ok &= analyte >= 0;
            var warning = false;
            if (_c.SampleQc >= 0)
            {
                ok &= sink.Qc(row, Header[_c.SampleQc], f[_c.SampleQc], out warning);
            }
            if (_c.AssayQc >= 0)
            {
                ok &= sink.Qc(row, Header[_c.AssayQc], f[_c.AssayQc], out var assayWarning);
                warning |= assayWarning;
            }
            var lod = double.NaN;
            if (_c.Lod >= 0)
            {
                ok &= sink.Number(row, Header[_c.Lod], f[_c.Lod], out lod);
            }
            ok &= sink.Number(row, Header[_c.Npx], f[_c.Npx], out var value);
            var plate = At(f, _c.Plate) is { Length: > 0 } p ? p : null;
            Note(_normalizations, At(f, _c.Normalization));
            Note(_versions, At(f, _c.Software));
            var role = _c.SampleType >= 0 && f[_c.SampleType].Length > 0 && !f[_c.SampleType].Equals("SAMPLE", StringComparison.OrdinalIgnoreCase)
                ? SampleRole.Control : SampleRole.ByPattern;
            return sink.AcceptAsync(new AssayRecord(row, Header[_c.Sample], sampleId, plate, analyte, value, lod, warning, Header[_c.Npx], role), ok, ct);
        }

        public override ValueTask<bool> FinishAsync(IAssayRowSink sink, CancellationToken ct)
        {
            if (_normalizations.Count > 0)
            {
                Facts["normalization"] = string.Join(", ", _normalizations.Order(StringComparer.Ordinal));
            }
            if (_versions.Count > 0)
            {
                Facts["software"] = "NPX Explore " + string.Join(", ", _versions.Order(StringComparer.Ordinal));
            }
            if (_internalControls > 0)
            {
                Facts["internal control rows skipped"] = _internalControls.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return ValueTask.FromResult(true);
        }

        private static string? At(string[] f, int i) => i >= 0 ? f[i] : null;

        private static void Note(HashSet<string> seen, string? value)
        {
            // A handful of distinct values per file: the check costs one lookup a row.
            if (value is { Length: > 0 } && seen.Count < 8)
            {
                seen.Add(value);
            }
        }
    }
}
