namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Bio-Rad CFX Maestro / CFX Manager "Quantification Cq Results" CSV: a leading unnamed empty column, then
/// <c>Well, Fluor, Target, Content, Sample, …, Cq, …</c>; <c>NaN</c> for no Cq; <c>Content</c> NTC/Pos/Neg/NRT/Std
/// marks controls (docs/vendor-formats.md §5). Replicate wells are averaged, their SD kept.
/// </summary>
internal sealed class CfxMaestroFormat : IAssayFormat
{
    private static readonly string[] ControlContents = ["NTC", "Pos", "Neg", "NRT", "Std"];

    public string Name => "cfx";

    public IReadOnlyList<string> Aliases => ["cfx-maestro", "biorad-cfx"];

    public string Title => "Bio-Rad CFX Maestro Quantification Cq Results (CSV)";

    public string Expects => "columns Well, Fluor, Target, Content, Sample and Cq (the first column unnamed and empty)";

    public string ValueKind => ValueKinds.Ct;

    public int Detect(FileSniff file)
    {
        var h = file.Header;
        if (HeaderMaps.Find(h, "Sample") < 0 || HeaderMaps.Find(h, "Target") < 0 || HeaderMaps.Find(h, "Cq") < 0 || HeaderMaps.Find(h, "Content") < 0)
        {
            return 0;
        }
        return h.Length > 0 && h[0].Length == 0 ? 100 : 85;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var header = await table.ReadHeaderAsync(ct);
        if (header is null)
        {
            return null;
        }
        int sample = HeaderMaps.Find(header, "Sample"), target = HeaderMaps.Find(header, "Target"), cq = HeaderMaps.Find(header, "Cq"),
            content = HeaderMaps.Find(header, "Content"), well = HeaderMaps.Find(header, "Well");
        var ok = true;
        foreach (var (index, name) in new[] { (sample, "Sample"), (target, "Target"), (cq, "Cq"), (content, "Content") })
        {
            if (index < 0)
            {
                sink.Problem(1, name, "", $"the column {name} is missing: a CFX Quantification Cq Results file has {Expects}");
                ok = false;
            }
        }
        if (!ok)
        {
            return null;
        }
        var mapper = new Mapper(sample, target, cq, content, well)
        {
            Header = header,
            Columns = HeaderMaps.Uses(header, new Dictionary<int, string>
            {
                [sample] = "aliquot barcode", [target] = "analyte (miRBase name)", [cq] = "Ct (replicates averaged; SD kept)", [content] = "control or sample",
                [well] = "well (kept with the replicates)",
            }),
        };
        mapper.Facts["value"] = "mean Cq of the replicate wells (Cq Mean and Cq Std. Dev of the file not used: recomputed)";
        return mapper;
    }

    private sealed class Mapper(int sample, int target, int cq, int content, int well) : AssayRowMapper
    {
        private readonly ReplicateGroups _groups = new();

        public override ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            var ok = Cts.TryRead(row, Header[cq], f[cq], sink, out var ctValue, nanIsUndetermined: true);
            var kind = f[content];
            var control = ControlContents.Any(c => kind.StartsWith(c, StringComparison.OrdinalIgnoreCase)) ? kind : null;
            return ValueTask.FromResult(_groups.AddWell(sink, row, (Header[sample], f[sample]), (Header[target], f[target]), control, ctValue, well >= 0 ? f[well] : "", ok));
        }

        public override async ValueTask<bool> FinishAsync(IAssayRowSink sink, CancellationToken ct)
        {
            Facts["replicates"] = _groups.Describe();
            // The export names no plate (only its file name does).
            return await _groups.AcceptAsync(sink, Header[sample], Header[target], Header[cq], null, ct);
        }
    }
}
