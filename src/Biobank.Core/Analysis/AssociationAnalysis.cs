using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Analysis.Statistics;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Analysis;

public enum BelowLod
{
    Exclude,
    LodOverSqrt2,
    AsMeasured,
}

/// <summary>What a biologist asks: which biomarkers, which response, which dose, adjusted for what, in whom.</summary>
public sealed record AnalysisRequest
{
    /// <summary><c>all</c>, <c>class:mirna</c>, <c>panel:CODE</c> or <c>search:TEXT</c>.</summary>
    public string Biomarkers { get; init; } = "all";

    /// <summary><c>value:T</c> or <c>change:TA:TB</c> (TB minus TA), timepoint codes.</summary>
    public string Response { get; init; } = "change:BASELINE:M3";

    /// <summary><c>ORGAN:METRIC</c>, e.g. <c>heart:mean</c>.</summary>
    public string Dose { get; init; } = "heart:mean";

    /// <summary>A dose version label; null means the latest.</summary>
    public string? DoseVersion { get; init; }

    public IReadOnlyList<string> Covariates { get; init; } = [];

    public IReadOnlyList<string> Sites { get; init; } = [];

    public string? Modality { get; init; }

    public string? Sex { get; init; }

    public decimal? MinAge { get; init; }

    public decimal? MaxAge { get; init; }

    public bool ApprovedRunsOnly { get; init; } = true;

    public BelowLod BelowLod { get; init; } = BelowLod.Exclude;

    public int MinN { get; init; } = 10;
}

public sealed record BiomarkerResult(string Biomarker, string Name, string Class, int N, double SpearmanRho, double SpearmanP, double SpearmanQ,
    double Slope, double SlopeCiLow, double SlopeCiHigh, double SlopeP, double QValue);

public sealed record AnalysisPatient(string Pseudonym, string Site, double Dose, double? Age, string? Sex, string? Modality);

public sealed record AnalysisOutcome(
    AnalysisRequest Request,
    string DoseVersion,
    IReadOnlyList<long> Runs,
    string Fingerprint,
    string Transform,
    IReadOnlyList<BiomarkerResult> Results,
    IReadOnlyList<AnalysisPatient> Patients,
    IReadOnlyList<string> BiomarkerCodes,
    double[,] Responses,
    TimeSpan Loading,
    TimeSpan Computing,
    int ExcludedWithdrawn);

/// <summary>
/// The biomarker–dose scan: loads the analysis data set from the database (approved runs, the chosen dose version,
/// consenting patients only), fits every biomarker (Spearman and least squares on dose plus covariates), ranks by
/// Benjamini–Hochberg q. Results are deterministic for the same data; the fingerprint names the data seen.
/// </summary>
public sealed class AssociationAnalysis(IDb db)
{
    public const string SoftwareVersion = "biobank-analysis/1";

    private const string Version = """
        SELECT id AS Id, label AS Label FROM dose_version
        WHERE (@Label = '' AND id = (SELECT MAX(id) FROM dose_version)) OR label = @Label
        """;

    // Consenting patients the caller may see, with the chosen organ dose: patients without that dose drop out.
    private const string Patients = """
        SELECT p.id AS Id, p.pseudonym AS Pseudonym, s.code AS Site, p.sex AS Sex, p.age_at_rt_years AS Age, p.modality AS Modality,
               d.value_gy AS Dose, p.consent_status AS ConsentStatus
        FROM patient p
        JOIN site s ON s.id = p.site_id
        JOIN organ_dose d ON d.patient_id = p.id AND d.version_id = @VersionId AND d.organ = @Organ AND d.metric = @Metric
        WHERE (@AllSites OR p.site_id = @ScopeSiteId)
        ORDER BY p.pseudonym
        """;

    private const string Analytes = """
        SELECT a.id AS Id, a.code AS Code, a.name AS Name, a.biomarker_class AS Class, COALESCE(pn.code, '') AS Panel
        FROM analyte a LEFT JOIN panel pn ON pn.id = a.panel_id
        ORDER BY a.code
        """;

    private const string Runs = """
        SELECT r.id AS Id, pl.value_kind AS ValueKind FROM assay_run r JOIN platform pl ON pl.id = r.platform_id
        WHERE r.status = 'approved' OR (@All AND r.status = 'imported')
        ORDER BY r.id
        """;

    private const string Tubes = """
        SELECT t.id AS TubeId, t.patient_id AS PatientId, tp.code AS Timepoint
        FROM tube t JOIN collection c ON c.id = t.collection_id JOIN study_timepoint tp ON tp.id = c.timepoint_id
        WHERE tp.code = @A OR tp.code = @B
        """;

    private const string Results = "SELECT analyte_id, tube_id, value, lod, below_lod FROM assay_result WHERE run_id = @Run";

    public static Problem? Validate(AnalysisRequest r)
    {
        if (ParseResponse(r.Response) is null)
        {
            return new Problem("Response: value:TIMEPOINT or change:FROM:TO, e.g. change:BASELINE:M3.", "Response");
        }
        if (r.Dose.Split(':') is not [{ Length: > 0 }, { Length: > 0 }])
        {
            return new Problem("Dose: ORGAN:METRIC, e.g. heart:mean.", "Dose");
        }
        if (r.Covariates.Except(["age", "sex", "modality"]).FirstOrDefault() is { } bad)
        {
            return new Problem($"Covariate '{bad}' is not one of age, sex, modality.", "Covariates");
        }
        if (r.MinN is < 5 or > 100_000)
        {
            return new Problem("Minimum n: 5 or more.", "MinN");
        }
        var selector = r.Biomarkers.Trim();
        if (!(selector == "all" || selector.StartsWith("class:", StringComparison.Ordinal) || selector.StartsWith("panel:", StringComparison.Ordinal) || selector.StartsWith("search:", StringComparison.Ordinal)))
        {
            return new Problem("Biomarkers: all, class:NAME, panel:NAME or search:TEXT.", "Biomarkers");
        }
        return null;
    }

    public static (string A, string? B)? ParseResponse(string response) => response.Split(':') switch
    {
        ["value", { Length: > 0 } t] => (t, null),
        ["change", { Length: > 0 } a, { Length: > 0 } b] when a != b => (a, b),
        _ => null,
    };

    public async Task<Result<AnalysisOutcome>> RunAsync(Caller caller, AnalysisRequest request, CancellationToken ct)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (ta, tb) = ParseResponse(request.Response)!.Value;
        var organMetric = request.Dose.Split(':');
        await using var c = await db.OpenAsync(ct);
        var version = await c.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(Version, new { Label = request.DoseVersion ?? "" }, cancellationToken: ct));
        if (version is null)
        {
            return Result<AnalysisOutcome>.NotFound(request.DoseVersion is null ? "No dose version has been imported yet." : $"No dose version '{request.DoseVersion}'.", "DoseVersion");
        }
        var allPatients = (await c.QueryScopedAsync<PatientRow>(Patients, caller, new { VersionId = version.Id, Organ = organMetric[0], Metric = organMetric[1] }, ct: ct)).AsList();
        var withdrawn = allPatients.Count(p => p.ConsentStatus == "withdrawn");
        var patients = allPatients.Where(p => p.ConsentStatus != "withdrawn")
            .Where(p => request.Sites.Count == 0 || request.Sites.Contains(p.Site, StringComparer.OrdinalIgnoreCase))
            .Where(p => request.Modality is null || p.Modality == request.Modality)
            .Where(p => request.Sex is null || p.Sex == request.Sex)
            .Where(p => request.MinAge is null || p.Age >= request.MinAge)
            .Where(p => request.MaxAge is null || p.Age <= request.MaxAge)
            .ToList();
        if (patients.Count == 0)
        {
            return Result<AnalysisOutcome>.Invalid($"No consenting patient of your sites has a {request.Dose} dose in version {version.Label} and passes the filters.", "Dose");
        }
        var analytes = Select((await c.QueryAsync<AnalyteRow>(new CommandDefinition(Analytes, cancellationToken: ct))).AsList(), request.Biomarkers);
        if (analytes.Count == 0)
        {
            return Result<AnalysisOutcome>.Invalid($"No biomarker matches '{request.Biomarkers}'.", "Biomarkers");
        }
        var patientIndex = patients.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var analyteIndex = analytes.Select((a, i) => (a.Id, i)).ToDictionary(x => x.Id, x => x.i);
        // tube → (patient index, 0 for TA / 1 for TB); tubes of other patients or timepoints are skipped cheaply.
        var tubes = new Dictionary<long, (int Patient, int Slot)>();
        foreach (var t in await c.QueryAsync<TubeRow>(new CommandDefinition(Tubes, new { A = ta, B = tb ?? ta }, cancellationToken: ct)))
        {
            if (patientIndex.TryGetValue(t.PatientId, out var pi))
            {
                tubes[t.TubeId] = (pi, t.Timepoint == ta ? 0 : 1);
            }
        }
        var runs = (await c.QueryAsync<RunRow>(new CommandDefinition(Runs, new { All = !request.ApprovedRunsOnly }, cancellationToken: ct))).AsList();
        var slots = tb is null ? 1 : 2;
        var sums = new double[slots, patients.Count, analytes.Count];
        var counts = new int[slots, patients.Count, analytes.Count];
        var transforms = new HashSet<string>();
        var fingerprintRuns = new List<long>();
        foreach (var run in runs)
        {
            var log2 = run.ValueKind == "concentration";
            var used = false;
            await using var cmd = c.CreateCommand();
            cmd.CommandText = Results;
            var p = cmd.CreateParameter();
            p.ParameterName = "Run";
            p.Value = run.Id;
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                if (!analyteIndex.TryGetValue(reader.GetInt64(0), out var ai) || !tubes.TryGetValue(reader.GetInt64(1), out var tube) || tube.Slot >= slots || reader.IsDBNull(2))
                {
                    continue;
                }
                var value = reader.GetDouble(2);
                var belowLod = !reader.IsDBNull(4) && Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture) != 0;
                if (belowLod)
                {
                    if (request.BelowLod == BelowLod.Exclude)
                    {
                        continue;
                    }
                    if (request.BelowLod == BelowLod.LodOverSqrt2 && !reader.IsDBNull(3))
                    {
                        value = reader.GetDouble(3) / Math.Sqrt(2);
                    }
                }
                if (log2)
                {
                    if (value <= 0)
                    {
                        continue;
                    }
                    value = Math.Log2(value);
                }
                sums[tube.Slot, tube.Patient, ai] += value;
                counts[tube.Slot, tube.Patient, ai]++;
                used = true;
            }
            if (used)
            {
                fingerprintRuns.Add(run.Id);
                transforms.Add(log2 ? "concentrations log2-transformed" : run.ValueKind == "ct" ? "ΔCt as stored" : run.ValueKind == "npx" ? "NPX as stored" : $"{run.ValueKind} as stored");
            }
        }
        var covariateNames = request.Covariates.Distinct().OrderBy(x => x switch { "age" => 0, "sex" => 1, _ => 2 }).ToList();
        var covariateColumns = covariateNames.Sum(n => n == "modality" ? 2 : 1);
        var data = new AssociationScanData(patients.Count, analytes.Count, covariateColumns);
        var responses = new double[patients.Count, analytes.Count];
        for (var pi = 0; pi < patients.Count; pi++)
        {
            var patient = patients[pi];
            data.Dose[pi] = (double)patient.Dose;
            var col = 0;
            foreach (var name in covariateNames)
            {
                switch (name)
                {
                    case "age":
                        data.SetCovariate(pi, col++, patient.Age is { } age ? (double)age : double.NaN);
                        break;
                    case "sex":
                        data.SetCovariate(pi, col++, patient.Sex switch { "F" => 0, "M" => 1, _ => double.NaN });
                        break;
                    default:
                        data.SetCovariate(pi, col++, patient.Modality switch { null => double.NaN, "proton" => 1, _ => 0 });
                        data.SetCovariate(pi, col++, patient.Modality switch { null => double.NaN, "both" => 1, _ => 0 });
                        break;
                }
            }
            for (var ai = 0; ai < analytes.Count; ai++)
            {
                var a = counts[0, pi, ai] == 0 ? double.NaN : sums[0, pi, ai] / counts[0, pi, ai];
                var value = slots == 1 ? a : counts[1, pi, ai] == 0 ? double.NaN : sums[1, pi, ai] / counts[1, pi, ai] - a;
                responses[pi, ai] = value;
                data[pi, ai] = value;
            }
        }
        var loading = clock.Elapsed;
        clock.Restart();
        var scan = AssociationScan.Run(data, request.MinN, ct);
        var computing = clock.Elapsed;
        var results = scan.Select(r => new BiomarkerResult(analytes[r.Biomarker].Code, analytes[r.Biomarker].Name, analytes[r.Biomarker].Class, r.N,
                r.SpearmanRho, r.SpearmanP, r.SpearmanQ, r.Slope, r.SlopeCiLow, r.SlopeCiHigh, r.SlopeP, r.QValue))
            .OrderBy(r => double.IsNaN(r.QValue) ? 2 : 1).ThenBy(r => r.QValue).ThenBy(r => r.SlopeP).ThenBy(r => r.Biomarker, StringComparer.Ordinal)
            .ToList();
        var patientsOut = patients.Select(p => new AnalysisPatient(p.Pseudonym, p.Site, (double)p.Dose, p.Age is { } a ? (double)a : null, p.Sex, p.Modality)).ToList();
        var fingerprint = Fingerprint(version.Label, fingerprintRuns, patientsOut, analytes.Select(a => a.Code).ToList(), responses);
        return Result<AnalysisOutcome>.Success(new AnalysisOutcome(request, version.Label, fingerprintRuns, fingerprint,
            transforms.Count == 0 ? "none (no results)" : string.Join("; ", transforms.Order(StringComparer.Ordinal)),
            results, patientsOut, analytes.Select(a => a.Code).ToList(), responses, loading, computing, withdrawn));
    }

    private static List<AnalyteRow> Select(List<AnalyteRow> all, string selector)
    {
        var s = selector.Trim();
        if (s == "all")
        {
            return all;
        }
        var (kind, value) = (s[..s.IndexOf(':', StringComparison.Ordinal)], s[(s.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return kind switch
        {
            "class" => all.Where(a => string.Equals(a.Class, value.Replace(' ', '_'), StringComparison.OrdinalIgnoreCase)).ToList(),
            "panel" => all.Where(a => string.Equals(a.Panel, value, StringComparison.OrdinalIgnoreCase)).ToList(),
            _ => all.Where(a => a.Code.Contains(value, StringComparison.OrdinalIgnoreCase) || a.Name.Contains(value, StringComparison.OrdinalIgnoreCase)).ToList(),
        };
    }

    /// <summary>SHA-256 over the dose version, the runs and every value of the data set in a fixed order.</summary>
    public static string Fingerprint(string doseVersion, IReadOnlyList<long> runs, IReadOnlyList<AnalysisPatient> patients, IReadOnlyList<string> biomarkers, double[,] responses)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(SoftwareVersion);
        Add(doseVersion);
        Add(string.Join(',', runs));
        foreach (var p in patients)
        {
            Add(FormattableString.Invariant($"{p.Pseudonym}|{p.Dose:R}|{p.Age:R}|{p.Sex}|{p.Modality}"));
        }
        Add(string.Join(',', biomarkers));
        var buffer = new byte[8];
        for (var i = 0; i < responses.GetLength(0); i++)
        {
            for (var j = 0; j < responses.GetLength(1); j++)
            {
                BitConverter.TryWriteBytes(buffer, responses[i, j]);
                hash.AppendData(buffer);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private const string TimepointValues = """
        SELECT tp.code AS Timepoint, tp.sort_order AS SortOrder, p.pseudonym AS Pseudonym, r.value AS Value, pl.value_kind AS ValueKind
        FROM assay_result r
        JOIN analyte a ON a.id = r.analyte_id
        JOIN assay_run ru ON ru.id = r.run_id
        JOIN platform pl ON pl.id = ru.platform_id
        JOIN tube t ON t.id = r.tube_id
        JOIN collection c ON c.id = t.collection_id
        JOIN study_timepoint tp ON tp.id = c.timepoint_id
        JOIN patient p ON p.id = t.patient_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND a.code = @Code AND r.value IS NOT NULL AND r.below_lod = 0
          AND p.consent_status = 'given' AND (ru.status = 'approved' OR (@All AND ru.status = 'imported'))
        """;

    /// <summary>A biomarker's values per timepoint, on the analysis scale, for the box plots.</summary>
    public async Task<IReadOnlyList<(string Timepoint, IReadOnlyList<double> Values)>> TimepointValuesAsync(Caller caller, string code, bool approvedOnly,
        IReadOnlySet<string>? pseudonyms, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryScopedAsync<TimepointValue>(TimepointValues, caller, new { Code = code, All = !approvedOnly }, ct: ct);
        return rows.Where(r => pseudonyms is null || pseudonyms.Contains(r.Pseudonym))
            .Select(r => (r.Timepoint, r.SortOrder, Value: r.ValueKind == "concentration" ? (r.Value > 0 ? Math.Log2(r.Value) : double.NaN) : r.Value))
            .Where(r => !double.IsNaN(r.Value))
            .GroupBy(r => (r.Timepoint, r.SortOrder)).OrderBy(g => g.Key.SortOrder)
            .Select(g => (g.Key.Timepoint, (IReadOnlyList<double>)g.Select(x => x.Value).ToList())).ToList();
    }

    private sealed record TimepointValue
    {
        public string Timepoint { get; init; } = "";
        public int SortOrder { get; init; }
        public string Pseudonym { get; init; } = "";
        public double Value { get; init; }
        public string ValueKind { get; init; } = "";
    }

    public static string Number(double v) => double.IsNaN(v) ? "NA" : v.ToString("R", CultureInfo.InvariantCulture);

    public const string ResultsHeader = "biomarker,n,spearman_rho,spearman_p,spearman_q,slope,slope_ci_low,slope_ci_high,slope_p,q_value";

    public static async Task WriteResultsCsvAsync(AnalysisOutcome o, TextWriter w)
    {
        await w.WriteLineAsync(ResultsHeader);
        foreach (var r in o.Results)
        {
            await w.WriteLineAsync(string.Join(',', CsvOutput.Field(r.Biomarker), r.N.ToString(CultureInfo.InvariantCulture), Number(r.SpearmanRho), Number(r.SpearmanP), Number(r.SpearmanQ),
                Number(r.Slope), Number(r.SlopeCiLow), Number(r.SlopeCiHigh), Number(r.SlopeP), Number(r.QValue)));
        }
    }

    /// <summary>The long data set: one row per patient and analysed biomarker with a response, dose and every covariate present.</summary>
    public static async Task WriteDataCsvAsync(AnalysisOutcome o, TextWriter w)
    {
        var covariates = o.Request.Covariates.Distinct().OrderBy(x => x switch { "age" => 0, "sex" => 1, _ => 2 }).ToList();
        await w.WriteLineAsync(string.Join(',', new[] { "pseudonym", "biomarker", "response", "dose" }.Concat(covariates)));
        var analysed = o.Results.Where(r => !double.IsNaN(r.Slope) || !double.IsNaN(r.SpearmanRho)).Select(r => r.Biomarker).ToHashSet(StringComparer.Ordinal);
        for (var b = 0; b < o.BiomarkerCodes.Count; b++)
        {
            if (!analysed.Contains(o.BiomarkerCodes[b]))
            {
                continue;
            }
            for (var p = 0; p < o.Patients.Count; p++)
            {
                var patient = o.Patients[p];
                var response = o.Responses[p, b];
                var values = covariates.Select(c => c switch
                {
                    "age" => patient.Age is { } a ? Number(a) : null,
                    "sex" => patient.Sex,
                    _ => patient.Modality,
                }).ToList();
                if (double.IsNaN(response) || values.Any(v => v is null))
                {
                    continue;
                }
                await w.WriteLineAsync(string.Join(',', new[] { CsvOutput.Field(patient.Pseudonym), CsvOutput.Field(o.BiomarkerCodes[b]), Number(response), Number(patient.Dose) }.Concat(values!)));
            }
        }
    }

    private sealed record VersionRow
    {
        public long Id { get; init; }
        public string Label { get; init; } = "";
    }

    private sealed record PatientRow
    {
        public long Id { get; init; }
        public string Pseudonym { get; init; } = "";
        public string Site { get; init; } = "";
        public string? Sex { get; init; }
        public decimal? Age { get; init; }
        public string? Modality { get; init; }
        public decimal Dose { get; init; }
        public string ConsentStatus { get; init; } = "";
    }

    private sealed record AnalyteRow
    {
        public long Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Class { get; init; } = "";
        public string Panel { get; init; } = "";
    }

    private sealed record TubeRow
    {
        public long TubeId { get; init; }
        public long PatientId { get; init; }
        public string Timepoint { get; init; } = "";
    }

    private sealed record RunRow
    {
        public long Id { get; init; }
        public string ValueKind { get; init; } = "";
    }
}
