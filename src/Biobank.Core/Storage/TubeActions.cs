using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Dapper;

namespace Biobank.Core.Storage;

public sealed record TubeActionResult(string Barcode, string Status, int FreezeThawCount, decimal RemainingUl, string Message);

/// <summary>What happens to a stored tube at the bench: check out and in (a thaw), consume, destroy.</summary>
public sealed class TubeActions(IDb db, IAudit audit, TimeProvider clock)
{
    private const string SelectHead = """
        SELECT t.id AS Id, t.barcode AS Barcode, t.site_id AS SiteId, t.status AS Status, t.box_id AS BoxId, t.pos_row AS PosRow, t.pos_col AS PosCol,
               t.freeze_thaw_count AS FreezeThawCount, t.remaining_ul AS RemainingUl, p.consent_status AS ConsentStatus, p.pseudonym AS Pseudonym,
               t.patient_id AS PatientId
        FROM tube t JOIN patient p ON p.id = t.patient_id
        WHERE t.barcode = @Barcode AND (@AllSites OR t.site_id = @ScopeSiteId)
        """;

    // Each update names the status it expects, so two people acting on one tube cannot both succeed.
    private const string CheckOutSql = "UPDATE tube SET status = 'checked_out', updated_utc = @Now WHERE id = @Id AND status = 'in_storage'";

    private const string CheckInSql = """
        UPDATE tube SET status = 'in_storage', freeze_thaw_count = freeze_thaw_count + 1, updated_utc = @Now
        WHERE id = @Id AND status = 'checked_out'
        """;

    private const string ConsumeSql = """
        UPDATE tube SET remaining_ul = remaining_ul - @Volume,
               status = CASE WHEN remaining_ul - @Volume <= 0 THEN 'consumed' ELSE status END,
               box_id = CASE WHEN remaining_ul - @Volume <= 0 THEN NULL ELSE box_id END,
               pos_row = CASE WHEN remaining_ul - @Volume <= 0 THEN NULL ELSE pos_row END,
               pos_col = CASE WHEN remaining_ul - @Volume <= 0 THEN NULL ELSE pos_col END,
               updated_utc = @Now
        WHERE id = @Id AND status IN ('in_storage', 'checked_out', 'registered') AND remaining_ul >= @Volume
        """;

    private const string DestroySql = """
        UPDATE tube SET status = 'destroyed', box_id = NULL, pos_row = NULL, pos_col = NULL, updated_utc = @Now
        WHERE id = @Id AND status NOT IN ('destroyed', 'consumed', 'in_transit')
        """;

    // Consent is part of the condition: a patient who gave consent again since the list was read keeps the tube.
    private const string DestroyWithdrawnSql = """
        UPDATE tube SET status = 'destroyed', box_id = NULL, pos_row = NULL, pos_col = NULL, updated_utc = @Now
        WHERE id = @Id AND status NOT IN ('destroyed', 'consumed', 'in_transit')
          AND patient_id IN (SELECT id FROM patient WHERE consent_status = 'withdrawn')
        """;

    // A no-op update takes the patient row's lock (as StoreTube does with the box): on PostgreSQL a consent change in
    // flight commits first and is then read, or waits until this destruction has committed.
    private const string LockPatient = "UPDATE patient SET consent_status = consent_status WHERE id = @Id";

    private const string ConsentOf = "SELECT consent_status FROM patient WHERE id = @Id";

    private const string After = "SELECT status AS Status, freeze_thaw_count AS FreezeThawCount, remaining_ul AS RemainingUl, box_id AS BoxId, pos_row AS PosRow, pos_col AS PosCol FROM tube WHERE id = @Id";

    public Task<Result<TubeActionResult>> CheckOutAsync(Caller caller, string barcode, CancellationToken ct) =>
        ActAsync(caller, barcode, CustodyEvents.CheckedOut, CheckOutSql, null, null, h => h.Status == "in_storage" ? null : $"it is {Words(h.Status)}, not in storage", ct);

    /// <summary>A reason is kept in the custody history: a sentence, not a document, and no control characters.</summary>
    private static string? ReasonProblem(string? reason) =>
        reason is { Length: > 500 } ? "Reason: at most 500 characters." : TextRules.RefuseText(reason) is { } why ? $"Reason {why}." : null;

    public Task<Result<TubeActionResult>> CheckInAsync(Caller caller, string barcode, CancellationToken ct) =>
        ActAsync(caller, barcode, CustodyEvents.CheckedIn, CheckInSql, null, null, h => h.Status == "checked_out" ? null : $"it is {Words(h.Status)}, not checked out", ct);

    public Task<Result<TubeActionResult>> ConsumeAsync(Caller caller, string barcode, decimal volumeUl, string? reason, CancellationToken ct) =>
        volumeUl <= 0 || volumeUl > 100_000
            ? Task.FromResult(Result<TubeActionResult>.Invalid("Volume used: more than 0 µL.", "VolumeUl"))
            : ReasonProblem(reason) is { } why
            ? Task.FromResult(Result<TubeActionResult>.Invalid(why, "Reason"))
            : ActAsync(caller, barcode, CustodyEvents.Consumed, ConsumeSql, volumeUl, reason,
                h => h.RemainingUl < volumeUl ? $"only {h.RemainingUl:0.#} µL remain" : h.Status is "in_storage" or "checked_out" or "registered" ? null : $"it is {Words(h.Status)}", ct);

    public Task<Result<TubeActionResult>> DestroyAsync(Caller caller, string barcode, string reason, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(reason)
            ? Task.FromResult(Result<TubeActionResult>.Invalid("Say why the tube is destroyed (e.g. consent withdrawn, broken, contaminated).", "Reason"))
            : ReasonProblem(reason) is { } why
            ? Task.FromResult(Result<TubeActionResult>.Invalid(why, "Reason"))
            : ActAsync(caller, barcode, CustodyEvents.Destroyed, DestroySql, null, reason, h => h.Status is "destroyed" or "consumed" or "in_transit" ? $"it is {Words(h.Status)}" : null, ct);

    /// <summary>
    /// Destroys a tube of the destruction list: refused unless its patient has withdrawn consent, checked in the same
    /// transaction as the destruction, so consent given again a moment earlier keeps the tube.
    /// </summary>
    public Task<Result<TubeActionResult>> DestroyWithdrawnAsync(Caller caller, string barcode, string reason, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(reason)
            ? Task.FromResult(Result<TubeActionResult>.Invalid("Say why the tubes are destroyed (e.g. consent withdrawn, letter of 2026-03-01).", "Reason"))
            : ActAsync(caller, barcode, CustodyEvents.Destroyed, DestroyWithdrawnSql, null, reason, h =>
                h.ConsentStatus != "withdrawn" ? $"patient {h.Pseudonym} has not withdrawn consent, so it is not on the destruction list"
                : h.Status is "destroyed" or "consumed" or "in_transit" ? $"it is {Words(h.Status)}" : null, ct);

    private static string Words(string status) => status.Replace('_', ' ');

    private async Task<Result<TubeActionResult>> ActAsync(Caller caller, string barcode, string evt, string sql, decimal? volume, string? reason,
        Func<Head, string?> refuse, CancellationToken ct)
    {
        var code = Barcodes.Normalize(barcode);
        switch (Barcodes.Check(code))
        {
            case BarcodeCheck.WrongCheckCharacter:
            case BarcodeCheck.Malformed:
                return new Problem(Barcodes.Explain(Barcodes.Check(code), code)!, "barcode", ProblemKind.Invalid, ScanCodes.BadCheck);
        }
        code = Barcodes.Canonical(code);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(c, ct);
        var h = await c.QuerySingleScopedAsync<Head>(SelectHead, caller, new { Barcode = code }, tx, ct);
        if (h is null)
        {
            return new Problem($"Tube {code} is not known at your site.", "barcode", ProblemKind.NotFound, ScanCodes.UnknownTube);
        }
        if (sql == DestroyWithdrawnSql)
        {
            await c.ExecuteAsync(new CommandDefinition(LockPatient, new { Id = h.PatientId }, tx, cancellationToken: ct));
            h = h with { ConsentStatus = await c.ExecuteScalarAsync<string>(new CommandDefinition(ConsentOf, new { Id = h.PatientId }, tx, cancellationToken: ct)) ?? "" };
        }
        if (refuse(h) is { } why)
        {
            return new Problem($"{code} cannot be {evt.Replace('_', ' ')}: {why}.", "barcode", ProblemKind.Conflict, ScanCodes.NotStorable);
        }
        var leavesBox = evt == CustodyEvents.Destroyed || (evt == CustodyEvents.Consumed && h.RemainingUl - volume <= 0);
        if (leavesBox && h.BoxId is { } boxId && await OpenShipments.OfBoxAsync(c, tx, boxId, ct) is { } shipment)
        {
            var boxCode = await c.ExecuteScalarAsync<string>(new CommandDefinition("SELECT barcode FROM box WHERE id = @Id", new { Id = boxId }, tx, cancellationToken: ct));
            return new Problem(OpenShipments.Refusal(boxCode!, shipment, $"{code} cannot be {evt.Replace('_', ' ')} and taken out of it"), "barcode", ProblemKind.Conflict, OpenShipments.BoxOnShipmentCode);
        }
        var changed = await c.ExecuteAsync(new CommandDefinition(sql, new { h.Id, Now = now, Volume = volume }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return new Problem($"{code} changed meanwhile; look it up and try again.", "barcode", ProblemKind.Conflict);
        }
        var after = await c.QuerySingleAsync<Head>(new CommandDefinition(After, new { h.Id }, tx, cancellationToken: ct));
        var details = volume is { } v ? $"{v:0.#} µL used{(reason is null ? "" : ": " + reason)}" : reason;
        await Custody.AppendAsync(c, tx, h.Id, evt, h.SiteId, new Place(h.BoxId, h.PosRow, h.PosCol), new Place(after.BoxId, after.PosRow, after.PosCol),
            after.Status, details, caller.UserName, now, ct);
        await audit.WriteAsync(c, tx, caller.UserName, new AuditEntry(AuditActions.Update, "tube", h.Id.ToString(),
            Old: new { h.Status, h.FreezeThawCount, h.RemainingUl }, New: new { after.Status, after.FreezeThawCount, after.RemainingUl }, Reason: reason ?? evt, SiteId: h.SiteId), ct);
        await tx.CommitAsync(ct);
        var message = evt switch
        {
            CustodyEvents.CheckedOut => $"{code} checked out; its position stays reserved.",
            CustodyEvents.CheckedIn => $"{code} checked in; freeze–thaw cycles: {after.FreezeThawCount}.",
            CustodyEvents.Consumed => after.Status == "consumed" ? $"{code} used up and removed from its box." : $"{code}: {after.RemainingUl:0.#} µL left.",
            _ => $"{code} destroyed and removed from its box.",
        };
        if (h.ConsentStatus == "withdrawn" && after.Status is not ("destroyed" or "consumed"))
        {
            // The bench may move the tube (to put it aside), but must not use it.
            message += $" Consent withdrawn for patient {h.Pseudonym}: do not use it; it is on the destruction list.";
        }
        return Result<TubeActionResult>.Success(new TubeActionResult(code, after.Status, after.FreezeThawCount, after.RemainingUl, message));
    }

    private sealed record Head
    {
        public long Id { get; init; }
        public string Barcode { get; init; } = "";
        public long SiteId { get; init; }
        public string Status { get; init; } = "";
        public long? BoxId { get; init; }
        public int? PosRow { get; init; }
        public int? PosCol { get; init; }
        public int FreezeThawCount { get; init; }
        public decimal RemainingUl { get; init; }
        public string ConsentStatus { get; init; } = "";
        public string Pseudonym { get; init; } = "";
        public long PatientId { get; init; }
    }
}
