using System.Globalization;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// The wells of a qPCR plate gathered by (sample, target): technical replicates become one result, their mean Ct
/// with the SD kept. A group is flagged in QC when its SD exceeds the limit, or when some wells amplified and others
/// did not (the mean of the amplified ones would hide that).
/// </summary>
internal sealed class ReplicateGroups
{
    private readonly Dictionary<(string Sample, string Target), Group> _groups = [];

    private sealed class Group(int row, string sample, string target, SampleRole role)
    {
        public int Row => row;
        public string Sample => sample;
        public string Target => target;
        public SampleRole Role => role;
        public List<(double Ct, string Well)> Wells { get; } = [];
    }

    private int _wells;

    /// <summary>
    /// One well: its sample (for a control well without one, the control's name), target and Ct. False after listing
    /// why the well cannot be used; <paramref name="ok"/> false when its Ct was already refused.
    /// </summary>
    public bool AddWell(IAssayRowSink sink, int row, (string Column, string Value) sample, (string Column, string Value) target, string? control, double ct, string well, bool ok)
    {
        if (target.Value.Length == 0)
        {
            sink.Problem(row, target.Column, "", "no target on this well: name it in the plate setup and export again");
            ok = false;
        }
        var sampleId = sample.Value.Length > 0 ? sample.Value : control ?? "";
        if (sampleId.Length == 0)
        {
            sink.Problem(row, sample.Column, "", "no sample name on a well that is not a control");
            ok = false;
        }
        if (ok)
        {
            Add(row, sampleId, target.Value, control is null ? SampleRole.ByPattern : SampleRole.Control, ct, well);
            _wells++;
        }
        return ok;
    }

    /// <summary>"24 wells averaged into 8 (sample, target) results", for the file's facts.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{_wells} wells averaged into {_groups.Count} (sample, target) results");

    private void Add(int row, string sample, string target, SampleRole role, double ct, string well)
    {
        if (!_groups.TryGetValue((sample, target), out var group))
        {
            _groups[(sample, target)] = group = new Group(row, sample, target, role);
        }
        group.Wells.Add((ct, well));
    }

    /// <summary>Hands every group to the engine as one record; false when any was refused.</summary>
    public async ValueTask<bool> AcceptAsync(IAssayRowSink sink, string sampleColumn, string targetColumn, string ctColumn, string? plate, CancellationToken ct)
    {
        var ok = true;
        foreach (var g in _groups.Values.OrderBy(g => g.Row))
        {
            var analyte = sink.Analyte(g.Row, targetColumn, g.Target);
            if (analyte < 0)
            {
                ok = false;
                continue;
            }
            var detected = g.Wells.Where(w => !double.IsNaN(w.Ct)).Select(w => w.Ct).ToList();
            var mean = detected.Count > 0 ? detected.Average() : double.NaN;
            var sd = detected.Count > 1 ? Math.Sqrt(detected.Sum(c => (c - mean) * (c - mean)) / (detected.Count - 1)) : double.NaN;
            var flagged = sd > sink.MaxReplicateSd || (detected.Count > 0 && detected.Count < g.Wells.Count);
            var wells = string.Join(",", g.Wells.Select(w => w.Well));
            ok &= await sink.AcceptAsync(new AssayRecord(g.Row, sampleColumn, g.Sample, plate, analyte, double.NaN, double.NaN, flagged, ctColumn, g.Role,
                Ct: mean, Replicates: g.Wells.Count, Detected: detected.Count, Sd: sd, Wells: wells.Length > 0 ? wells : null), ct);
        }
        return ok;
    }
}
