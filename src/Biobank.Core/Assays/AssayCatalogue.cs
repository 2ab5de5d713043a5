using System.Data.Common;
using System.Text.RegularExpressions;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Assays;

public static class ValueKinds
{
    public const string Npx = "npx";
    public const string Concentration = "concentration";
    public const string Ct = "ct";
    public const string Counts = "counts";

    public static readonly IReadOnlyList<string> All = [Npx, Concentration, Ct, Counts];
}

public static class BiomarkerClasses
{
    public const string PlasmaProtein = "plasma_protein";
    public const string SalivaProtein = "saliva_protein";
    public const string Mirna = "mirna";
    public const string IntracellularProtein = "intracellular_protein";

    public static readonly IReadOnlyList<string> All = [PlasmaProtein, SalivaProtein, Mirna, IntracellularProtein];
}

public sealed record PlatformView
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string ValueKind { get; init; } = "";
    public string DefaultUnit { get; init; } = "";
}

public sealed record PanelView
{
    public long Id { get; init; }
    public long PlatformId { get; init; }
    public string PlatformCode { get; init; } = "";
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Version { get; init; }
    public long Analytes { get; init; }
}

public sealed record AnalyteView
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string BiomarkerClass { get; init; } = "";
    public string? Uniprot { get; init; }
    public string? MirbaseName { get; init; }
    public string? Mimat { get; init; }
    public string? Unit { get; init; }
    public long? PanelId { get; init; }
    public string? PanelCode { get; init; }
}

/// <summary>What a new analyte needs; the code is a UniProt accession or a miRBase mature name.</summary>
public sealed record AnalyteInput(string Code, string Name, string BiomarkerClass, string? Unit = null, string? PanelCode = null, string? PlatformCode = null, string? Mimat = null);

/// <summary>Identifiers of analytes: what a UniProt accession and a miRBase mature name look like.</summary>
public static partial class AnalyteCodes
{
    // UniProt's documented accession pattern (6 or 10 characters), an optional isoform suffix, and Olink's
    // "P1_P2" for a complex measured by one assay.
    [GeneratedRegex("^(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})(?:-[0-9]+)?(?:_(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}))*$", RegexOptions.CultureInvariant)]
    private static partial Regex UniprotPattern();

    // Mature miRNA names: species prefix, miR/let/lin family, number with optional letter and paralogue suffix, arm.
    [GeneratedRegex("^[a-z]{3}-(?:miR|let|lin)-[0-9]+[a-z]*(?:-[0-9]+)?(?:-[35]p)?$", RegexOptions.CultureInvariant)]
    private static partial Regex MirnaPattern();

    [GeneratedRegex("^MIMAT[0-9]{7}$", RegexOptions.CultureInvariant)]
    private static partial Regex MimatPattern();

    public static bool IsUniprot(string code) => UniprotPattern().IsMatch(code);

    public static bool IsMirna(string code) => MirnaPattern().IsMatch(code);

    public static bool IsMimat(string code) => MimatPattern().IsMatch(code);

    /// <summary>"protein", "mirna", or null when the code is neither identifier.</summary>
    public static string? KindOf(string code) => IsUniprot(code) ? "protein" : IsMirna(code) ? "mirna" : null;
}

/// <summary>Platforms, panels and analytes: reads for pages and the importer, and adding analytes.</summary>
public sealed class AssayCatalogue(IDb db, IAudit audit, TimeProvider clock)
{
    internal const string SelectPlatforms = """
        SELECT id AS Id, code AS Code, name AS Name, value_kind AS ValueKind, default_unit AS DefaultUnit FROM platform ORDER BY code
        """;

    private const string SelectPanels = """
        SELECT pa.id AS Id, pa.platform_id AS PlatformId, pl.code AS PlatformCode, pa.code AS Code, pa.name AS Name, pa.version AS Version,
               (SELECT COUNT(*) FROM analyte a WHERE a.panel_id = pa.id) AS Analytes
        FROM panel pa JOIN platform pl ON pl.id = pa.platform_id
        ORDER BY pl.code, pa.code
        """;

    internal const string SelectAnalytes = """
        SELECT a.id AS Id, a.code AS Code, a.name AS Name, a.kind AS Kind, a.biomarker_class AS BiomarkerClass, a.uniprot AS Uniprot,
               a.mirbase_name AS MirbaseName, a.mimat AS Mimat, a.unit AS Unit, a.panel_id AS PanelId, pa.code AS PanelCode
        FROM analyte a LEFT JOIN panel pa ON pa.id = a.panel_id
        """;

    private const string FindPanel = "SELECT pa.id FROM panel pa JOIN platform pl ON pl.id = pa.platform_id WHERE pl.code = @Platform AND pa.code = @Panel";

    internal const string InsertAnalyte = """
        INSERT INTO analyte (code, name, kind, biomarker_class, uniprot, mirbase_name, mimat, unit, panel_id, created_utc, created_by)
        VALUES (@Code, @Name, @Kind, @BiomarkerClass, @Uniprot, @MirbaseName, @Mimat, @Unit, @PanelId, @Now, @User)
        RETURNING id
        """;

    public async Task<IReadOnlyList<PlatformView>> PlatformsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<PlatformView>(new CommandDefinition(SelectPlatforms, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<PanelView>> PanelsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<PanelView>(new CommandDefinition(SelectPanels, cancellationToken: ct))).AsList();
    }

    /// <summary>Analytes, optionally of one biomarker class or panel; ordered by class and code.</summary>
    public async Task<IReadOnlyList<AnalyteView>> AnalytesAsync(string? biomarkerClass, long? panelId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AnalyteView>(new CommandDefinition(SelectAnalytes + """
             WHERE (@Class IS NULL OR a.biomarker_class = @Class) AND (@PanelId IS NULL OR a.panel_id = @PanelId)
            ORDER BY a.biomarker_class, a.code
            """, new { Class = biomarkerClass, PanelId = panelId }, cancellationToken: ct))).AsList();
    }

    public async Task<AnalyteView?> AnalyteAsync(string code, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<AnalyteView>(new CommandDefinition(SelectAnalytes + " WHERE a.code = @Code", new { Code = code }, cancellationToken: ct));
    }

    /// <summary>Adds analytes to the catalogue in one transaction; an existing code is refused.</summary>
    public async Task<Result<IReadOnlyList<long>>> AddAnalytesAsync(Caller caller, IReadOnlyList<AnalyteInput> inputs, CancellationToken ct)
    {
        if (!caller.IsAdmin && !caller.IsInRole(Roles.Biologist))
        {
            return new Problem("Only biologists and administrators add analytes.", null, ProblemKind.Forbidden);
        }
        foreach (var input in inputs)
        {
            if (Check(input) is { } bad)
            {
                return Result<IReadOnlyList<long>>.Invalid(bad, "Code");
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var ids = new List<long>();
        foreach (var input in inputs)
        {
            long? panelId = null;
            if (input.PanelCode is { Length: > 0 })
            {
                panelId = await c.ExecuteScalarAsync<long?>(new CommandDefinition(FindPanel, new { Platform = input.PlatformCode ?? "", Panel = input.PanelCode }, tx, cancellationToken: ct));
                if (panelId is null)
                {
                    return Result<IReadOnlyList<long>>.Invalid($"Panel {input.PanelCode} of platform {input.PlatformCode} is not in the catalogue.", "PanelCode");
                }
            }
            try
            {
                ids.Add(await InsertAsync(c, tx, input, panelId, caller.UserName, now, audit, ct));
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                return Result<IReadOnlyList<long>>.Conflict($"Analyte {input.Code} is already in the catalogue.", "Code");
            }
        }
        await tx.CommitAsync(ct);
        return Result<IReadOnlyList<long>>.Success(ids);
    }

    internal static string? Check(AnalyteInput input)
    {
        var kind = AnalyteCodes.KindOf(input.Code);
        if (kind is null)
        {
            return $"'{input.Code}' is neither a UniProt accession (e.g. P16860) nor a miRBase mature name (e.g. hsa-miR-21-5p).";
        }
        if (!BiomarkerClasses.All.Contains(input.BiomarkerClass))
        {
            return $"'{input.BiomarkerClass}' is not a biomarker class ({string.Join(", ", BiomarkerClasses.All)}).";
        }
        if ((kind == "mirna") != (input.BiomarkerClass == BiomarkerClasses.Mirna))
        {
            return $"{input.Code} is a {(kind == "mirna" ? "miRNA" : "protein")} but the class is {input.BiomarkerClass}.";
        }
        if (input.Mimat is { Length: > 0 } m && !AnalyteCodes.IsMimat(m))
        {
            return $"'{m}' is not a MIMAT accession (MIMAT and 7 digits).";
        }
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 200)
        {
            return $"Analyte {input.Code} needs a name of at most 200 characters.";
        }
        return null;
    }

    internal static async Task<long> InsertAsync(DbConnection c, DbTransaction tx, AnalyteInput input, long? panelId, string user, DateTime now, IAudit audit, CancellationToken ct)
    {
        var kind = AnalyteCodes.KindOf(input.Code)!;
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertAnalyte, new
        {
            input.Code,
            Name = input.Name.Trim(),
            Kind = kind,
            input.BiomarkerClass,
            Uniprot = kind == "protein" ? input.Code : null,
            MirbaseName = kind == "mirna" ? input.Code : null,
            input.Mimat,
            input.Unit,
            PanelId = panelId,
            Now = now,
            User = user,
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, user, new AuditEntry(AuditActions.Insert, "analyte", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            New: new { input.Code, input.Name, Kind = kind, input.BiomarkerClass, input.Unit, PanelId = panelId }), ct);
        return id;
    }
}
