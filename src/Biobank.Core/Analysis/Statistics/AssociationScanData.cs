namespace Biobank.Core.Analysis.Statistics;

/// <summary>
/// The input of <see cref="AssociationScan"/>: one response per patient and biomarker, one dose per
/// patient and the covariates per patient, every cell NaN (missing) until set.
/// </summary>
/// <remarks>
/// Laid out so a streaming read (QueryUnbufferedAsync over result rows) writes each value straight
/// into its cell, in any row order, with no intermediate list. Responses are stored biomarker-major
/// (one contiguous block of <see cref="PatientCount"/> values per biomarker) because the scan reads
/// them one biomarker at a time; covariates are stored one contiguous column per covariate.
/// 2,600 biomarkers × 2,300 patients take 48 MB.
/// </remarks>
public sealed class AssociationScanData
{
    private readonly double[] _responses;
    private readonly double[] _dose;
    private readonly double[] _covariates;

    public AssociationScanData(int patientCount, int biomarkerCount, int covariateCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patientCount);
        ArgumentOutOfRangeException.ThrowIfNegative(biomarkerCount);
        ArgumentOutOfRangeException.ThrowIfNegative(covariateCount);
        PatientCount = patientCount;
        BiomarkerCount = biomarkerCount;
        CovariateCount = covariateCount;
        _responses = new double[checked(patientCount * biomarkerCount)];
        _dose = new double[patientCount];
        _covariates = new double[checked(patientCount * covariateCount)];
        Array.Fill(_responses, double.NaN);
        Array.Fill(_dose, double.NaN);
        Array.Fill(_covariates, double.NaN);
    }

    public int PatientCount { get; }

    public int BiomarkerCount { get; }

    public int CovariateCount { get; }

    /// <summary>The response of one patient for one biomarker (NaN = missing).</summary>
    public double this[int patient, int biomarker]
    {
        get => _responses[ResponseIndex(patient, biomarker)];
        set => _responses[ResponseIndex(patient, biomarker)] = value;
    }

    /// <summary>Every response, biomarker by biomarker: patient p of biomarker b is at b × PatientCount + p.</summary>
    internal double[] AllResponses => _responses;

    /// <summary>All patients' responses for one biomarker, indexed by patient.</summary>
    public Span<double> ResponsesOf(int biomarker)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(biomarker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(biomarker, BiomarkerCount);
        return _responses.AsSpan(biomarker * PatientCount, PatientCount);
    }

    /// <summary>The dose per patient (NaN = unknown, which leaves the patient out of every fit).</summary>
    public Span<double> Dose => _dose;

    /// <summary>One covariate for all patients, indexed by patient (NaN leaves the patient out).</summary>
    public Span<double> CovariateOf(int covariate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(covariate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(covariate, CovariateCount);
        return _covariates.AsSpan(covariate * PatientCount, PatientCount);
    }

    public void SetCovariate(int patient, int covariate, double value) => CovariateOf(covariate)[patient] = value;

    private int ResponseIndex(int patient, int biomarker)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patient);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(patient, PatientCount);
        ArgumentOutOfRangeException.ThrowIfNegative(biomarker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(biomarker, BiomarkerCount);
        return biomarker * PatientCount + patient;
    }
}
