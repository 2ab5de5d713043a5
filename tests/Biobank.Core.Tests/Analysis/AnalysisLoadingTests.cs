using Biobank.Core.Analysis;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Analysis;

/// <summary>
/// The association scan reads packed run matrices, not result rows. These tests hold it to the rows themselves: every
/// response must equal the stored results of the patient at the timepoint(s), averaged, with the below-LOD rule and the
/// log2 transform applied — computed here straight from <c>assay_result</c> by SQL and LINQ.
/// </summary>
public sealed class AnalysisLoadingTests
{
    private sealed record StoredValue
    {
        public string Pseudonym { get; init; } = "";
        public string Code { get; init; } = "";
        public string Timepoint { get; init; } = "";
        public string ValueKind { get; init; } = "";
        public string Status { get; init; } = "";
        public double? Value { get; init; }
        public double? Lod { get; init; }
        public bool BelowLod { get; init; }
    }

    private static double Mean(IEnumerable<StoredValue> rows, BelowLod mode)
    {
        var values = new List<double>();
        foreach (var r in rows)
        {
            if (r.Value is not { } v)
            {
                continue;
            }
            if (r.BelowLod)
            {
                if (mode == BelowLod.Exclude)
                {
                    continue;
                }
                if (mode == BelowLod.LodOverSqrt2 && r.Lod is { } lod)
                {
                    v = lod / Math.Sqrt(2);
                }
            }
            if (r.ValueKind == "concentration")
            {
                if (v <= 0)
                {
                    continue;
                }
                v = Math.Log2(v);
            }
            values.Add(v);
        }
        return values.Count == 0 ? double.NaN : values.Average();
    }

    [Theory, Providers]
    public async Task Every_response_is_the_stored_results_averaged_with_the_LOD_rule_and_transform(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db, 24);
        (await RunMatrices.MismatchesAsync(db)).ShouldBeEmpty("the seed packs every run as it writes it");

        // What the demo rarely has: values below the LOD with and without a LOD or a measured value, and a
        // concentration platform (log2; zero and negative values dropped). The application never edits results, so the
        // matrices are dropped as well: the analysis must pack them again on first use, from these rows.
        await using (var c = await db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE assay_result SET below_lod = (1 = 1) WHERE (tube_id + analyte_id) % 7 = 0");
            await c.ExecuteAsync("UPDATE assay_result SET lod = NULL WHERE (tube_id + analyte_id) % 14 = 0");
            await c.ExecuteAsync("UPDATE assay_result SET value = NULL WHERE (tube_id + analyte_id) % 21 = 0");
            await c.ExecuteAsync("UPDATE assay_result SET value = -1 WHERE (tube_id + analyte_id) % 11 = 0");
            await c.ExecuteAsync("UPDATE assay_result SET value = 0 WHERE (tube_id + analyte_id) % 13 = 0");
            await c.ExecuteAsync("UPDATE platform SET value_kind = 'concentration' WHERE code = 'OLINK-PEA'");
            await c.ExecuteAsync("DELETE FROM assay_run_matrix");
        }

        List<StoredValue> stored;
        await using (var c = await db.Db.OpenAsync(default))
        {
            stored = (await c.QueryAsync<StoredValue>("""
                SELECT p.pseudonym AS Pseudonym, a.code AS Code, tp.code AS Timepoint, pl.value_kind AS ValueKind, ru.status AS Status,
                       r.value AS Value, r.lod AS Lod, r.below_lod AS BelowLod
                FROM assay_result r
                JOIN assay_run ru ON ru.id = r.run_id JOIN platform pl ON pl.id = ru.platform_id
                JOIN analyte a ON a.id = r.analyte_id
                JOIN tube t ON t.id = r.tube_id JOIN patient p ON p.id = t.patient_id
                JOIN collection col ON col.id = t.collection_id JOIN study_timepoint tp ON tp.id = col.timepoint_id
                """)).AsList();
        }
        stored.Count(s => s.Status == "imported").ShouldBeGreaterThan(0, "the demo's run awaiting review gives patients a second measurement");

        var admin = await LabData.CallerAsync(db, "admin");
        var compared = 0;
        foreach (var approvedOnly in new[] { true, false })
        {
            var byKey = stored.Where(s => s.Status == "approved" || (!approvedOnly && s.Status == "imported"))
                .ToLookup(s => (s.Pseudonym, s.Code, s.Timepoint));
            foreach (var mode in Enum.GetValues<BelowLod>())
            {
                foreach (var response in new[] { "change:BASELINE:M3", "value:EOT" })
                {
                    var request = new AnalysisRequest { Biomarkers = "all", Response = response, Dose = "heart:mean", BelowLod = mode, ApprovedRunsOnly = approvedOnly, MinN = 5 };
                    var outcome = (await db.Get<AssociationAnalysis>().RunAsync(admin, request, default)).Value!;
                    outcome.Patients.Count.ShouldBeGreaterThan(10);
                    for (var b = 0; b < outcome.BiomarkerCodes.Count; b++)
                    {
                        var code = outcome.BiomarkerCodes[b];
                        for (var p = 0; p < outcome.Patients.Count; p++)
                        {
                            var who = outcome.Patients[p].Pseudonym;
                            var expected = response == "value:EOT"
                                ? Mean(byKey[(who, code, "EOT")], mode)
                                : Mean(byKey[(who, code, "M3")], mode) - Mean(byKey[(who, code, "BASELINE")], mode);
                            // A change keeps 12 significant digits of the larger of its two means (ResponseChange).
                            var tolerance = response == "value:EOT" ? 1e-12 * Math.Max(1, Math.Abs(expected))
                                : 1e-11 * Math.Max(1, Math.Max(Math.Abs(Mean(byKey[(who, code, "M3")], mode)), Math.Abs(Mean(byKey[(who, code, "BASELINE")], mode))));
                            var actual = outcome.Response(p, b);
                            if (double.IsNaN(expected))
                            {
                                actual.ShouldBe(double.NaN, $"{who} {code} {response} {mode} approved only {approvedOnly}");
                            }
                            else
                            {
                                actual.ShouldBe(expected, tolerance, $"{who} {code} {response} {mode} approved only {approvedOnly}");
                                compared++;
                            }
                        }
                    }
                }
            }
        }
        compared.ShouldBeGreaterThan(100_000);
        await using (var c = await db.Db.OpenAsync(default))
        {
            var rejected = (await c.QueryAsync<long>("SELECT id FROM assay_run WHERE status = 'rejected'")).Select(id => $"run {id}: ").ToList();
            (await RunMatrices.MismatchesAsync(db)).Where(m => !rejected.Any(m.StartsWith)).ShouldBeEmpty("the analysis packed the runs it reads; a rejected run is never read");
        }
    }
}
