namespace Biobank.Core.Demo;

/// <summary>
/// One dose effect planted in the demo assay results, so that a biomarker–dose analysis of the demo data has
/// something true to find among many null biomarkers.
/// </summary>
/// <param name="Analyte">Gene symbol of a protein or miRBase name of a miRNA, as the assay import names it.</param>
/// <param name="Identifier">UniProt accession (proteins) or miRBase mature accession (miRNA).</param>
/// <param name="Class">"plasma protein", "saliva protein" or "miRNA".</param>
/// <param name="SampleType">The aliquot type measured: plasma, saliva supernatant, RNA.</param>
/// <param name="Organ">Organ code of the dose the effect follows (organ table).</param>
/// <param name="Metric">Dose metric (dose_metric table), always the mean here.</param>
/// <param name="FromTimepoint">Timepoint code of the reference sample (the protocol's study_timepoint.code).</param>
/// <param name="ToTimepoint">Timepoint code of the later sample.</param>
/// <param name="EffectPerGy">Change of the log2-scale value (NPX for proximity extension, log2 expression for miRNA) from
/// <paramref name="FromTimepoint"/> to <paramref name="ToTimepoint"/> per Gy of the organ dose in the demo dose version.</param>
/// <param name="Rationale">Why this biomarker and organ (the biology the demo imitates).</param>
public sealed record SyntheticEffect(
    string Analyte,
    string Identifier,
    string Class,
    string SampleType,
    string Organ,
    string Metric,
    string FromTimepoint,
    string ToTimepoint,
    double EffectPerGy,
    string Rationale);

/// <summary>
/// The synthetic dose effects of the demo data, the answer key of the demo analysis.
/// <para>
/// The model the assay demo data applies, per patient and analyte: value(to) = value(from) + EffectPerGy × dose + noise,
/// where dose is the patient's <c>Organ</c>/<c>Metric</c> value in dose version <see cref="DoseVersionLabel"/> and noise is
/// the analyte's ordinary visit-to-visit variation. Every analyte not listed here has no dose effect (a true null).
/// The timepoint codes are those of the demo protocol: BASELINE (before the first fraction), EOT (end of
/// radiotherapy), M3 and M12 (3 and 12 months after).
/// </para>
/// <para>
/// Sizes are chosen so that the effects stand out at full scale (2,300 patients) and the strongest ones (heart and
/// parotid) are visible in the default 40-patient demo, where doses span 0 to 30 Gy and more.
/// </para>
/// </summary>
public static class SyntheticEffects
{
    public const string DoseVersionLabel = RegistryDemoData.VersionLabel;

    public const string Baseline = "BASELINE";
    public const string EndOfRt = "EOT";
    public const string Month3 = "M3";
    public const string Month12 = "M12";

    public static readonly IReadOnlyList<SyntheticEffect> All =
    [
        new("NPPB", "P16860", "plasma protein", "plasma", "heart", "mean", Baseline, Month3, 0.050,
            "NT-proBNP rises with cardiac wall stress: the early marker of radiation-induced cardiac dysfunction."),
        new("TNNT2", "P45379", "plasma protein", "plasma", "heart", "mean", Baseline, EndOfRt, 0.040,
            "Cardiac troponin T is released by injured cardiomyocytes during and right after mediastinal irradiation."),
        new("AMY1A", "P0DUB6", "saliva protein", "saliva", "parotid_glands", "mean", Baseline, Month3, -0.045,
            "Salivary amylase falls as irradiated parotid acinar cells are lost (xerostomia)."),
        new("TG", "P01266", "plasma protein", "plasma", "thyroid", "mean", Baseline, Month12, 0.030,
            "Thyroglobulin leaks from irradiated thyroid follicles, ahead of hypothyroidism."),
        new("GFAP", "P14136", "plasma protein", "plasma", "brain", "mean", Baseline, EndOfRt, 0.020,
            "Glial fibrillary acidic protein reaches the blood after astrocyte injury."),
        new("hsa-miR-1-3p", "MIMAT0000416", "miRNA", "RNA", "heart", "mean", Baseline, EndOfRt, 0.060,
            "A cardiomyocyte-enriched miRNA released into the circulation after cardiac injury."),
        new("hsa-miR-133a-3p", "MIMAT0000427", "miRNA", "RNA", "heart", "mean", Baseline, EndOfRt, 0.050,
            "Muscle-specific miRNA that rises with myocardial damage, alongside miR-1."),
        new("hsa-miR-34a-5p", "MIMAT0000255", "miRNA", "RNA", "brain", "mean", Baseline, Month3, 0.030,
            "p53-induced miRNA of the DNA-damage response, raised after cranial irradiation."),
    ];
}
