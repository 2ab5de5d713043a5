namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Applied Biosystems QuantStudio results: the Real-Time PCR Software text export (<c>* key = value</c> header lines,
/// then <c>[Sample Setup]</c>, <c>[Results]</c>, … sections, tab-separated, a footer) and the Design &amp; Analysis XLSX
/// (key/value rows, then the table headed by <c>Well</c> in column A). <c>Sample Name</c>/<c>Sample</c>,
/// <c>Target Name</c>/<c>Target</c>, <c>CT</c>/<c>Cт</c>/<c>CRT</c>/<c>Cq</c>; <c>Undetermined</c> = no amplification;
/// <c>Task</c> NTC/STANDARD/IPC marks controls; omitted wells are left out (docs/vendor-formats.md §4).
/// Replicate wells are averaged, their SD kept.
/// </summary>
internal sealed class QuantStudioFormat : IAssayFormat
{
    private static readonly string[] ControlTasks = ["NTC", "STANDARD", "IPC", "NEGATIVE", "POSITIVE"];

    // The plate: its barcode when the run had one, else the experiment's name (text export) or file (XLSX).
    private static readonly string[] PlateKeys = ["Experiment Barcode", "Barcode", "Experiment Name", "File Name"];

    private static readonly string[] FactKeys = ["Instrument Type", "Software Name and Version", "Quantification Cycle Method", "Experiment Type"];

    public string Name => "quantstudio";

    public IReadOnlyList<string> Aliases => ["qs", "applied-biosystems"];

    public string Title => "Applied Biosystems QuantStudio results export (TXT or XLSX)";

    public string Expects => "'* key = value' header lines and a [Results] section (TXT), or a Results sheet whose table starts with Well in column A; " +
                             "columns Sample Name, Target Name and CT (or Sample, Target, Cq)";

    public string ValueKind => ValueKinds.Ct;

    public string Delimiters => "\t";

    public bool ForceDelimiter => true;

    public int Detect(FileSniff file)
    {
        if (file.Kind == FileKind.Text)
        {
            var header = file.Lines.TakeWhile(l => l.StartsWith("* ", StringComparison.Ordinal)).ToList();
            if (header.Count == 0 || !header.All(l => l.Contains(" = ", StringComparison.Ordinal) || l.EndsWith(" =", StringComparison.Ordinal)))
            {
                return 0;
            }
            return file.Lines.Any(l => l.StartsWith('[') && l.TrimEnd().EndsWith(']')) || header.Any(l => l.Contains("QuantStudio", StringComparison.OrdinalIgnoreCase)) ? 95 : 60;
        }
        var table = file.Rows.FirstOrDefault(r => r.Length > 0 && r[0] == "Well");
        return table is not null && HeaderMaps.Find(table, "Sample Name", "Sample") >= 0 && HeaderMaps.Find(table, "Target Name", "Target") >= 0 ? 95 : 0;
    }

    public async ValueTask<AssayRowMapper?> ReadHeaderAsync(AssayTable table, IAssayRowSink sink, CancellationToken ct)
    {
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = table.Kind == FileKind.Text;
        var inResults = false;
        while (await table.ReadAsync(ct))
        {
            var f = table.Fields;
            var first = f.Length > 0 ? f[0].TrimStart('\uFEFF') : "";
            if (text && first.StartsWith("* ", StringComparison.Ordinal) && first.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                meta[first[2..eq].Trim()] = first[(eq + 1)..].Trim();
            }
            else if (text && first.StartsWith('[') && first.EndsWith(']'))
            {
                inResults = first == "[Results]";
            }
            else if (!text && first == "Well")
            {
                inResults = true;
            }
            else if (!text && f.Length > 1 && first.Length > 0)
            {
                meta[first] = f[1];
                continue;
            }
            if (inResults && (first == "Well" || !text))
            {
                return Map(table.CheckHeader(f.ToArray()), meta, table.Line, sink);
            }
        }
        sink.Problem(table.Line, "file", "", text
            ? "no [Results] section with a header starting 'Well': export the results with the Results box ticked"
            : "no results table: a QuantStudio Results sheet has a row starting with 'Well' in column A");
        return null;
    }

    private Mapper? Map(string[]? header, Dictionary<string, string> meta, int line, IAssayRowSink sink)
    {
        if (header is null)
        {
            return null;
        }
        int sample = HeaderMaps.Find(header, "Sample Name", "Sample"), target = HeaderMaps.Find(header, "Target Name", "Target"),
            ctColumn = HeaderMaps.Find(header, "CT", "CRT", "Cq"), task = HeaderMaps.Find(header, "Task"), omit = HeaderMaps.Find(header, "Omit"),
            well = HeaderMaps.Find(header, "Well Position");
        var ok = true;
        foreach (var (index, name) in new[] { (sample, "Sample Name"), (target, "Target Name"), (ctColumn, "CT") })
        {
            if (index < 0)
            {
                sink.Problem(line, name, "", $"the column {name} is missing from the results table: a QuantStudio export has {Expects}");
                ok = false;
            }
        }
        if (!ok)
        {
            return null;
        }
        var plate = PlateKeys.Select(k => meta.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        var mapper = new Mapper(sample, target, ctColumn, task, omit, well, plate is null ? null : Path.GetFileNameWithoutExtension(plate.Replace('\\', '/')))
        {
            Header = header,
            Columns = HeaderMaps.Uses(header, new[]
            {
                (sample, "aliquot barcode"), (target, "analyte (miRBase name)"), (ctColumn, "Ct (replicates averaged; SD kept)"), (task, "control or sample"),
                (omit, "omitted wells left out"), (well, "well (kept with the replicates)"),
            }.Where(u => u.Item1 >= 0).ToDictionary(u => u.Item1, u => u.Item2)),
        };
        foreach (var key in FactKeys)
        {
            if (meta.TryGetValue(key, out var v) && v.Length > 0)
            {
                mapper.Facts[key.ToLowerInvariant()] = v;
            }
        }
        mapper.Facts["value"] = $"mean {header[ctColumn]} of the replicate wells ({header[ctColumn]} Mean and SD of the file not used: recomputed)";
        return mapper;
    }

    private sealed class Mapper(int sample, int target, int ctColumn, int task, int omit, int well, string? plate) : AssayRowMapper
    {
        private readonly ReplicateGroups _groups = new();
        private int _omitted;

        /// <summary>The text export's [Results] ends at a blank line (a footer follows) or the next section.</summary>
        public override bool EndsTable(string[] fields) => fields.Length == 0 || (fields.Length == 1 && (fields[0].Length == 0 || fields[0].StartsWith('[')));

        public override ValueTask<bool> MapAsync(int row, string[] f, IAssayRowSink sink, CancellationToken ct)
        {
            if (omit >= 0 && f[omit].Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                _omitted++;
                return ValueTask.FromResult(true);
            }
            var ok = Cts.TryRead(row, Header[ctColumn], f[ctColumn], sink, out var ctValue);
            var taskName = task >= 0 ? f[task] : "";
            var control = ControlTasks.Any(t => taskName.Equals(t, StringComparison.OrdinalIgnoreCase)) ? taskName.ToUpperInvariant() : null;
            return ValueTask.FromResult(_groups.AddWell(sink, row, (Header[sample], f[sample]), (Header[target], f[target]), control, ctValue, well >= 0 ? f[well] : "", ok));
        }

        public override async ValueTask<bool> FinishAsync(IAssayRowSink sink, CancellationToken ct)
        {
            Facts["replicates"] = _groups.Describe();
            if (_omitted > 0)
            {
                Facts["omitted wells left out"] = _omitted.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return await _groups.AcceptAsync(sink, Header[sample], Header[target], Header[ctColumn], plate, ct);
        }
    }
}
