using Biobank.Core.Assays;
using Dapper;

namespace Biobank.Core.Tests.Support;

/// <summary>Compares every packed run matrix with the result rows it was packed from, row by row.</summary>
public static class RunMatrices
{
    private sealed record Stored
    {
        public long RunId { get; init; }
        public long AnalyteId { get; init; }
        public long PatientId { get; init; }
        public long TimepointId { get; init; }
        public double? Value { get; init; }
        public double? Lod { get; init; }
        public bool BelowLod { get; init; }
        public long TubeId { get; init; }
    }

    public static async Task<IReadOnlyList<string>> MismatchesAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        var problems = new List<string>();
        var stored = (await c.QueryAsync<Stored>("""
            SELECT r.run_id AS RunId, r.analyte_id AS AnalyteId, t.patient_id AS PatientId, col.timepoint_id AS TimepointId, r.value AS Value,
                   r.lod AS Lod, r.below_lod AS BelowLod, r.tube_id AS TubeId
            FROM assay_result r JOIN tube t ON t.id = r.tube_id JOIN collection col ON col.id = t.collection_id
            """)).GroupBy(r => r.RunId).ToDictionary(g => g.Key, g => g.ToList());
        var runs = (await c.QueryAsync<long>("SELECT id FROM assay_run")).ToList();
        foreach (var run in runs)
        {
            var data = await c.ExecuteScalarAsync<byte[]?>("SELECT data FROM assay_run_matrix WHERE run_id = @Run", new { Run = run });
            var rows = stored.GetValueOrDefault(run) ?? [];
            if (data is null)
            {
                if (rows.Count > 0)
                {
                    problems.Add($"run {run}: {rows.Count} results but no matrix");
                }
                continue;
            }
            Compare(run, data, rows, problems);
        }
        return problems;
    }

    private static void Compare(long run, byte[] data, List<Stored> rows, List<string> problems)
    {
        var m = new RunMatrixView(data);
        var analyteCol = new Dictionary<long, int>();
        for (var a = 0; a < m.Analytes; a++)
        {
            analyteCol[m.AnalyteIds[a]] = a;
        }
        // Samples are told apart by their position; a tube is the unique (patient, timepoint, first value seen) only
        // through the rows, so match each row to the sample of its patient and timepoint holding its value.
        var below = new Dictionary<int, (double Value, double Lod)>();
        for (var i = 0; i < m.BelowIndex.Length; i++)
        {
            below[m.BelowIndex[i]] = (m.BelowValue[i], m.BelowLod[i]);
        }
        var tubesSeen = rows.Select(r => r.TubeId).Distinct().Count();
        if (tubesSeen != m.Samples || rows.Select(r => r.AnalyteId).Distinct().Count() != m.Analytes)
        {
            problems.Add($"run {run}: matrix {m.Samples} × {m.Analytes}, results {tubesSeen} tubes × {rows.Select(r => r.AnalyteId).Distinct().Count()} analytes");
            return;
        }
        var cells = 0;
        foreach (var r in rows)
        {
            if (!analyteCol.TryGetValue(r.AnalyteId, out var a))
            {
                problems.Add($"run {run}: analyte {r.AnalyteId} missing");
                continue;
            }
            var found = false;
            for (var s = 0; s < m.Samples && !found; s++)
            {
                if (m.PatientIds[s] != r.PatientId || m.TimepointIds[s] != r.TimepointId)
                {
                    continue;
                }
                var index = a * m.Samples + s;
                var value = r.Value ?? double.NaN;
                found = r.BelowLod
                    ? below.TryGetValue(index, out var b) && Same(b.Value, value) && Same(b.Lod, r.Lod ?? double.NaN)
                    : !below.ContainsKey(index) && Same(m.Values[index], value);
            }
            if (!found)
            {
                problems.Add($"run {run}: result of tube {r.TubeId}, analyte {r.AnalyteId} ({r.Value}, below LOD {r.BelowLod}) not in the matrix");
            }
            else
            {
                cells++;
            }
        }
        var packedCells = m.BelowIndex.Length;
        foreach (var v in m.Values)
        {
            packedCells += double.IsNaN(v) ? 0 : 1;
        }
        var storedCells = rows.Count(r => r.BelowLod || r.Value is not null);
        if (packedCells != storedCells)
        {
            problems.Add($"run {run}: {packedCells} packed values, {storedCells} stored");
        }
    }

    private static bool Same(double a, double b) => (double.IsNaN(a) && double.IsNaN(b)) || a == b;
}
