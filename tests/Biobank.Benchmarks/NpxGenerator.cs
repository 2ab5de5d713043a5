using System.Globalization;
using System.Text;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Benchmarks;

/// <summary>
/// Writes a large long-format NPX file for the import benchmark from a seeded database: its consenting aliquots
/// and protein analytes, 88 samples and 2 plate controls per plate, deterministic values (seeded random).
/// <code>generate-npx --db "Data Source=/tmp/bench/biobank.db" --out npx.csv --rows 1000000 [--semicolon] [--seed 7]</code>
/// </summary>
public static class NpxGenerator
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Opt(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
        var cs = Opt("db") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Biobank");
        var output = Opt("out");
        if (cs is null || output is null || !long.TryParse(Opt("rows") ?? "1000000", CultureInfo.InvariantCulture, out var rows))
        {
            await Console.Error.WriteLineAsync("usage: generate-npx --db CONNECTION --out FILE [--rows N] [--semicolon] [--seed S] (SQLite connection string)");
            return 2;
        }
        var semicolon = args.Contains("--semicolon");
        var seed = int.Parse(Opt("seed") ?? "7", CultureInfo.InvariantCulture);
        DapperSetup.Configure();
        var db = new Db(Db.CreateDialect(new DatabaseOptions(DatabaseProvider.Sqlite, cs)));
        await using var c = await db.OpenAsync(default);
        var analytes = (await c.QueryAsync<Analyte>("""
            SELECT a.code AS Code, a.name AS Name, COALESCE(pa.name, 'Panel') AS Panel, COALESCE(pa.version, 'v.1') AS Version
            FROM analyte a LEFT JOIN panel pa ON pa.id = a.panel_id WHERE a.kind = 'protein' ORDER BY a.id
            """)).AsList();
        var perPlate = 88;
        var plateRows = (perPlate + 2) * analytes.Count;
        var samplesNeeded = (int)Math.Ceiling(rows / (double)plateRows) * perPlate;
        var aliquots = (await c.QueryAsync<string>("""
            SELECT t.barcode FROM tube t JOIN patient p ON p.id = t.patient_id
            WHERE t.kind = 'aliquot' AND p.consent_status = 'given' ORDER BY t.id LIMIT @N
            """, new { N = samplesNeeded })).AsList();
        if (analytes.Count == 0 || aliquots.Count < Math.Min(samplesNeeded, rows / Math.Max(1, analytes.Count)))
        {
            await Console.Error.WriteLineAsync($"generate-npx: the database has {aliquots.Count} consenting aliquots and {analytes.Count} proteins; seed more patients.");
            return 1;
        }
        var d = semicolon ? ';' : ',';
        var rnd = new Random(seed);
        await using var w = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20);
        await w.WriteAsync(string.Join(d, "SampleID", "Index", "OlinkID", "UniProt", "Assay", "MissingFreq", "Panel", "Panel_Version", "PlateID", "QC_Warning", "LOD", "NPX"));
        await w.WriteAsync('\n');
        long written = 0;
        var next = 0;
        var sb = new StringBuilder(256);
        for (var plate = 1; written < rows; plate++)
        {
            var samples = new List<string>();
            for (var i = 0; i < perPlate && next < aliquots.Count; i++)
            {
                samples.Add(aliquots[next++]);
            }
            samples.Add("CONTROL_SAMPLE_AS 1");
            samples.Add("CONTROL_SAMPLE_AS 2");
            var plateId = $"BENCH_PLATE_{plate:D4}";
            foreach (var sample in samples)
            {
                var warning = rnd.NextDouble() < 0.02 ? "Warning" : "Pass";
                for (var a = 0; a < analytes.Count && written < rows; a++)
                {
                    var an = analytes[a];
                    var npx = (2 + 8 * rnd.NextDouble()).ToString("0.#####", CultureInfo.InvariantCulture);
                    var lod = (1 + rnd.NextDouble()).ToString("0.####", CultureInfo.InvariantCulture);
                    if (semicolon)
                    {
                        npx = npx.Replace('.', ',');
                        lod = lod.Replace('.', ',');
                    }
                    sb.Clear();
                    sb.Append(sample).Append(d).Append(a + 1).Append(d).Append("OID").Append(20000 + a).Append(d).Append(an.Code).Append(d).Append(an.Name).Append(d)
                        .Append(semicolon ? "0,01" : "0.01").Append(d).Append(an.Panel).Append(d).Append(an.Version).Append(d).Append(plateId).Append(d)
                        .Append(warning).Append(d).Append(lod).Append(d).Append(npx).Append('\n');
                    await w.WriteAsync(sb);
                    written++;
                }
                if (written >= rows)
                {
                    break;
                }
            }
            if (next >= aliquots.Count && written < rows)
            {
                await Console.Error.WriteLineAsync($"generate-npx: ran out of aliquots after {written:N0} rows; seed more patients.");
                return 1;
            }
        }
        await Console.Out.WriteLineAsync($"{output}: {written:N0} rows, {next:N0} aliquots, {analytes.Count} proteins.");
        return 0;
    }

    private sealed record Analyte
    {
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Panel { get; init; } = "";
        public string Version { get; init; } = "";
    }
}
