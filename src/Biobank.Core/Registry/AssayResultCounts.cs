using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Registry;

/// <summary>
/// How many assay results a patient has, for the patient page. The assay tables arrive with a later migration, so the
/// schema is asked once whether <c>assay_result</c> exists; until it does, every patient has 0. A "no" is asked again
/// after a minute, in case the <c>migrate</c> verb ran while the web app was up.
/// </summary>
public sealed class AssayResultCounts(IDb db, TimeProvider clock)
{
    public const string Table = "assay_result";

    private static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);

    private const string OfPatient = """
        SELECT COUNT(*)
        FROM assay_result r
        JOIN tube t ON t.id = r.tube_id
        JOIN patient p ON p.id = t.patient_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND p.id = @PatientId
        """;

    private volatile bool _exists;
    private long _checkedTicks;

    /// <summary>The patient's assay results (every analyte of every tube), counted among the patients the caller may see.</summary>
    public async Task<long> OfPatientAsync(Caller caller, long patientId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcTicks;
        if (!_exists && now - Volatile.Read(ref _checkedTicks) < RecheckAfter.Ticks)
        {
            return 0;
        }
        await using var c = await db.OpenAsync(ct);
        if (!_exists)
        {
            _exists = await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Dialect.TableExists, new { Table }, cancellationToken: ct)) > 0;
            Volatile.Write(ref _checkedTicks, now);
            if (!_exists)
            {
                return 0;
            }
        }
        return await c.ScalarScopedAsync<long>(OfPatient, caller, new { PatientId = patientId }, ct: ct);
    }
}
