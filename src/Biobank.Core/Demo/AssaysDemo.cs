using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Dapper;

namespace Biobank.Core.Demo;

/// <summary>
/// The assay catalogue (proximity-extension NPX, ELISA, miRNA qPCR, small-RNA sequencing; 90 plasma proteins,
/// 40 saliva proteins, 750 miRNAs) and approved runs for the consenting demo patients at BASELINE, EOT and M3:
/// a PLASMA aliquot for plasma proteins (NPX), another PLASMA aliquot for miRNAs (ΔCt) and a SALSUP aliquot for
/// saliva proteins (NPX). One extra NPX run awaits review and one was rejected, for the QC pages.
/// <para>
/// The values are noise except for a synthetic dose effect (dose: the patient's mean organ dose in the demo dose version written by the registry part, order 200; the effect is
/// none at BASELINE, half at EOT, full at M3): NPPB and TNNT2 rise with heart dose (+0.08 NPX per Gy);
/// AMY1A in saliva falls with parotid dose (−0.06 NPX per Gy); hsa-miR-1-3p and hsa-miR-133a-3p rise with heart
/// dose and hsa-miR-34a-5p with brain dose — a rise in expression is a FALL in ΔCt (−0.08 and −0.05 ΔCt per Gy).
/// </para>
/// At more than 500 patients the miRNA runs measure only 150 of the 750 miRNAs (the named ones, the references
/// and the first others), which keeps the full-scale seed near two million result rows instead of six.
/// <see cref="DemoOptions.Mirnas"/> sets how many miRNAs the runs measure (more than 750 extends the catalogue with
/// synthetic names): <c>seed-demo --patients 2300 --mirnas 2600</c> is the association benchmark's data set.
/// </summary>
public sealed class AssaysDemo : IDemoSeedPart
{
    public int Order => 300;

    public const string NpxPlatform = "OLINK-PEA";
    public const string ElisaPlatform = "ELISA";
    public const string QpcrPlatform = "MIR-QPCR";
    public const string SeqPlatform = "SRNA-SEQ";
    public static readonly string[] References = ["hsa-miR-16-5p", "hsa-miR-93-5p"];
    private const int PlateSize = 88;
    private const int FullScaleMirnas = 150;
    private const decimal ConsumedUl = 10m;

    // UniProt accessions of the human proteins (gene names as Olink and ELISA kits name their assays).
    private static readonly (string Accession, string Gene, string Panel)[] PlasmaProteins =
    [
        ("P16860", "NPPB", "CVD"), ("P45379", "TNNT2", "CVD"), ("P01160", "NPPA", "CVD"), ("P19429", "TNNI3", "CVD"), ("P06732", "CKM", "CVD"),
        ("P12277", "CKB", "CVD"), ("P02144", "MB", "CVD"), ("P05413", "FABP3", "CVD"), ("P02741", "CRP", "CVD"), ("P05121", "SERPINE1", "CVD"),
        ("P19320", "VCAM1", "CVD"), ("P05362", "ICAM1", "CVD"), ("P16581", "SELE", "CVD"), ("P16109", "SELP", "CVD"), ("P04275", "VWF", "CVD"),
        ("P05305", "EDN1", "CVD"), ("P12821", "ACE", "CVD"), ("P01019", "AGT", "CVD"), ("P00797", "REN", "CVD"), ("Q99988", "GDF15", "CVD"),
        ("Q01638", "IL1RL1", "CVD"), ("P17931", "LGALS3", "CVD"), ("P08253", "MMP2", "CVD"), ("P14780", "MMP9", "CVD"), ("P01033", "TIMP1", "CVD"),
        ("P16035", "TIMP2", "CVD"), ("P02649", "APOE", "CVD"), ("P02647", "APOA1", "CVD"), ("P04114", "APOB", "CVD"), ("P13726", "F3", "CVD"),
        ("P05231", "IL6", "INF"), ("P01375", "TNF", "INF"), ("P10145", "CXCL8", "INF"), ("P01584", "IL1B", "INF"), ("P22301", "IL10", "INF"),
        ("P01579", "IFNG", "INF"), ("P60568", "IL2", "INF"), ("P05112", "IL4", "INF"), ("P05113", "IL5", "INF"), ("P13500", "CCL2", "INF"),
        ("Q16552", "IL17A", "INF"), ("P29460", "IL12B", "INF"), ("P13232", "IL7", "INF"), ("P40933", "IL15", "INF"), ("Q14116", "IL18", "INF"),
        ("P18510", "IL1RN", "INF"), ("P08887", "IL6R", "INF"), ("P09341", "CXCL1", "INF"), ("P02778", "CXCL10", "INF"), ("P13501", "CCL5", "INF"),
        ("P10147", "CCL3", "INF"), ("P13236", "CCL4", "INF"), ("P51671", "CCL11", "INF"), ("P78556", "CCL20", "INF"), ("P48061", "CXCL12", "INF"),
        ("O14625", "CXCL11", "INF"), ("Q07325", "CXCL9", "INF"), ("P19438", "TNFRSF1A", "INF"), ("P20333", "TNFRSF1B", "INF"), ("P0DJI8", "SAA1", "INF"),
        ("P15692", "VEGFA", "ONC"), ("P01133", "EGF", "ONC"), ("P09038", "FGF2", "ONC"), ("P01137", "TGFB1", "ONC"), ("P14210", "HGF", "ONC"),
        ("P15514", "AREG", "ONC"), ("P49767", "VEGFC", "ONC"), ("P35968", "KDR", "ONC"), ("P17948", "FLT1", "ONC"), ("P49763", "PGF", "ONC"),
        ("P12830", "CDH1", "ONC"), ("P06731", "CEACAM5", "ONC"), ("P08727", "KRT19", "ONC"), ("P07288", "KLK3", "ONC"), ("P04626", "ERBB2", "ONC"),
        ("P00533", "EGFR", "ONC"), ("P08581", "MET", "ONC"), ("P01135", "TGFA", "ONC"), ("P01127", "PDGFB", "ONC"), ("O00300", "TNFRSF11B", "ONC"),
        ("O14788", "TNFSF11", "ONC"), ("P50591", "TNFSF10", "ONC"), ("P48023", "FASLG", "ONC"), ("P25445", "FAS", "ONC"), ("Q15116", "PDCD1", "ONC"),
        ("Q9NZQ7", "CD274", "ONC"), ("P16410", "CTLA4", "ONC"), ("P10451", "SPP1", "ONC"), ("P36222", "CHI3L1", "ONC"), ("P07996", "THBS1", "ONC"),
    ];

    private static readonly (string Accession, string Gene)[] SalivaProteins =
    [
        ("P04745", "AMY1A"), ("P01037", "CST1"), ("P09228", "CST2"), ("P01036", "CST4"), ("P01034", "CST3"), ("P02814", "SMR3B"), ("P02810", "PRH2"),
        ("P04280", "PRB1"), ("P02812", "PRB2"), ("P10163", "PRB4"), ("P15515", "HTN1"), ("P15516", "HTN3"), ("P02808", "STATH"), ("Q96DA0", "ZG16B"),
        ("P12273", "PIP"), ("Q8TAX7", "MUC7"), ("Q9HC84", "MUC5B"), ("P13646", "KRT13"), ("P31151", "S100A7"), ("P05109", "S100A8"),
        ("P06702", "S100A9"), ("P59665", "DEFA1"), ("P03973", "SLPI"), ("P61626", "LYZ"), ("P02788", "LTF"), ("P01876", "IGHA1"), ("P01833", "PIGR"),
        ("P25311", "AZGP1"), ("P23280", "CA6"), ("P80188", "LCN2"), ("P04083", "ANXA1"), ("P07737", "PFN1"), ("P04406", "GAPDH"), ("P68871", "HBB"),
        ("P06733", "ENO1"), ("P14618", "PKM"), ("P00441", "SOD1"), ("P07339", "CTSD"), ("P08246", "ELANE"), ("P05164", "MPO"),
    ];

    // Real miRBase mature names; MIMAT accessions only where we are sure of them.
    private static readonly (string Name, string? Mimat)[] KnownMirnas =
    [
        ("hsa-miR-1-3p", "MIMAT0000416"), ("hsa-miR-133a-3p", "MIMAT0000427"), ("hsa-miR-133b", "MIMAT0000770"), ("hsa-miR-206", "MIMAT0000462"),
        ("hsa-miR-208a-3p", "MIMAT0000241"), ("hsa-miR-208b-3p", null), ("hsa-miR-499a-5p", "MIMAT0002870"), ("hsa-miR-34a-5p", "MIMAT0000255"),
        ("hsa-miR-21-5p", "MIMAT0000076"), ("hsa-miR-16-5p", "MIMAT0000069"), ("hsa-miR-93-5p", "MIMAT0000093"), ("hsa-miR-103a-3p", "MIMAT0000101"),
        ("hsa-miR-191-5p", "MIMAT0000440"), ("hsa-miR-451a", "MIMAT0001631"), ("hsa-miR-223-3p", "MIMAT0000280"), ("hsa-miR-146a-5p", "MIMAT0000449"),
        ("hsa-miR-155-5p", "MIMAT0000646"), ("hsa-miR-122-5p", "MIMAT0000421"), ("hsa-miR-126-3p", "MIMAT0000445"), ("hsa-miR-17-5p", "MIMAT0000070"),
        ("hsa-miR-20a-5p", "MIMAT0000075"), ("hsa-miR-92a-3p", "MIMAT0000092"), ("hsa-miR-145-5p", "MIMAT0000437"), ("hsa-miR-143-3p", "MIMAT0000435"),
        ("hsa-miR-210-3p", "MIMAT0000267"), ("hsa-miR-221-3p", "MIMAT0000278"), ("hsa-miR-222-3p", "MIMAT0000279"), ("hsa-let-7a-5p", "MIMAT0000062"),
        ("hsa-let-7b-5p", null), ("hsa-let-7c-5p", null), ("hsa-let-7d-5p", null), ("hsa-let-7e-5p", null), ("hsa-let-7f-5p", null),
        ("hsa-let-7g-5p", null), ("hsa-let-7i-5p", null), ("hsa-miR-7-5p", null), ("hsa-miR-9-5p", null), ("hsa-miR-10a-5p", null),
        ("hsa-miR-10b-5p", null), ("hsa-miR-15a-5p", null), ("hsa-miR-15b-5p", null), ("hsa-miR-18a-5p", null), ("hsa-miR-19a-3p", null),
        ("hsa-miR-19b-3p", null), ("hsa-miR-22-3p", null), ("hsa-miR-23a-3p", null), ("hsa-miR-23b-3p", null), ("hsa-miR-24-3p", null),
        ("hsa-miR-25-3p", null), ("hsa-miR-26a-5p", null), ("hsa-miR-26b-5p", null), ("hsa-miR-27a-3p", null), ("hsa-miR-27b-3p", null),
        ("hsa-miR-29a-3p", null), ("hsa-miR-29b-3p", null), ("hsa-miR-29c-3p", null), ("hsa-miR-30a-5p", null), ("hsa-miR-30b-5p", null),
        ("hsa-miR-30c-5p", null), ("hsa-miR-30d-5p", null), ("hsa-miR-30e-5p", null), ("hsa-miR-31-5p", null), ("hsa-miR-32-5p", null),
        ("hsa-miR-33a-5p", null), ("hsa-miR-96-5p", null), ("hsa-miR-99a-5p", null), ("hsa-miR-100-5p", null), ("hsa-miR-101-3p", null),
        ("hsa-miR-106a-5p", null), ("hsa-miR-106b-5p", null), ("hsa-miR-107", null), ("hsa-miR-124-3p", null), ("hsa-miR-125a-5p", null),
        ("hsa-miR-125b-5p", null), ("hsa-miR-126-5p", null), ("hsa-miR-128-3p", null), ("hsa-miR-130a-3p", null), ("hsa-miR-132-3p", null),
        ("hsa-miR-134-5p", null), ("hsa-miR-139-5p", null), ("hsa-miR-140-5p", null), ("hsa-miR-142-3p", null), ("hsa-miR-144-3p", null),
        ("hsa-miR-150-5p", null), ("hsa-miR-181a-5p", null), ("hsa-miR-182-5p", null), ("hsa-miR-183-5p", null), ("hsa-miR-185-5p", null),
        ("hsa-miR-192-5p", null), ("hsa-miR-195-5p", null), ("hsa-miR-199a-3p", null), ("hsa-miR-200a-3p", null), ("hsa-miR-200b-3p", null),
        ("hsa-miR-200c-3p", null), ("hsa-miR-203a-3p", null), ("hsa-miR-205-5p", null), ("hsa-miR-214-3p", null), ("hsa-miR-320a-3p", null),
        ("hsa-miR-342-3p", null), ("hsa-miR-375-3p", null), ("hsa-miR-423-5p", null), ("hsa-miR-486-5p", null), ("hsa-miR-574-3p", null),
        ("hsa-miR-652-3p", null),
    ];

    public const int MirnaCount = 750;

    /// <summary>
    /// The demo's 750 miRNAs: the real ones above, then SYNTHETIC names hsa-miR-20001-5p, hsa-miR-20001-3p, … —
    /// miRBase numbers stop far below 20000, so these can never be mistaken for (or collide with) real miRNAs.
    /// </summary>
    public static IReadOnlyList<(string Name, string? Mimat)> Mirnas(int count = MirnaCount)
    {
        var list = KnownMirnas.ToList();
        for (var n = 20001; list.Count < count; n++)
        {
            list.Add(($"hsa-miR-{n}-5p", null));
            if (list.Count < count)
            {
                list.Add(($"hsa-miR-{n}-3p", null));
            }
        }
        return list;
    }

    private sealed record Candidate
    {
        public long TubeId { get; init; }
        public string Pseudonym { get; init; } = "";
        public string Timepoint { get; init; } = "";
        public string SampleType { get; init; } = "";
        public long SiteId { get; init; }
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public decimal RemainingUl { get; init; }
        public DateTime CollectedUtc { get; init; }
        public double HeartGy { get; init; }
        public double ParotidGy { get; init; }
        public double BrainGy { get; init; }
    }

    private const string Candidates = """
        SELECT t.id AS TubeId, p.pseudonym AS Pseudonym, tp.code AS Timepoint, st.code AS SampleType, t.site_id AS SiteId,
               t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol, t.remaining_ul AS RemainingUl, col.collected_utc AS CollectedUtc,
               COALESCE(dh.value_gy, 0) AS HeartGy, COALESCE(dp.value_gy, 0) AS ParotidGy, COALESCE(db.value_gy, 0) AS BrainGy
        FROM tube t
        JOIN patient p ON p.id = t.patient_id
        LEFT JOIN organ_dose dh ON dh.patient_id = p.id AND dh.organ = 'heart' AND dh.metric = 'mean' AND dh.version_id = (SELECT MAX(id) FROM dose_version)
        LEFT JOIN organ_dose dp ON dp.patient_id = p.id AND dp.organ = 'parotid_glands' AND dp.metric = 'mean' AND dp.version_id = (SELECT MAX(id) FROM dose_version)
        LEFT JOIN organ_dose db ON db.patient_id = p.id AND db.organ = 'brain' AND db.metric = 'mean' AND db.version_id = (SELECT MAX(id) FROM dose_version)
        JOIN collection col ON col.id = t.collection_id
        JOIN study_timepoint tp ON tp.id = col.timepoint_id
        JOIN sample_type st ON st.id = t.sample_type_id
        WHERE t.kind = 'aliquot' AND t.status = 'in_storage' AND p.consent_status = 'given'
          AND st.code IN ('PLASMA', 'SALSUP') AND tp.code IN ('BASELINE', 'EOT', 'M3')
        ORDER BY p.pseudonym, tp.sort_order, st.code, t.id
        """;

    private static readonly BulkColumn[] ResultColumns =
    [
        new("run_id", BulkType.BigInt), new("tube_id", BulkType.BigInt), new("analyte_id", BulkType.BigInt), new("value", BulkType.Real),
        new("lod", BulkType.Real), new("below_lod", BulkType.Boolean), new("qc_warning", BulkType.Boolean), new("raw_value", BulkType.Real),
    ];

    public async Task SeedAsync(DemoContext context, CancellationToken ct)
    {
        var ctx = context;
        var c = ctx.Connection;
        var tx = ctx.Transaction;
        var now = ctx.Now;
        var rnd = new Random(ctx.Options.Seed + 300);

        var platforms = new Dictionary<string, long>();
        foreach (var (code, name, kind, unit) in new[]
        {
            (NpxPlatform, "Proximity extension assay (Olink-like, NPX)", ValueKinds.Npx, "NPX"),
            (ElisaPlatform, "ELISA and multiplex immunoassays", ValueKinds.Concentration, "pg/mL"),
            (QpcrPlatform, "miRNA RT-qPCR (ΔCt against reference miRNAs)", ValueKinds.Ct, "ΔCt"),
            (SeqPlatform, "Small-RNA sequencing (read counts)", ValueKinds.Counts, "reads"),
        })
        {
            platforms[code] = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO platform (code, name, value_kind, default_unit, created_utc) VALUES (@Code, @Name, @Kind, @Unit, @Now) RETURNING id",
                new { Code = code, Name = name, Kind = kind, Unit = unit, Now = now }, tx, cancellationToken: ct));
        }
        var panels = new Dictionary<string, long>();
        foreach (var (platform, code, name, version) in new[]
        {
            (NpxPlatform, "CVD", "Target 96 Cardiovascular", "v.5001"),
            (NpxPlatform, "INF", "Target 96 Inflammation", "v.3022"),
            (NpxPlatform, "ONC", "Target 96 Oncology", "v.7001"),
            (NpxPlatform, "SAL", "Saliva proteins", "v.1"),
            (QpcrPlatform, "MIRNOME", $"miRNome panel ({Math.Max(MirnaCount, ctx.Options.Mirnas ?? 0)} assays)", "v.2"),
        })
        {
            panels[code] = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO panel (platform_id, code, name, version) VALUES (@P, @Code, @Name, @Version) RETURNING id",
                new { P = platforms[platform], Code = code, Name = name, Version = version }, tx, cancellationToken: ct));
        }

        var plasma = new List<(long Id, string Code)>();
        var saliva = new List<(long Id, string Code)>();
        var mirnas = new List<(long Id, string Code)>();
        using (var insert = new BulkCommand(c, tx, """
            INSERT INTO analyte (code, name, kind, biomarker_class, uniprot, mirbase_name, mimat, unit, panel_id, created_utc, created_by)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, 'seed-demo') RETURNING id
            """, "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"))
        {
            foreach (var (acc, gene, panel) in PlasmaProteins)
            {
                plasma.Add((await insert.ScalarAsync(ct, acc, gene, "protein", BiomarkerClasses.PlasmaProtein, acc, null, null, "pg/mL", panels[panel], now), acc));
            }
            foreach (var (acc, gene) in SalivaProteins)
            {
                saliva.Add((await insert.ScalarAsync(ct, acc, gene, "protein", BiomarkerClasses.SalivaProtein, acc, null, null, "pg/mL", panels["SAL"], now), acc));
            }
            foreach (var (name, mimat) in Mirnas(Math.Max(MirnaCount, ctx.Options.Mirnas ?? 0)))
            {
                mirnas.Add((await insert.ScalarAsync(ct, name, name, "mirna", BiomarkerClasses.Mirna, null, name, mimat, null, panels["MIRNOME"], now), name));
            }
        }
        ctx.Counts["platform"] = platforms.Count;
        ctx.Counts["panel"] = panels.Count;
        ctx.Counts["analyte"] = plasma.Count + saliva.Count + mirnas.Count;

        // Which aliquot of a visit each measurement uses: PLASMA #1 proteins, #2 miRNA, #3 the repeat run, #4 the failed run.
        var byVisit = (await c.QueryAsync<Candidate>(new CommandDefinition(Candidates, transaction: tx, cancellationToken: ct)))
            .GroupBy(x => (x.Pseudonym, x.Timepoint, x.SampleType))
            .ToDictionary(g => g.Key, g => g.ToList());
        var visits = byVisit.Keys.Select(k => (k.Pseudonym, k.Timepoint)).Distinct().ToList();
        List<Candidate> Pick(string type, int nth) => visits
            .Select(v => byVisit.TryGetValue((v.Pseudonym, v.Timepoint, type), out var l) && l.Count > nth ? l[nth] : null)
            .Where(x => x is not null).Select(x => x!).ToList();

        var mirnaSet = ctx.Options.Mirnas is { } measured ? Subsample(mirnas, measured)
            : ctx.Options.Patients > 500 ? Subsample(mirnas, FullScaleMirnas) : mirnas;
        var runs = new Runs(ctx, platforms, rnd);
        await runs.ProteinRunsAsync("OLINK-PL", Pick("PLASMA", 0), plasma, "approved", ct);
        await runs.ProteinRunsAsync("OLINK-SA", Pick("SALSUP", 0), saliva, "approved", ct);
        await runs.MirnaRunsAsync("MIRQ", Pick("PLASMA", 1), mirnaSet, ct);
        await runs.ProteinRunsAsync("OLINK-PL-REPEAT", Pick("PLASMA", 2).Take(12).ToList(), plasma, "imported", ct);
        await runs.ProteinRunsAsync("OLINK-PL-FAILED", Pick("PLASMA", 3).Take(12).ToList(), plasma, "rejected", ct);
        await runs.FinishAsync(ct);
    }

    private static List<(long Id, string Code)> Subsample(List<(long Id, string Code)> all, int count)
    {
        string[] keep = ["hsa-miR-1-3p", "hsa-miR-133a-3p", "hsa-miR-34a-5p", .. References];
        var chosen = all.Where(m => keep.Contains(m.Code)).ToList();
        chosen.AddRange(all.Where(m => !keep.Contains(m.Code)).Take(Math.Max(0, count - chosen.Count)));
        return chosen;
    }

    /// <summary>Writes runs plate by plate; one instance keeps the counters and the prepared commands.</summary>
    private sealed class Runs(DemoContext ctx, Dictionary<string, long> platforms, Random rnd)
    {
        private readonly Dictionary<string, double> _base = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), double> _patient = [];
        private long _results;
        private long _runs;
        private long _aliquots;
        private long _controls;
        private BulkCommand? _consume;
        private BulkCommand? _custody;

        private static double Effect(string timepoint) => timepoint switch { "EOT" => 0.5, "M3" => 1.0, _ => 0.0 };

        private double Gauss(double sd)
        {
            var u1 = 1.0 - rnd.NextDouble();
            var u2 = rnd.NextDouble();
            return sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        private double Base(string analyte, double low, double high)
        {
            if (!_base.TryGetValue(analyte, out var b))
            {
                _base[analyte] = b = low + (high - low) * rnd.NextDouble();
            }
            return b;
        }

        private double PatientLevel(string pseudonym, string analyte, double sd)
        {
            if (!_patient.TryGetValue((pseudonym, analyte), out var p))
            {
                _patient[(pseudonym, analyte)] = p = Gauss(sd);
            }
            return p;
        }

        public async Task ProteinRunsAsync(string prefix, List<Candidate> samples, List<(long Id, string Code)> analytes, string status, CancellationToken ct)
        {
            var plate = 0;
            foreach (var chunk in samples.Chunk(PlateSize))
            {
                plate++;
                var code = $"{prefix}-{plate:D3}";
                var runId = await RunAsync(code, NpxPlatform, status, chunk, ct);
                await using var bulk = await ctx.Dialect.BeginBulkInsertAsync(ctx.Connection, ctx.Transaction, "assay_result", ResultColumns, ct);
                foreach (var s in chunk)
                {
                    var flagged = rnd.NextDouble() < 0.02;
                    foreach (var (id, acc) in analytes)
                    {
                        var b = Base(acc, 2.5, 10.0);
                        var value = b + PatientLevel(s.Pseudonym, acc, 0.5) + Gauss(0.35);
                        var f = Effect(s.Timepoint);
                        value += acc switch
                        {
                            "P16860" or "P45379" => 0.08 * s.HeartGy * f,   // NPPB, TNNT2
                            "P04745" => -0.06 * s.ParotidGy * f,            // AMY1A
                            _ => 0,
                        };
                        if (status == "rejected")
                        {
                            value += 1.5 + Gauss(1.0);   // a failed plate: shifted and noisy
                        }
                        var lod = b - 2.2;
                        Row(bulk, runId, s.TubeId, id, Math.Round(value, 4), Math.Round(lod, 4), value < lod, flagged || status == "rejected", null);
                    }
                }
                await bulk.CompleteAsync(ct);
                await RunMatrix.RebuildAsync(ctx.Connection, ctx.Transaction, runId, ctx.Now, ct);
                await ControlsAsync(runId, analytes, status, ct);
            }
        }

        public async Task MirnaRunsAsync(string prefix, List<Candidate> samples, List<(long Id, string Code)> mirnas, CancellationToken ct)
        {
            var plate = 0;
            foreach (var chunk in samples.Chunk(PlateSize))
            {
                plate++;
                var runId = await RunAsync($"{prefix}-{plate:D3}", QpcrPlatform, "approved", chunk, ct);
                await using var bulk = await ctx.Dialect.BeginBulkInsertAsync(ctx.Connection, ctx.Transaction, "assay_result", ResultColumns, ct);
                foreach (var s in chunk)
                {
                    // Reference Cts first: the stored value is Ct minus their mean, as the importer computes it.
                    var ref16 = 20 + Gauss(0.8);
                    var ref93 = ref16 + 1.5 + Gauss(0.3);
                    var refMean = (ref16 + ref93) / 2;
                    foreach (var (id, name) in mirnas)
                    {
                        double ctValue;
                        if (name == References[0])
                        {
                            ctValue = ref16;
                        }
                        else if (name == References[1])
                        {
                            ctValue = ref93;
                        }
                        else
                        {
                            var f = Effect(s.Timepoint);
                            var (level, effect) = name switch
                            {
                                // Mid-range levels for the named miRNAs, so none is lost as undetermined (Ct > 37).
                                "hsa-miR-1-3p" or "hsa-miR-133a-3p" => (6.0, -0.08 * s.HeartGy * f),
                                "hsa-miR-34a-5p" => (7.0, -0.05 * s.BrainGy * f),
                                _ => (Base(name, 1.0, 14.0), 0.0),
                            };
                            var delta = level + PatientLevel(s.Pseudonym, name, 0.4) + Gauss(0.3) + effect;
                            ctValue = delta + refMean;
                        }
                        ctValue = Math.Round(ctValue, 3);
                        if (ctValue > 37)
                        {
                            Row(bulk, runId, s.TubeId, id, null, null, true, false, null);   // undetermined
                        }
                        else
                        {
                            Row(bulk, runId, s.TubeId, id, Math.Round(ctValue - refMean, 4), null, false, false, ctValue);
                        }
                    }
                }
                await bulk.CompleteAsync(ct);
                await RunMatrix.RebuildAsync(ctx.Connection, ctx.Transaction, runId, ctx.Now, ct);
            }
        }

        private void Row(IBulkInsert bulk, long run, long tube, long analyte, double? value, double? lod, bool below, bool qc, double? raw)
        {
            bulk.StartRow();
            bulk.Write(run);
            bulk.Write(tube);
            bulk.Write(analyte);
            Nullable(bulk, value);
            Nullable(bulk, lod);
            bulk.Write(below);
            bulk.Write(qc);
            Nullable(bulk, raw);
            bulk.EndRow();
            _results++;
        }

        private static void Nullable(IBulkInsert bulk, double? v)
        {
            if (v is { } x)
            {
                bulk.Write(x);
            }
            else
            {
                bulk.WriteNull();
            }
        }

        private async Task ControlsAsync(long runId, List<(long Id, string Code)> analytes, string status, CancellationToken ct)
        {
            using var insert = new BulkCommand(ctx.Connection, ctx.Transaction,
                "INSERT INTO assay_control (run_id, sample_id, analyte_id, value, plate_id, qc_warning) VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
                "p0", "p1", "p2", "p3", "p4", "p5");
            foreach (var sample in new[] { "IPC-1", "IPC-2", "NC-1" })
            {
                foreach (var (id, acc) in analytes)
                {
                    var value = sample.StartsWith("NC", StringComparison.Ordinal) ? Base(acc, 2.5, 10.0) - 3 + Gauss(0.3) : Base(acc, 2.5, 10.0) + Gauss(status == "rejected" ? 1.2 : 0.2);
                    await insert.ExecuteAsync(ct, runId, sample, id, Math.Round(value, 4), "PLATE-1", status == "rejected");
                    _controls++;
                }
            }
        }

        private async Task<long> RunAsync(string code, string platform, string status, Candidate[] samples, CancellationToken ct)
        {
            var c = ctx.Connection;
            var tx = ctx.Transaction;
            var runDate = samples.Max(s => s.CollectedUtc).AddDays(14);
            if (runDate > ctx.Now)
            {
                runDate = ctx.Now.AddDays(-1);
            }
            var imported = runDate.AddDays(2) > ctx.Now ? ctx.Now : runDate.AddDays(2);
            var note = status switch
            {
                "approved" => "Plate controls within range; distributions as expected.",
                "rejected" => "Rejected: inter-plate controls out of range (plate shifted by about 1.5 NPX). Samples to be re-run.",
                _ => null,
            };
            var runId = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO assay_run (run_code, platform_id, run_date, operator, lab_site_id, status, result_rows, control_rows, aliquots, created_utc, created_by, review_note, reviewed_utc, reviewed_by)
                VALUES (@Code, @Platform, @RunDate, 'bio.upp', @Lab, @Status, 0, 0, @Aliquots, @Imported, 'bio.upp', @Note, @Reviewed, @Reviewer)
                RETURNING id
                """, new
            {
                Code = code,
                Platform = platforms[platform],
                RunDate = runDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Lab = ctx.SiteIds["UPP"],
                Status = status,
                Aliquots = samples.Length,
                Imported = imported,
                Note = note,
                Reviewed = status == "imported" ? (DateTime?)null : imported.AddHours(20),
                Reviewer = status == "imported" ? null : "biologist",
            }, tx, cancellationToken: ct));
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("biobank-demo-file:" + code)));
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO assay_file (run_id, file_name, sha256, format, size_bytes, rows_read, result_rows, control_rows, options_json, import_job_id, imported_utc, imported_by)
                VALUES (@Run, @Name, @Sha, @Format, 0, 0, 0, 0, NULL, NULL, @Imported, 'bio.upp')
                """, new { Run = runId, Name = $"{code}.csv", Sha = sha, Format = platform == QpcrPlatform ? "qpcr" : "npx", Imported = imported }, tx, cancellationToken: ct));
            _consume ??= new BulkCommand(c, tx, "UPDATE tube SET remaining_ul = remaining_ul - @p1, updated_utc = @p2 WHERE id = @p0", "p0", "p1", "p2");
            _custody ??= new BulkCommand(c, tx, """
                INSERT INTO custody_event (tube_id, event, occurred_utc, user_name, site_id, from_box_id, from_row, from_col, to_box_id, to_row, to_col, status_after, details)
                VALUES (@p0, 'consumed', @p1, 'bio.upp', @p2, @p3, @p4, @p5, @p3, @p4, @p5, 'in_storage', @p6)
                """, "p0", "p1", "p2", "p3", "p4", "p5", "p6");
            using var runAliquot = new BulkCommand(c, tx, "INSERT INTO assay_run_aliquot (run_id, tube_id, plate_id, consumed_ul) VALUES (@p0, @p1, 'PLATE-1', @p2)", "p0", "p1", "p2");
            foreach (var s in samples)
            {
                await runAliquot.ExecuteAsync(ct, runId, s.TubeId, ConsumedUl);
                await _consume.ExecuteAsync(ct, s.TubeId, ConsumedUl, imported);
                await _custody.ExecuteAsync(ct, s.TubeId, imported, s.SiteId, s.BoxId, s.PosRow, s.PosCol, $"{ConsumedUl:0} µL used by assay run {code}");
            }
            _runs++;
            _aliquots += samples.Length;
            return runId;
        }

        public async Task FinishAsync(CancellationToken ct)
        {
            // Row counts per run from what was written, in one statement per table.
            await ctx.Connection.ExecuteAsync(new CommandDefinition("""
                UPDATE assay_run SET result_rows = (SELECT COUNT(*) FROM assay_result r WHERE r.run_id = assay_run.id),
                                     control_rows = (SELECT COUNT(*) FROM assay_control k WHERE k.run_id = assay_run.id)
                """, transaction: ctx.Transaction, cancellationToken: ct, commandTimeout: 600));
            await ctx.Connection.ExecuteAsync(new CommandDefinition("""
                UPDATE assay_file SET result_rows = (SELECT r.result_rows FROM assay_run r WHERE r.id = assay_file.run_id),
                                      control_rows = (SELECT r.control_rows FROM assay_run r WHERE r.id = assay_file.run_id),
                                      rows_read = (SELECT r.result_rows + r.control_rows FROM assay_run r WHERE r.id = assay_file.run_id)
                """, transaction: ctx.Transaction, cancellationToken: ct));
            _consume?.Dispose();
            _custody?.Dispose();
            ctx.Counts["assay_run"] = _runs;
            ctx.Counts["assay_file"] = _runs; // one file per demo run
            ctx.Counts["assay_run_aliquot"] = _aliquots;
            ctx.Counts["assay_result"] = _results;
            ctx.Counts["assay_control"] = _controls;
        }
    }
}
