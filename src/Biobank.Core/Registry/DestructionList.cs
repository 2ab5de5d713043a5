using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Dapper;

namespace Biobank.Core.Registry;

/// <summary>One tube the destruction list could not record as destroyed, and why.</summary>
public sealed record DestructionRefusal(string Barcode, string Message);

/// <summary>What a destruction did: the tubes now destroyed, and those refused (in transit, changed meanwhile, …).</summary>
public sealed record DestructionOutcome(IReadOnlyList<TubeActionResult> Destroyed, IReadOnlyList<DestructionRefusal> Refused);

/// <summary>
/// Consent withdrawal, the material side: every tube of a withdrawn patient that still exists (not destroyed, not used
/// up) is to be destroyed. The list is per site (the site that holds the tube destroys it); each destruction goes
/// through <see cref="TubeActions"/>, so it leaves a custody event and an audit row like any other.
/// </summary>
public sealed class DestructionList(IDb db, TubeActions actions)
{
    /// <summary>At most this many tubes are shown and destroyed in one go.</summary>
    public const int MaxTubes = 1000;

    private const string Pending = " p.consent_status = 'withdrawn' AND t.status NOT IN ('destroyed', 'consumed')";

    private const string List = TubeQueries.Select + """
         WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND
        """ + Pending + """
          AND (@Pseudonym IS NULL OR p.pseudonym = @Pseudonym)
        ORDER BY s.code, CASE WHEN b.barcode IS NULL THEN 1 ELSE 0 END, b.barcode, t.pos_row, t.pos_col, t.barcode
        LIMIT @Limit
        """;

    private const string Count = """
        SELECT COUNT(*) FROM tube t JOIN patient p ON p.id = t.patient_id
        WHERE (@AllSites OR t.site_id = @ScopeSiteId) AND
        """ + Pending;

    /// <summary>The tubes to destroy that the caller's site holds (every site for a central user), by site and box position.</summary>
    public async Task<IReadOnlyList<TubeView>> ListAsync(Caller caller, string? pseudonym, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryScopedAsync<TubeView>(List, caller, new
        {
            Pseudonym = string.IsNullOrWhiteSpace(pseudonym) ? null : pseudonym.Trim(),
            Limit = Math.Clamp(limit, 1, MaxTubes),
        }, ct: ct)).AsList();
    }

    public async Task<long> CountAsync(Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ScalarScopedAsync<long>(Count, caller, ct: ct);
    }

    /// <summary>
    /// Records the destruction of the given tubes, each in its own transaction: a tube that cannot be destroyed (in
    /// transit, consent given again, another site's) is listed as refused and does not stop the others.
    /// </summary>
    public async Task<Result<DestructionOutcome>> DestroyAsync(Caller caller, IReadOnlyCollection<string> barcodes, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result<DestructionOutcome>.Invalid("Say why the tubes are destroyed (e.g. consent withdrawn by letter of 2026-03-01).", "Reason");
        }
        var codes = barcodes.Select(b => b.Trim()).Where(b => b.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (codes.Count == 0)
        {
            return Result<DestructionOutcome>.Invalid("Choose the tubes that were destroyed.", "Barcodes");
        }
        if (codes.Count > MaxTubes)
        {
            return Result<DestructionOutcome>.Invalid($"At most {MaxTubes} tubes at a time.", "Barcodes");
        }
        var destroyed = new List<TubeActionResult>();
        var refused = new List<DestructionRefusal>();
        foreach (var code in codes)
        {
            var result = await actions.DestroyWithdrawnAsync(caller, code, reason.Trim(), ct);
            if (result.Ok)
            {
                destroyed.Add(result.Value!);
            }
            else
            {
                refused.Add(new DestructionRefusal(code, result.Problem!.Message));
            }
        }
        return Result<DestructionOutcome>.Success(new DestructionOutcome(destroyed, refused));
    }
}
