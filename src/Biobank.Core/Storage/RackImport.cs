using System.Data.Common;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Dapper;

namespace Biobank.Core.Storage;

public sealed record RowProblem(int Row, string Column, string Value, string Reason)
{
    public override string ToString() => $"row {Row}, column {Column}: '{Value}' — {Reason}";
}

public sealed record RackImportResult(int Stored, int Unchanged, int Empty);

public sealed class RackImportException(IReadOnlyList<RowProblem> problems)
    : Exception($"The rack file was refused: {problems.Count} problem(s); nothing was stored.")
{
    public IReadOnlyList<RowProblem> Problems => problems;
}

/// <summary>
/// A rack scanner's CSV (position, barcode; header optional; A01 or A1) fills a box in one transaction or not at all.
/// Every mismatch is listed by row, not only the first.
/// </summary>
public sealed class RackImport(IDb db, IAudit audit, TimeProvider clock)
{
    public const int MaxRows = RackScanFile.MaxRows;

    private static readonly string[] EmptyMarks = ["", "NO TUBE", "NOTUBE", "EMPTY", "NO_TUBE", "NO TRAKMATE"];
    private static readonly string[] UnreadMarks = ["NOREAD", "NO READ", "ERROR", "NO_READ", "???"];

    private const string Box = "SELECT id AS Id, site_id AS SiteId, rows AS Rows, cols AS Cols, status AS Status FROM box WHERE barcode = @Barcode AND (@AllSites OR site_id = @ScopeSiteId)";

    private const string Tubes = """
        SELECT t.id AS Id, t.barcode AS Barcode, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               b.barcode AS BoxBarcode, p.consent_status AS ConsentStatus, p.pseudonym AS Pseudonym
        FROM tube t JOIN patient p ON p.id = t.patient_id LEFT JOIN box b ON b.id = t.box_id
        WHERE t.barcode = @Code
        """;

    private const string Occupants = "SELECT id AS Id, barcode AS Barcode, pos_row AS PosRow, pos_col AS PosCol FROM tube WHERE box_id = @BoxId";

    private const string PutInPlace = """
        UPDATE tube SET box_id = @BoxId, pos_row = @Row, pos_col = @Col, status = 'in_storage', updated_utc = @Now
        WHERE id = @Id AND box_id IS NULL AND status IN ('registered', 'in_storage')
        """;

    public async Task<Result<RackImportResult>> ExecuteAsync(Caller caller, string boxBarcode, Stream csv, CancellationToken ct)
    {
        var boxCode = Barcodes.Canonical(Barcodes.Normalize(boxBarcode));
        var scan = await RackScanFile.ReadAsync(csv, ct);
        var problems = scan.Problems.ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var box = await c.QuerySingleScopedAsync<BoxHead>(Box, caller, new { Barcode = boxCode }, tx, ct);
        if (box is null)
        {
            return new Problem($"Box {boxCode} is unknown at your site.", "box", ProblemKind.NotFound, ScanCodes.UnknownBox);
        }
        await c.ExecuteAsync(new CommandDefinition("UPDATE box SET status = status WHERE id = @Id", new { box.Id }, tx, cancellationToken: ct));
        if (box.Status != "active")
        {
            return new Problem($"Box {boxCode} is {box.Status.Replace('_', ' ')}; tubes cannot be stored in it.", "box", ProblemKind.Conflict);
        }
        if (await OpenShipments.OfBoxAsync(c, tx, box.Id, ct) is { } shipment)
        {
            return new Problem(OpenShipments.Refusal(boxCode, shipment, "no tube can be stored into it"), "box", ProblemKind.Conflict, OpenShipments.BoxOnShipmentCode);
        }
        problems.AddRange(RackMismatches(scan, boxBarcode, boxCode));
        var wanted = new List<(int Row, int R, int C, string Code, string Label)>();
        var seenPositions = new Dictionary<(int, int), int>();
        var seenCodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var empty = 0;
        foreach (var (row, position, barcode, _) in scan.Lines)
        {
            if (!Positions.TryParse(position, box.Rows, box.Cols, out var r, out var col))
            {
                problems.Add(new RowProblem(row, "position", position, $"not a position of this {box.Rows}×{box.Cols} box (A1 to {Positions.Label(box.Rows, box.Cols)})"));
                continue;
            }
            var upper = barcode.ToUpperInvariant();
            if (EmptyMarks.Contains(upper))
            {
                empty++;
                continue;
            }
            if (UnreadMarks.Contains(upper))
            {
                problems.Add(new RowProblem(row, "barcode", barcode, "the rack scanner could not read this tube: rescan the rack or scan it by hand"));
                continue;
            }
            var check = Barcodes.Check(barcode);
            if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
            {
                problems.Add(new RowProblem(row, "barcode", barcode, Barcodes.Explain(check, barcode)!));
                continue;
            }
            var code = Barcodes.Canonical(barcode);
            if (seenPositions.TryGetValue((r, col), out var firstRow))
            {
                problems.Add(new RowProblem(row, "position", position, $"position also given on row {firstRow}"));
                continue;
            }
            if (seenCodes.TryGetValue(code, out var firstCodeRow))
            {
                problems.Add(new RowProblem(row, "barcode", barcode, $"barcode also given on row {firstCodeRow}"));
                continue;
            }
            seenPositions[(r, col)] = row;
            seenCodes[code] = row;
            wanted.Add((row, r, col, code, Positions.Label(r, col)));
        }
        // One primary-key lookup per row: a rack holds at most a few hundred tubes, and Dapper's IN-list
        // expansion differs between SQLite and PostgreSQL (arrays).
        var tubes = new Dictionary<string, TubeHead>(StringComparer.Ordinal);
        foreach (var w in wanted)
        {
            if (await c.QuerySingleOrDefaultAsync<TubeHead>(new CommandDefinition(Tubes, new { w.Code }, tx, cancellationToken: ct)) is { } found)
            {
                tubes[found.Barcode] = found;
            }
        }
        var occupants = (await c.QueryAsync<TubeHead>(new CommandDefinition(Occupants, new { BoxId = box.Id }, tx, cancellationToken: ct)))
            .ToDictionary(t => (t.PosRow!.Value, t.PosCol!.Value));
        var toStore = new List<(TubeHead Tube, int R, int C)>();
        var unchanged = 0;
        foreach (var w in wanted)
        {
            if (!tubes.TryGetValue(w.Code, out var t) || !caller.CanSee(t.SiteId) || t.SiteId != box.SiteId)
            {
                problems.Add(new RowProblem(w.Row, "barcode", w.Code, "not known at this site (receive its shipment or register it first)"));
                continue;
            }
            if (t.ConsentStatus == "withdrawn")
            {
                problems.Add(new RowProblem(w.Row, "barcode", w.Code, $"consent withdrawn for patient {t.Pseudonym}: do not store; put it aside for destruction"));
                continue;
            }
            if (t.BoxId == box.Id && t.PosRow == w.R && t.PosCol == w.C)
            {
                unchanged++;
                continue;
            }
            if (t.Status is not ("registered" or "in_storage"))
            {
                problems.Add(new RowProblem(w.Row, "barcode", w.Code, $"the tube is {t.Status.Replace('_', ' ')} and cannot be stored"));
                continue;
            }
            if (t.BoxId is not null)
            {
                problems.Add(new RowProblem(w.Row, "barcode", w.Code, $"already stored in box {t.BoxBarcode} at {Positions.Label(t.PosRow!.Value, t.PosCol!.Value)}; move it at the scanning station first"));
                continue;
            }
            if (occupants.TryGetValue((w.R, w.C), out var holder))
            {
                problems.Add(new RowProblem(w.Row, "position", w.Label, $"already holds {holder.Barcode}"));
                continue;
            }
            toStore.Add((t, w.R, w.C));
        }
        if (problems.Count > 0)
        {
            await tx.RollbackAsync(ct);
            throw new RackImportException(problems.OrderBy(p => p.Row).ToList());
        }
        foreach (var (t, r, col) in toStore)
        {
            var changed = await c.ExecuteAsync(new CommandDefinition(PutInPlace, new { t.Id, BoxId = box.Id, Row = r, Col = col, Now = now }, tx, cancellationToken: ct));
            if (changed == 0)
            {
                await tx.RollbackAsync(ct);
                throw new RackImportException([new RowProblem(0, "barcode", t.Barcode, "was stored by someone else meanwhile; nothing was stored, import the file again")]);
            }
            await Custody.AppendAsync(c, tx, t.Id, CustodyEvents.Stored, box.SiteId, Place.Nowhere, new Place(box.Id, r, col), "in_storage", "rack scan import", caller.UserName, now, ct);
            await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", t.Id.ToString(),
                Old: new { t.Status, Box = (string?)null }, New: new { Status = "in_storage", Box = boxCode, Position = Positions.Label(r, col) }, Reason: "rack scan import", SiteId: box.SiteId), ct);
        }
        await tx.CommitAsync(ct);
        return Result<RackImportResult>.Success(new RackImportResult(toStore.Count, unchanged, empty));
    }

    /// <summary>A rack code in the file (a column, or the header block) must be the box scanned: a file of another rack fills nothing.</summary>
    private static IEnumerable<RowProblem> RackMismatches(RackScan scan, string scanned, string boxCode)
    {
        bool Same(string rack) => string.Equals(rack.Trim(), scanned.Trim(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(Barcodes.Canonical(Barcodes.Normalize(rack)), boxCode, StringComparison.Ordinal);
        if (scan.HeaderRack is { } header && !Same(header))
        {
            yield return new RowProblem(scan.HeaderRackRow, "rack", header, $"the file is a scan of rack {header}, not of box {boxCode}: scan the box's own rack file");
        }
        foreach (var line in scan.Lines.Where(l => l.Rack is not null && !Same(l.Rack)))
        {
            yield return new RowProblem(line.Row, "rack", line.Rack!, $"this position is of rack {line.Rack}, not of box {boxCode}");
        }
    }

    private sealed record BoxHead
    {
        public long Id { get; init; }
        public long SiteId { get; init; }
        public int Rows { get; init; }
        public int Cols { get; init; }
        public string Status { get; init; } = "";
    }

    private sealed record TubeHead
    {
        public long Id { get; init; }
        public string Barcode { get; init; } = "";
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public string? BoxBarcode { get; init; }
        public string ConsentStatus { get; init; } = "";
        public string Pseudonym { get; init; } = "";
    }
}
