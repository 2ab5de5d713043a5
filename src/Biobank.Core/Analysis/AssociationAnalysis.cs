using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Analysis.Statistics;
using Biobank.Core.Assays;
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
    AssociationScanData Data,
    TimeSpan Loading,
    TimeSpan Computing,
    int ExcludedWithdrawn)
{
    /// <summary>The response of one patient for one biomarker on the analysis scale (NaN = missing).</summary>
    public double Response(int patient, int biomarker) => Data[patient, biomarker];
}

/// <summary>
/// The biomarker–dose scan: loads the analysis data set from the database (approved runs, the chosen dose version,
/// consenting patients only), fits every biomarker (Spearman and least squares on dose plus covariates), ranks by
/// Benjamini–Hochberg q. Results are deterministic for the same data; the fingerprint names the data seen.
/// </summary>
public sealed class AssociationAnalysis(IDb db)
{
    // 2: the fingerprint hashes the responses biomarker by biomarker (version 1 went patient by patient).
    // 3: a change between timepoints is rounded to 12 significant digits (ResponseChange), so equal changes tie.
    public const string SoftwareVersion = "biobank-analysis/3";

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
        SELECT r.id AS Id, pl.value_kind AS ValueKind, CASE WHEN m.run_id IS NULL THEN 0 ELSE 1 END AS Packed
        FROM assay_run r JOIN platform pl ON pl.id = r.platform_id LEFT JOIN assay_run_matrix m ON m.run_id = r.id
        WHERE r.status = 'approved' OR (@All AND r.status = 'imported')
        ORDER BY r.id
        """;

    private const string Timepoints = "SELECT id AS Id, code AS Code FROM study_timepoint WHERE code = @A OR code = @B";

    // One packed samples × analytes matrix per run (see RunMatrix): a row per run instead of millions of results. Asked
    // run by run: joined to the runs, SQLite would sort the whole set of blobs through a temporary b-tree first.
    private const string Matrix = "SELECT LENGTH(data), data FROM assay_run_matrix WHERE run_id = @Run";

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
        if (r.MinAge is { } low && r.MaxAge is { } high && low > high)
        {
            return new Problem($"Age range: the minimum age ({low}) is above the maximum ({high}).", "MinAge");
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
        if (await UnknownChoiceAsync(c, ta, tb, organMetric[0], organMetric[1], ct) is { } unknown)
        {
            return unknown;
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
        var slotOf = (await c.QueryAsync<TimepointRow>(new CommandDefinition(Timepoints, new { A = ta, B = tb ?? ta }, cancellationToken: ct)))
            .ToDictionary(t => t.Id, t => t.Code == ta ? 0 : 1);
        var runs = (await c.QueryAsync<RunRow>(new CommandDefinition(Runs, new { All = !request.ApprovedRunsOnly }, cancellationToken: ct))).AsList();
        if (runs.Where(r => r.Packed == 0).Select(r => r.Id).ToList() is { Count: > 0 } unpacked)
        {
            await using var tx = await db.BeginWriteAsync(c, ct);
            foreach (var run in unpacked)
            {
                await RunMatrix.RebuildAsync(c, tx, run, DateTime.UtcNow, ct);
            }
            await tx.CommitAsync(ct);
        }
        var slots = tb is null ? 1 : 2;
        var covariateNames = request.Covariates.Distinct().OrderBy(x => x switch { "age" => 0, "sex" => 1, _ => 2 }).ToList();
        var covariateColumns = covariateNames.Sum(n => n == "modality" ? 2 : 1);
        var data = new AssociationScanData(patients.Count, analytes.Count, covariateColumns);
        var accumulator = new Accumulator(data, slots, request.BelowLod);
        var transforms = new HashSet<string>();
        var fingerprintRuns = new List<long>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = Matrix;
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = "Run";
            parameter.Value = 0L;
            cmd.Parameters.Add(parameter);
            var buffer = Array.Empty<byte>();
            foreach (var run in runs)
            {
                parameter.Value = run.Id;
                int length;
                await using (var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
                {
                    if (!await reader.ReadAsync(ct))
                    {
                        continue;
                    }
                    length = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
                    if (buffer.Length < length)
                    {
                        buffer = new byte[Math.Max(length, buffer.Length * 2)];
                    }
                    for (var read = 0; read < length;)
                    {
                        read += (int)reader.GetBytes(1, read, buffer, read, length - read);
                    }
                }
                var log2 = run.ValueKind == ValueKinds.Concentration;
                if (accumulator.Add(new RunMatrixView(buffer.AsSpan(0, length)), log2, patientIndex, analyteIndex, slotOf))
                {
                    fingerprintRuns.Add(run.Id);
                    transforms.Add(log2 ? "concentrations log2-transformed" : run.ValueKind == ValueKinds.Ct ? "ΔCt as stored" : run.ValueKind == ValueKinds.Npx ? "NPX as stored" : $"{run.ValueKind} as stored");
                }
            }
        }
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
        }
        accumulator.Finish();
        var loading = clock.Elapsed;
        clock.Restart();
        var scan = AssociationScan.Run(data, request.MinN, ct);
        var computing = clock.Elapsed;
        var results = scan.Select(r => new BiomarkerResult(analytes[r.Biomarker].Code, analytes[r.Biomarker].Name, analytes[r.Biomarker].Class, r.N,
                r.SpearmanRho, r.SpearmanP, r.SpearmanQ, r.Slope, r.SlopeCiLow, r.SlopeCiHigh, r.SlopeP, r.QValue))
            .OrderBy(r => double.IsNaN(r.QValue) ? 2 : 1).ThenBy(r => r.QValue).ThenBy(r => r.SlopeP).ThenBy(r => r.Biomarker, StringComparer.Ordinal)
            .ToList();
        var patientsOut = patients.Select(p => new AnalysisPatient(p.Pseudonym, p.Site, (double)p.Dose, p.Age is { } a ? (double)a : null, p.Sex, p.Modality)).ToList();
        var fingerprint = Fingerprint(version.Label, fingerprintRuns, patientsOut, analytes.Select(a => a.Code).ToList(), data);
        return Result<AnalysisOutcome>.Success(new AnalysisOutcome(request, version.Label, fingerprintRuns, fingerprint,
            transforms.Count == 0 ? "none (no results)" : string.Join("; ", transforms.Order(StringComparer.Ordinal)),
            results, patientsOut, analytes.Select(a => a.Code).ToList(), data, loading, computing, withdrawn));
    }

    /// <summary>An organ, metric or timepoint the database does not know, named (rather than "no patient has this dose").</summary>
    private static async Task<Problem?> UnknownChoiceAsync(DbConnection c, string from, string? to, string organ, string metric, CancellationToken ct)
    {
        var timepoints = (await c.QueryAsync<string>(new CommandDefinition("SELECT code FROM study_timepoint ORDER BY sort_order", cancellationToken: ct))).AsList();
        var organs = (await c.QueryAsync<string>(new CommandDefinition("SELECT code FROM organ ORDER BY code", cancellationToken: ct))).AsList();
        var metrics = (await c.QueryAsync<string>(new CommandDefinition("SELECT name FROM dose_metric ORDER BY name", cancellationToken: ct))).AsList();
        static Problem Unknown(string field, string what, string value, IEnumerable<string> known) =>
            new($"{field}: no {what} '{value}' (known: {string.Join(", ", known)}).", field);
        return !timepoints.Contains(from) ? Unknown("From", "timepoint", from, timepoints)
            : to is not null && !timepoints.Contains(to) ? Unknown("To", "timepoint", to, timepoints)
            : !organs.Contains(organ) ? Unknown("Organ", "organ", organ, organs)
            : !metrics.Contains(metric) ? Unknown("Metric", "dose metric", metric, metrics)
            : null;
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
    public static string Fingerprint(string doseVersion, IReadOnlyList<long> runs, IReadOnlyList<AnalysisPatient> patients, IReadOnlyList<string> biomarkers, AssociationScanData data)
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
        for (var b = 0; b < data.BiomarkerCount; b++)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.ResponsesOf(b)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Collects the values of every run per timepoint slot, biomarker and patient, biomarker by biomarker like
    /// <see cref="AssociationScanData"/> (the first slot straight into its responses). A patient measured more than once
    /// at a timepoint gets the mean: cells hold sums, and the rare cells with a repeat have their count kept apart.
    /// </summary>
    private sealed class Accumulator
    {
        private readonly int _patients;
        private readonly BelowLod _belowLod;
        private readonly double[] _first;
        private readonly double[]? _second;
        private readonly Dictionary<(int Slot, int Index), int> _repeats = [];

        public Accumulator(AssociationScanData data, int slots, BelowLod belowLod)
        {
            _patients = data.PatientCount;
            _belowLod = belowLod;
            _first = data.AllResponses;
            if (slots == 2)
            {
                _second = new double[_first.Length];
                Array.Fill(_second, double.NaN);
            }
        }

        /// <summary>Adds one run; false when nothing in it belongs to the analysis.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool Add(RunMatrixView m, bool log2, Dictionary<long, int> patientIndex, Dictionary<long, int> analyteIndex, Dictionary<long, int> slotOf)
        {
            // Where each sample goes: its patient's index, or −1 when the patient or the timepoint is not analysed.
            var target = new int[m.Samples];
            var inSecond = new bool[m.Samples];
            var any = false;
            for (var s = 0; s < m.Samples; s++)
            {
                var slot = 0;
                target[s] = patientIndex.TryGetValue(m.PatientIds[s], out var pi) && slotOf.TryGetValue(m.TimepointIds[s], out slot) && (slot == 0 || _second is not null) ? pi : -1;
                inSecond[s] = slot == 1;
                any |= target[s] >= 0;
            }
            if (!any)
            {
                return false;
            }
            var column = new int[m.Analytes];
            for (var a = 0; a < m.Analytes; a++)
            {
                column[a] = analyteIndex.TryGetValue(m.AnalyteIds[a], out var ai) ? ai : -1;
            }
            var used = false;
            for (var a = 0; a < m.Analytes; a++)
            {
                if (column[a] < 0)
                {
                    continue;
                }
                var values = m.Values.Slice(a * m.Samples, m.Samples);
                var offset = column[a] * _patients;
                for (var s = 0; s < values.Length; s++)
                {
                    if (target[s] >= 0 && !double.IsNaN(values[s]))
                    {
                        used |= Put(inSecond[s], offset + target[s], values[s], log2);
                    }
                }
            }
            if (_belowLod != BelowLod.Exclude)
            {
                for (var i = 0; i < m.BelowIndex.Length; i++)
                {
                    var (a, s) = Math.DivRem(m.BelowIndex[i], m.Samples);
                    var v = m.BelowValue[i];
                    if (column[a] < 0 || target[s] < 0 || double.IsNaN(v))
                    {
                        continue;
                    }
                    if (_belowLod == BelowLod.LodOverSqrt2 && !double.IsNaN(m.BelowLod[i]))
                    {
                        v = m.BelowLod[i] / Math.Sqrt(2);
                    }
                    used |= Put(inSecond[s], column[a] * _patients + target[s], v, log2);
                }
            }
            return used;
        }

        /// <summary>Adds one value to its cell (log2 first for concentrations; a non-positive one cannot be): false when dropped.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private bool Put(bool inSecond, int index, double value, bool log2)
        {
            if (log2)
            {
                if (value <= 0)
                {
                    return false;
                }
                value = Math.Log2(value);
            }
            ref var cell = ref (inSecond ? _second! : _first)[index];
            if (double.IsNaN(cell))
            {
                cell = value;
            }
            else
            {
                cell += value;
                Repeat(inSecond ? 1 : 0, index);
            }
            return true;
        }

        private void Repeat(int slot, int index) =>
            _repeats[(slot, index)] = _repeats.TryGetValue((slot, index), out var n) ? n + 1 : 2;

        /// <summary>Turns the sums into the responses: the mean at the timepoint, or the mean at the second minus the mean at the first.</summary>
        public void Finish()
        {
            foreach (var ((slot, index), n) in _repeats)
            {
                (slot == 0 ? _first : _second!)[index] /= n;
            }
            if (_second is { } second)
            {
                var first = _first;
                for (var i = 0; i < first.Length; i++)
                {
                    first[i] = ResponseChange.Between(first[i], second[i]);
                }
            }
        }
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

    private static readonly string[] DataColumns = ["pseudonym", "biomarker", "response", "dose"];

    /// <summary>The long data set: one row per patient and analysed biomarker with a response, dose and every covariate present.</summary>
    public static async Task WriteDataCsvAsync(AnalysisOutcome o, TextWriter w)
    {
        var covariates = o.Request.Covariates.Distinct().OrderBy(x => x switch { "age" => 0, "sex" => 1, _ => 2 }).ToList();
        await w.WriteLineAsync(string.Join(',', DataColumns.Concat(covariates)));
        var analysed = o.Results.Where(r => !double.IsNaN(r.Slope) || !double.IsNaN(r.SpearmanRho)).Select(r => r.Biomarker).ToHashSet(StringComparer.Ordinal);
        // What a patient's lines share, made once: "pseudonym," before and ",dose,covariates" after the response; null when a
        // covariate is missing (the fit dropped that patient).
        var before = o.Patients.Select(p => CsvOutput.Field(p.Pseudonym) + ",").ToArray();
        var after = o.Patients.Select(p =>
        {
            var values = covariates.Select(c => c switch
            {
                "age" => p.Age is { } a ? Number(a) : null,
                "sex" => p.Sex is null ? null : CsvOutput.Field(p.Sex),
                _ => p.Modality is null ? null : CsvOutput.Field(p.Modality),
            }).ToList();
            return values.Any(v => v is null) ? null : "," + string.Join(',', new[] { Number(p.Dose) }.Concat(values!));
        }).ToArray();
        var lines = new StringBuilder();
        for (var b = 0; b < o.BiomarkerCodes.Count; b++)
        {
            if (!analysed.Contains(o.BiomarkerCodes[b]))
            {
                continue;
            }
            var code = CsvOutput.Field(o.BiomarkerCodes[b]);
            lines.Clear();
            for (var p = 0; p < o.Patients.Count; p++)
            {
                var response = o.Response(p, b);
                if (double.IsNaN(response) || after[p] is null)
                {
                    continue;
                }
                lines.Append(before[p]).Append(code).Append(',').Append(Number(response)).Append(after[p]).Append(w.NewLine);
            }
            await w.WriteAsync(lines);
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

    private sealed record TimepointRow
    {
        public long Id { get; init; }
        public string Code { get; init; } = "";
    }

    private sealed record RunRow
    {
        public long Id { get; init; }
        public string ValueKind { get; init; } = "";
        public long Packed { get; init; }
    }
}
