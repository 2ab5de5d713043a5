using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Dapper;

namespace Biobank.Core.Shipments;

public sealed record ExternalManifestResult(string ShipmentBarcode, int Tubes);

public sealed class ExternalManifestException(IReadOnlyList<RowProblem> problems)
    : Exception($"The manifest was refused: {problems.Count} problem(s); nothing was registered.")
{
    public IReadOnlyList<RowProblem> Problems => problems;
}

/// <summary>
/// A manifest from a site that runs another system (our CSV or JSON manifest format): the incoming tubes are
/// pre-registered as an external shipment in transit to the caller's site, then received by scanning as usual.
/// Every row is checked first; one problem refuses the whole file.
/// </summary>
public sealed class ImportExternalManifest(IDb db, IAudit audit, TimeProvider clock)
{
    public const int MaxTubes = 20_000;

    private sealed record Line(int Row, string Barcode, string Pseudonym, string SampleType, string Timepoint, decimal VolumeUl, DateTime? CollectedUtc);

    private static readonly string[] RequiredColumns = ["barcode", "pseudonym", "sample_type", "timepoint", "volume_ul"];

    private const string Site = "SELECT id AS Id, code AS Code FROM site WHERE upper(code) = upper(@Code)";
    // Only the sending site's patients: the manifest speaks for that site, and a lookup across sites would let a
    // receiver learn from the refusals which pseudonyms exist elsewhere and whose consent was withdrawn.
    private const string PatientByPseudonym = """
        SELECT id AS Id, site_id AS SiteId, consent_status AS ConsentStatus FROM patient WHERE pseudonym = @Pseudonym AND site_id = @From
        """;
    private const string TypeByCode = "SELECT id AS Id, kind AS Kind FROM sample_type WHERE code = @Code";
    private const string TimepointByCode = "SELECT id FROM study_timepoint WHERE code = @Code";
    private const string BarcodeKnown = "SELECT COUNT(*) FROM barcode WHERE code = @Code";
    private const string FindCollection = "SELECT id FROM collection WHERE patient_id = @Patient AND timepoint_id = @Timepoint ORDER BY id LIMIT 1";
    private const string InsertCollection = """
        INSERT INTO collection (patient_id, timepoint_id, site_id, collected_utc, collected_by, notes, created_utc, created_by)
        VALUES (@Patient, @Timepoint, @Site, @Collected, @User, 'pre-registered from an external manifest', @Now, @User) RETURNING id
        """;
    private const string InsertShipment = """
        INSERT INTO shipment (barcode, from_site_id, to_site_id, state, external, packages, created_utc, created_by, dispatched_utc, dispatched_by)
        VALUES (@Barcode, @From, @To, 'dispatched', TRUE, 1, @Now, @User, @Now, @User) RETURNING id
        """;
    private const string InsertTube = """
        INSERT INTO tube (barcode, kind, parent_id, collection_id, patient_id, sample_type_id, site_id, status, volume_ul, remaining_ul, collected_utc, created_utc, updated_utc)
        VALUES (@Barcode, 'aliquot', NULL, @Collection, @Patient, @Type, @Site, 'in_transit', @Volume, @Volume, @Collected, @Now, @Now) RETURNING id
        """;
    private const string InsertItem = "INSERT INTO shipment_item (shipment_id, tube_id, open) VALUES (@Shipment, @Tube, TRUE)";

    public async Task<Result<ExternalManifestResult>> ExecuteAsync(Caller caller, string fromSiteCode, string fileName, Stream file, CancellationToken ct)
    {
        if (caller.SiteId is not { } to)
        {
            return Result<ExternalManifestResult>.Invalid("Sign in with an account of the receiving site to pre-register its incoming tubes.", "site");
        }
        var problems = new List<RowProblem>();
        var lines = fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? await ReadJsonAsync(file, problems, ct) : await ReadCsvAsync(file, problems, ct);
        await using var c = await db.OpenAsync(ct);
        var from = await c.QuerySingleOrDefaultAsync<SiteRow>(new CommandDefinition(Site, new { Code = fromSiteCode }, cancellationToken: ct));
        if (from is null || from.Id == to)
        {
            return Result<ExternalManifestResult>.Invalid("Choose the sending site (another site of the consortium).", "fromSite");
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var resolved = new List<(Line Line, PatientRow Patient, long Type, long Timepoint)>();
        foreach (var l in lines)
        {
            var before = problems.Count;
            var check = Barcodes.Check(l.Barcode);
            if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
            {
                problems.Add(new RowProblem(l.Row, "barcode", l.Barcode, Barcodes.Explain(check, l.Barcode)!));
            }
            else if (seen.TryGetValue(l.Barcode, out var first))
            {
                problems.Add(new RowProblem(l.Row, "barcode", l.Barcode, $"also on row {first}"));
            }
            else if (await c.ExecuteScalarAsync<long>(new CommandDefinition(BarcodeKnown, new { Code = l.Barcode }, cancellationToken: ct)) > 0)
            {
                problems.Add(new RowProblem(l.Row, "barcode", l.Barcode, "this barcode is already registered in the system"));
            }
            seen.TryAdd(l.Barcode, l.Row);
            var patient = await c.QuerySingleOrDefaultAsync<PatientRow>(new CommandDefinition(PatientByPseudonym, new { l.Pseudonym, From = from.Id }, cancellationToken: ct));
            if (patient is null || patient.ConsentStatus == "withdrawn")
            {
                // One wording for unknown, another site's, and withdrawn: the receiver learns nothing about the patient.
                problems.Add(new RowProblem(l.Row, "pseudonym", l.Pseudonym,
                    $"not a consenting patient of {from.Code} in the registry: check the pseudonym with {from.Code} (its registry may need importing first)"));
            }
            var type = await c.QuerySingleOrDefaultAsync<TypeRow>(new CommandDefinition(TypeByCode, new { Code = l.SampleType }, cancellationToken: ct));
            if (type is null || type.Kind != "aliquot")
            {
                problems.Add(new RowProblem(l.Row, "sample_type", l.SampleType, "not an aliquot type of the protocol (e.g. PLASMA, SER, BUFFY, RNA, SALSUP)"));
            }
            var timepoint = await c.ExecuteScalarAsync<long?>(new CommandDefinition(TimepointByCode, new { Code = l.Timepoint }, cancellationToken: ct));
            if (timepoint is null)
            {
                problems.Add(new RowProblem(l.Row, "timepoint", l.Timepoint, "not a timepoint of the protocol (e.g. BASELINE, EOT, M3, M12)"));
            }
            if (problems.Count == before)
            {
                resolved.Add((l, patient!, type!.Id, timepoint!.Value));
            }
        }
        if (lines.Count == 0 && problems.Count == 0)
        {
            problems.Add(new RowProblem(0, "file", "", "the manifest lists no tubes"));
        }
        if (problems.Count > 0)
        {
            throw new ExternalManifestException(problems.Take(1000).ToList());
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(c, ct);
        var code = (await BarcodeAllocator.AllocateAsync(c, tx, to, BarcodeKind.Shipment, 1, now, ct))[0];
        var shipmentId = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertShipment, new { Barcode = code, From = from.Id, To = to, Now = now, User = caller.UserName }, tx, cancellationToken: ct));
        var collections = new Dictionary<(long, long), long>();
        foreach (var (l, patient, type, timepoint) in resolved)
        {
            if (!collections.TryGetValue((patient.Id, timepoint), out var collection))
            {
                var existing = await c.ExecuteScalarAsync<long?>(new CommandDefinition(FindCollection, new { Patient = patient.Id, Timepoint = timepoint }, tx, cancellationToken: ct));
                if (existing is { } known)
                {
                    collection = known;
                }
                else
                {
                    collection = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertCollection, new { Patient = patient.Id, Timepoint = timepoint, Site = from.Id, Collected = l.CollectedUtc ?? now, User = caller.UserName, Now = now }, tx, cancellationToken: ct));
                    await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "collection", collection.ToString(CultureInfo.InvariantCulture),
                        New: new { PatientId = patient.Id, TimepointId = timepoint, CollectedUtc = l.CollectedUtc ?? now, Source = $"external manifest {fileName}", Shipment = code }, SiteId: from.Id), ct);
                }
                collections[(patient.Id, timepoint)] = collection;
            }
            await BarcodeAllocator.RegisterExternalAsync(c, tx, l.Barcode, BarcodeKind.Aliquot, from.Id, now, ct);
            var tube = await c.ExecuteScalarAsync<long>(new CommandDefinition(InsertTube, new { l.Barcode, Collection = collection, Patient = patient.Id, Type = type, Site = from.Id, Volume = l.VolumeUl, Collected = l.CollectedUtc, Now = now }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(InsertItem, new { Shipment = shipmentId, Tube = tube }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "tube", tube.ToString(CultureInfo.InvariantCulture),
                New: new { l.Barcode, Kind = "aliquot", Type = l.SampleType, CollectionId = collection, l.VolumeUl, Status = "in_transit", Source = $"external manifest {fileName}" }, SiteId: from.Id), ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "shipment_item", $"{shipmentId}/{tube}",
                New: new { Shipment = code, Tube = l.Barcode }, SiteId: to), ct);
            await Custody.AppendAsync(c, tx, tube, CustodyEvents.Created, from.Id, Place.Nowhere, Place.Nowhere, "in_transit", $"pre-registered from external manifest {fileName}", caller.UserName, now, ct);
            await Custody.AppendAsync(c, tx, tube, CustodyEvents.Shipped, from.Id, Place.Nowhere, Place.Nowhere, "in_transit", $"shipment {code} (external)", caller.UserName, now, ct);
        }
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Insert, "shipment", shipmentId.ToString(CultureInfo.InvariantCulture),
            New: new { Barcode = code, External = true, From = from.Code, File = fileName, Tubes = resolved.Count, Barcodes = resolved.Select(r => r.Line.Barcode) }, SiteId: to), ct);
        await tx.CommitAsync(ct);
        return Result<ExternalManifestResult>.Success(new ExternalManifestResult(code, resolved.Count));
    }

    private static async Task<List<Line>> ReadCsvAsync(Stream file, List<RowProblem> problems, CancellationToken ct)
    {
        var lines = new List<Line>();
        using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
        var records = new CsvRecords(reader);
        Dictionary<string, int>? header = null;
        try
        {
            await foreach (var r in records.ReadAllAsync(ct))
            {
                if (header is null)
                {
                    header = r.Fields.Select((f, i) => (Name: f.Trim().ToLowerInvariant(), i)).GroupBy(x => x.Name).ToDictionary(g => g.Key, g => g.First().i);
                    foreach (var required in RequiredColumns.Where(n => !header.ContainsKey(n)))
                    {
                        problems.Add(new RowProblem(1, required, "", "required column missing (header: barcode,pseudonym,sample_type,timepoint,volume_ul[,collected_date], or our manifest CSV)"));
                    }
                    if (problems.Count > 0)
                    {
                        return lines;
                    }
                    continue;
                }
                if (r.Fields.All(string.IsNullOrWhiteSpace))
                {
                    continue;
                }
                if (lines.Count >= MaxTubes)
                {
                    problems.Add(new RowProblem(r.Line, "file", "", $"more than {MaxTubes:N0} tubes"));
                    break;
                }
                string Get(string name) => header.TryGetValue(name, out var i) && i < r.Fields.Length ? r.Fields[i].Trim() : "";
                lines.Add(Parse(r.Line, Get("barcode"), Get("pseudonym"), Get("sample_type"), Get("timepoint"), Get("volume_ul"), Get("collected_date"), problems));
            }
        }
        catch (CsvFormatException e)
        {
            problems.Add(new RowProblem(e.Line, "file", "", e.Reason));
        }
        return lines;
    }

    private static async Task<List<Line>> ReadJsonAsync(Stream file, List<RowProblem> problems, CancellationToken ct)
    {
        var lines = new List<Line>();
        try
        {
            using var doc = await JsonDocument.ParseAsync(file, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false }, ct);
            if (!doc.RootElement.TryGetProperty("tubes", out var tubes) || tubes.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new RowProblem(0, "tubes", "", "the JSON manifest needs a \"tubes\" array (the format of GET /api/v1/shipments/{barcode}/manifest)"));
                return lines;
            }
            var row = 0;
            foreach (var t in tubes.EnumerateArray())
            {
                row++;
                string S(string name) => t.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString() ?? "", JsonValueKind.Number => v.GetRawText(), _ => "" } : "";
                lines.Add(Parse(row, S("barcode"), S("pseudonym"), S("sampleType"), S("timepoint"), S("volumeUl"), S("collectedDate"), problems));
            }
        }
        catch (JsonException e)
        {
            problems.Add(new RowProblem((int)(e.LineNumber ?? 0) + 1, "file", "", $"not valid JSON: {e.Message}"));
        }
        return lines;
    }

    private static Line Parse(int row, string barcode, string pseudonym, string type, string timepoint, string volume, string collected, List<RowProblem> problems)
    {
        if (!decimal.TryParse(volume, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v <= 0 || v > 100_000)
        {
            problems.Add(new RowProblem(row, "volume_ul", volume, "a volume in µL, more than 0"));
        }
        DateTime? when = null;
        if (collected.Length > 0)
        {
            if (DateOnly.TryParseExact(collected, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                when = d.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc);
            }
            else
            {
                problems.Add(new RowProblem(row, "collected_date", collected, "a date YYYY-MM-DD"));
            }
        }
        return new Line(row, Barcodes.Canonical(Barcodes.Normalize(barcode)), pseudonym.Trim(), type.Trim().ToUpperInvariant(), timepoint.Trim().ToUpperInvariant(), v, when);
    }

    private sealed record SiteRow
    {
        public long Id { get; init; }
        public string Code { get; init; } = "";
    }

    private sealed record PatientRow
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public string ConsentStatus { get; init; } = "";
    }

    private sealed record TypeRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
    }
}
