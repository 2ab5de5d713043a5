using System.Globalization;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Labels.Templates;
using Dapper;

namespace Biobank.Core.Labels;

/// <summary>What a print job labels: chosen aliquots, a box (its own label or its tubes), or a sample's aliquots.</summary>
public static class LabelSources
{
    public const string Aliquots = "aliquots";
    public const string Box = "box";
    public const string BoxTubes = "box-tubes";
    public const string Sample = "sample";

    public static readonly IReadOnlyList<string> All = [Aliquots, Box, BoxTubes, Sample];

    /// <summary>The template a source prints with unless another is chosen.</summary>
    public static string DefaultTemplate(string? source) => source == Box ? "box" : "cryovial-2d";
}

/// <summary>What to label, as the form has it: a source and the codes it needs (aliquots one per line).</summary>
public sealed record LabelSelection(string? Source, string? Barcodes = null, string? BoxBarcode = null, string? SampleBarcode = null);

/// <summary>One label: the template fields, and the tube or box it is for (the audit trail records each).</summary>
public sealed record LabelRow(string Table, long Id, long SiteId, string Barcode, IReadOnlyDictionary<string, string> Fields);

/// <summary>The labels of one print job, in print order.</summary>
public sealed record LabelSet(string Description, IReadOnlyList<LabelRow> Labels)
{
    public IEnumerable<IReadOnlyDictionary<string, string>> Rows => Labels.Select(l => l.Fields);

    /// <summary>The fields every row carries (the same for all rows of a set).</summary>
    public IReadOnlyCollection<string> FieldNames => Labels.Count == 0 ? [] : [.. Labels[0].Fields.Keys];

    /// <summary>A label the renderer refused, named by its tube or box.</summary>
    public Problem Unprintable(LabelDataException e)
    {
        var what = e.LabelNumber >= 1 && e.LabelNumber <= Labels.Count ? $" ({Labels[e.LabelNumber - 1].Table} {Labels[e.LabelNumber - 1].Barcode})" : "";
        return new Problem($"{e.Message}{what} Nothing was printed.", "Template");
    }
}

/// <summary>
/// Builds label data — rows of template fields named as in <c>labels/*.json</c> — from tubes and boxes
/// the caller's site holds. A code the site does not hold is "not known here", whether it exists
/// elsewhere or not, so a label never reveals another site's material.
/// </summary>
public sealed class LabelData(IDb db, TubeQueries tubes, StorageSetup storage, TimeProvider clock)
{
    public const int MaxLabels = 5000;

    private const int Chunk = 500;

    private readonly string _byBarcodes = TubeQueries.Select + $" WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND {db.Dialect.InList("t.barcode", "@Barcodes")}";

    /// <summary>Fields of a tube label (cryovial-2d, sheet-a4-cryovial, tube-code128 and more).</summary>
    public static IReadOnlyDictionary<string, string> TubeFields(TubeView t) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["barcode"] = t.Barcode,
        ["pseudonym"] = t.Pseudonym,
        ["sample_type"] = t.SampleType,
        ["sample_type_code"] = t.SampleTypeCode,
        ["timepoint"] = t.Timepoint,
        ["timepoint_code"] = t.TimepointCode,
        ["date"] = Date(t.CollectedUtc ?? t.CreatedUtc),
        ["volume"] = t.VolumeUl > 0 ? $"{t.VolumeUl.ToString("0.#", CultureInfo.InvariantCulture)} µl" : "",
        ["site"] = t.SiteCode,
        ["kind"] = t.Kind,
        ["parent"] = t.ParentBarcode ?? "",
        ["box"] = t.BoxBarcode ?? "",
        ["box_name"] = t.BoxName ?? "",
        ["position"] = t.Position ?? "",
        ["location"] = t.Location,
        ["sprec"] = t.Sprec ?? "",
    };

    /// <summary>Fields of a box label (the <c>box</c> template): contents summarised by sample type.</summary>
    public static IReadOnlyDictionary<string, string> BoxFields(BoxRow box, IReadOnlyList<TubeView> contents, DateOnly today) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["barcode"] = box.Barcode,
        ["box_name"] = box.Name,
        ["contents"] = Contents(contents),
        ["location"] = box.Location,
        ["date"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["site"] = box.SiteCode,
        ["size"] = $"{box.Rows} × {box.Cols}",
    };

    /// <summary>The labels of a selection, each source by its own rules below.</summary>
    public Task<Result<LabelSet>> ForAsync(Caller caller, LabelSelection what, CancellationToken ct) => what.Source switch
    {
        LabelSources.Aliquots => AliquotsAsync(caller, (what.Barcodes ?? "").Split('\n'), ct),
        LabelSources.Box => BoxAsync(caller, what.BoxBarcode, itsTubes: false, ct),
        LabelSources.BoxTubes => BoxAsync(caller, what.BoxBarcode, itsTubes: true, ct),
        LabelSources.Sample => SampleAsync(caller, what.SampleBarcode, ct),
        _ => Task.FromResult(Result<LabelSet>.Invalid("Choose what to print.", "Source")),
    };

    public async Task<Result<LabelSet>> AliquotsAsync(Caller caller, IEnumerable<string?> scanned, CancellationToken ct)
    {
        var codes = scanned.Select(Barcodes.Normalize).Where(c => c.Length > 0).Select(Barcodes.Canonical).ToList();
        if (codes.Count == 0)
        {
            return Result<LabelSet>.Invalid("Scan or type at least one tube barcode, one per line.", "Barcodes");
        }
        if (codes.Count > MaxLabels)
        {
            return Result<LabelSet>.Invalid($"At most {MaxLabels:N0} labels at once; this list has {codes.Count:N0}.", "Barcodes");
        }
        var malformed = codes.Select(c => Barcodes.Explain(Barcodes.Check(c), c)).OfType<string>().Distinct().ToList();
        if (malformed.Count > 0)
        {
            return Result<LabelSet>.Invalid(string.Join(" ", malformed.Take(5)) + (malformed.Count > 5 ? $" … and {malformed.Count - 5} more." : ""), "Barcodes");
        }

        var found = new Dictionary<string, TubeView>(StringComparer.Ordinal);
        await using (var c = await db.OpenAsync(ct))
        {
            foreach (var chunk in codes.Distinct(StringComparer.Ordinal).Chunk(Chunk))
            {
                foreach (var t in await c.QueryScopedAsync<TubeView>(_byBarcodes, caller, new { Barcodes = chunk }, ct: ct))
                {
                    found[t.Barcode] = t;
                }
            }
        }
        var unknown = codes.Where(c => !found.ContainsKey(c)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return Result<LabelSet>.NotFound(
                $"Not known at your site: {string.Join(", ", unknown.Take(10))}{(unknown.Count > 10 ? $" and {unknown.Count - 10} more" : "")}. " +
                "Check the code, or ask the site that holds the tube to print its label.", "Barcodes");
        }
        // One label per line as scanned: a code scanned twice prints twice (a spare label is sometimes wanted).
        var labels = codes.Select(code => TubeLabel(found[code])).ToList();
        return Result<LabelSet>.Success(new LabelSet(labels.Count == 1 ? $"tube {codes[0]}" : $"{labels.Count} tubes", labels));
    }

    public async Task<Result<LabelSet>> BoxAsync(Caller caller, string? boxBarcode, bool itsTubes, CancellationToken ct)
    {
        var code = Barcodes.Normalize(boxBarcode);
        if (code.Length == 0)
        {
            return Result<LabelSet>.Invalid("Scan or type the box barcode.", "BoxBarcode");
        }
        var box = await storage.BoxAsync(caller, code, ct);
        if (box is null)
        {
            return Result<LabelSet>.NotFound($"Box {code} is not known at your site.", "BoxBarcode");
        }
        var contents = await tubes.InBoxAsync(caller, box.Id, ct);
        if (!itsTubes)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return Result<LabelSet>.Success(new LabelSet($"box {box.Barcode} ({box.Name})",
                [new LabelRow("box", box.Id, box.SiteId, box.Barcode, BoxFields(box, contents, today))]));
        }
        if (contents.Count == 0)
        {
            return Result<LabelSet>.Invalid($"Box {box.Barcode} ({box.Name}) holds no tubes.", "BoxBarcode");
        }
        if (contents.Count > MaxLabels)
        {
            return Result<LabelSet>.Invalid($"At most {MaxLabels:N0} labels at once; this box holds {contents.Count:N0} tubes.", "BoxBarcode");
        }
        return Result<LabelSet>.Success(new LabelSet($"the {contents.Count} tubes in box {box.Barcode} ({box.Name})", [.. contents.Select(TubeLabel)]));
    }

    public async Task<Result<LabelSet>> SampleAsync(Caller caller, string? primaryBarcode, CancellationToken ct)
    {
        var code = Barcodes.Normalize(primaryBarcode);
        if (code.Length == 0)
        {
            return Result<LabelSet>.Invalid("Scan or type the primary tube's barcode.", "SampleBarcode");
        }
        if (Barcodes.Explain(Barcodes.Check(code), code) is { } bad)
        {
            return Result<LabelSet>.Invalid(bad, "SampleBarcode");
        }
        var tube = await tubes.ByBarcodeAsync(caller, Barcodes.Canonical(code), ct);
        if (tube is null)
        {
            return Result<LabelSet>.NotFound($"Tube {code} is not known at your site.", "SampleBarcode");
        }
        if (tube.Kind != "primary")
        {
            return Result<LabelSet>.Invalid($"{tube.Barcode} is an aliquot ({tube.SampleType}), not a primary tube: print it under \"Aliquots\".", "SampleBarcode");
        }
        var aliquots = await tubes.ChildrenAsync(caller, tube.Id, ct);
        if (aliquots.Count == 0)
        {
            return Result<LabelSet>.Invalid($"Primary tube {tube.Barcode} ({tube.SampleType}) has no aliquots yet.", "SampleBarcode");
        }
        return Result<LabelSet>.Success(new LabelSet($"the {aliquots.Count} aliquots of {tube.Barcode} ({tube.SampleType}, {tube.Pseudonym})", [.. aliquots.Select(TubeLabel)]));
    }

    private static LabelRow TubeLabel(TubeView t) => new("tube", t.Id, t.SiteId, t.Barcode, TubeFields(t));

    private static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Contents(IReadOnlyList<TubeView> tubes)
    {
        if (tubes.Count == 0)
        {
            return "empty";
        }
        var byType = tubes.GroupBy(t => t.SampleType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        return $"{tubes.Count} {(tubes.Count == 1 ? "tube" : "tubes")}: {string.Join(", ", byType)}";
    }
}
