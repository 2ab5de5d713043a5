using System.Buffers.Binary;
using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;

namespace Biobank.Core.Assays;

/// <summary>
/// One assay run's results packed as a samples × analytes matrix (<c>assay_run_matrix</c>): what the association scan
/// reads, one row per run instead of one row per value. It is derived data: <see cref="RebuildAsync"/> packs it from
/// <c>assay_result</c> inside the transaction that wrote the results, so it can never disagree with them.
/// </summary>
/// <remarks>
/// Layout (little-endian, format 1): a 16-byte header (samples S, analytes A, below-LOD entries B, reserved), the
/// analyte ids (A × int64), each sample's patient id and timepoint id (S × int64 each), the values analyte by analyte
/// (A × S doubles; NaN where there is no value or the value is below the LOD), then the below-LOD entries apart:
/// their index into the values (B × int32), the measured value and the LOD (B × double each, NaN when absent).
/// A tube's patient and collection never change once it exists, so the patient and timepoint can be packed.
/// </remarks>
public static class RunMatrix
{
    public const int Format = 1;
    private const int HeaderBytes = 16;

    private const string Rows = """
        SELECT r.analyte_id, r.tube_id, t.patient_id, c.timepoint_id, r.value, r.lod, r.below_lod
        FROM assay_result r
        JOIN tube t ON t.id = r.tube_id
        JOIN collection c ON c.id = t.collection_id
        WHERE r.run_id = @Run
        """;

    private const string Delete = "DELETE FROM assay_run_matrix WHERE run_id = @Run";

    private const string Insert = """
        INSERT INTO assay_run_matrix (run_id, format, samples, analytes, data, built_utc)
        VALUES (@Run, @Format, @Samples, @Analytes, @Data, @Now)
        """;

    /// <summary>Packs (again) the matrix of run <paramref name="runId"/> from its stored results, inside <paramref name="tx"/>.</summary>
    public static async Task RebuildAsync(DbConnection c, DbTransaction tx, long runId, DateTime now, CancellationToken ct)
    {
        var builder = new Builder();
        await using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = Rows;
            var p = cmd.CreateParameter();
            p.ParameterName = "Run";
            p.Value = runId;
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                builder.Add(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4),
                    reader.IsDBNull(5) ? double.NaN : reader.GetDouble(5),
                    Convert.ToInt64(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture) != 0);
            }
        }
        await SaveAsync(c, tx, runId, builder, now, ct);
    }

    /// <summary>Stores what <paramref name="builder"/> collected as the matrix of run <paramref name="runId"/>, replacing any earlier one.</summary>
    internal static async Task SaveAsync(DbConnection c, DbTransaction tx, long runId, Builder builder, DateTime now, CancellationToken ct)
    {
        var data = builder.Pack();
        await c.ExecuteAsync(new CommandDefinition(Delete, new { Run = runId }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(Insert,
            new { Run = runId, Format, Samples = builder.SampleCount, Analytes = builder.AnalyteCount, Data = data, Now = now }, tx, cancellationToken: ct));
    }

    /// <summary>Collects one run's values in any order and packs them.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<long, int> _samples = [];
        private readonly Dictionary<long, int> _analytes = [];
        private readonly List<long> _analyteIds = [];
        private readonly List<long> _patients = [];
        private readonly List<long> _timepoints = [];
        private readonly List<double[]> _columns = [];
        private readonly List<(int Analyte, int Sample, double Value, double Lod)> _below = [];

        public int SampleCount => _patients.Count;

        public int AnalyteCount => _analyteIds.Count;

        public void Add(long analyteId, long tubeId, long patientId, long timepointId, double value, double lod, bool belowLod)
        {
            if (!_samples.TryGetValue(tubeId, out var s))
            {
                _samples[tubeId] = s = _patients.Count;
                _patients.Add(patientId);
                _timepoints.Add(timepointId);
            }
            if (!_analytes.TryGetValue(analyteId, out var a))
            {
                _analytes[analyteId] = a = _analyteIds.Count;
                _analyteIds.Add(analyteId);
                _columns.Add([]);
            }
            var column = _columns[a];
            if (s >= column.Length)
            {
                var grown = new double[Math.Max(s + 1, Math.Max(16, column.Length * 2))];
                Array.Fill(grown, double.NaN, column.Length, grown.Length - column.Length);
                column.CopyTo(grown, 0);
                _columns[a] = column = grown;
            }
            if (belowLod)
            {
                _below.Add((a, s, value, lod));
            }
            else
            {
                column[s] = value;
            }
        }

        public byte[] Pack()
        {
            var (samples, analytes, below) = (_patients.Count, _analyteIds.Count, _below.Count);
            var size = HeaderBytes + 8L * analytes + 16L * samples + 8L * analytes * samples + 20L * below;
            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException($"An assay run of {samples} samples × {analytes} analytes is too large to pack ({size:N0} bytes).");
            }
            var data = new byte[size];
            var span = data.AsSpan();
            BinaryPrimitives.WriteInt32LittleEndian(span, samples);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], analytes);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], below);
            var w = new Writer(span[HeaderBytes..]);
            w.Longs(CollectionsMarshal.AsSpan(_analyteIds));
            w.Longs(CollectionsMarshal.AsSpan(_patients));
            w.Longs(CollectionsMarshal.AsSpan(_timepoints));
            foreach (var column in _columns)
            {
                var values = w.Doubles(samples);
                values.Fill(double.NaN);
                column.AsSpan(0, Math.Min(column.Length, samples)).CopyTo(values);
            }
            var index = MemoryMarshal.Cast<byte, int>(w.Take(4 * below));
            var measured = w.Doubles(below);
            var lods = w.Doubles(below);
            for (var i = 0; i < below; i++)
            {
                var (a, s, v, l) = _below[i];
                index[i] = checked(a * samples + s);
                measured[i] = v;
                lods[i] = l;
            }
            return data;
        }

        private ref struct Writer(Span<byte> rest)
        {
            private Span<byte> _rest = rest;

            public Span<byte> Take(int bytes)
            {
                var taken = _rest[..bytes];
                _rest = _rest[bytes..];
                return taken;
            }

            public void Longs(ReadOnlySpan<long> values) => MemoryMarshal.AsBytes(values).CopyTo(Take(values.Length * 8));

            public Span<double> Doubles(int count) => MemoryMarshal.Cast<byte, double>(Take(count * 8));
        }
    }
}

/// <summary>A packed run matrix read back without copying (see <see cref="RunMatrix"/> for the layout).</summary>
public readonly ref struct RunMatrixView
{
    public RunMatrixView(ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Packed assay matrices are little-endian.");
        }
        if (data.Length < 16)
        {
            throw new InvalidDataException("A packed assay matrix is shorter than its header.");
        }
        Samples = BinaryPrimitives.ReadInt32LittleEndian(data);
        Analytes = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        var below = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var expected = 16L + 8L * Analytes + 16L * Samples + 8L * Analytes * Samples + 20L * below;
        if (Samples < 0 || Analytes < 0 || below < 0 || expected != data.Length)
        {
            throw new InvalidDataException($"A packed assay matrix of {data.Length} bytes does not match its header ({Samples} × {Analytes}, {below} below LOD).");
        }
        var rest = data[16..];
        AnalyteIds = MemoryMarshal.Cast<byte, long>(rest[..(8 * Analytes)]);
        rest = rest[(8 * Analytes)..];
        PatientIds = MemoryMarshal.Cast<byte, long>(rest[..(8 * Samples)]);
        rest = rest[(8 * Samples)..];
        TimepointIds = MemoryMarshal.Cast<byte, long>(rest[..(8 * Samples)]);
        rest = rest[(8 * Samples)..];
        var valueBytes = checked(8 * Analytes * Samples);
        Values = MemoryMarshal.Cast<byte, double>(rest[..valueBytes]);
        rest = rest[valueBytes..];
        BelowIndex = MemoryMarshal.Cast<byte, int>(rest[..(4 * below)]);
        rest = rest[(4 * below)..];
        BelowValue = MemoryMarshal.Cast<byte, double>(rest[..(8 * below)]);
        BelowLod = MemoryMarshal.Cast<byte, double>(rest[(8 * below)..]);
    }

    public int Samples { get; }

    public int Analytes { get; }

    public ReadOnlySpan<long> AnalyteIds { get; }

    public ReadOnlySpan<long> PatientIds { get; }

    public ReadOnlySpan<long> TimepointIds { get; }

    /// <summary>Analyte by analyte: the value of analyte <c>a</c> in sample <c>s</c> is at <c>a × Samples + s</c>; NaN when absent or below LOD.</summary>
    public ReadOnlySpan<double> Values { get; }

    /// <summary>The below-LOD entries: index into <see cref="Values"/>, measured value and LOD (NaN when absent).</summary>
    public ReadOnlySpan<int> BelowIndex { get; }

    public ReadOnlySpan<double> BelowValue { get; }

    public ReadOnlySpan<double> BelowLod { get; }
}
