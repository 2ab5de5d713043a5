using Biobank.Core.Common;
using Biobank.Core.Data;
using Dapper;

namespace Biobank.Core.Registry;

/// <summary>The tubes of one sample type in one collection: how many were made and how many can still be used.</summary>
public sealed record TimelineTubes(string SampleTypeCode, string SampleType, string Kind, string Colour, long Tubes, long Available);

/// <summary>One collection (a visit) of a patient, with its tubes counted by sample type.</summary>
public sealed record TimelineVisit(long CollectionId, string TimepointCode, string Timepoint, DateTime CollectedUtc, IReadOnlyList<TimelineTubes> Tubes)
{
    public long TubeCount => Tubes.Sum(t => t.Tubes);
}

/// <summary>A protocol timepoint and the patient's collections at it (none when the visit has not happened).</summary>
public sealed record TimelineStep(string TimepointCode, string Timepoint, IReadOnlyList<TimelineVisit> Visits);

/// <summary>
/// A patient's samples by study timepoint, for the patient page: every timepoint of the protocol in order, the
/// collections made at it, and their tubes counted by sample type. Scoped by the patient's site (the page shows the
/// patient's whole material, wherever the tubes are now stored).
/// </summary>
public sealed class PatientTimeline(IDb db)
{
    private const string Timepoints = "SELECT code AS Code, name AS Name FROM study_timepoint ORDER BY sort_order, id";

    private const string Counts = """
        SELECT c.id AS CollectionId, st.code AS SampleTypeCode, st.name AS SampleType, st.kind AS Kind, st.colour AS Colour,
               COUNT(t.id) AS Tubes,
               SUM(CASE WHEN t.status IN ('registered', 'in_storage', 'checked_out', 'in_transit') THEN 1 ELSE 0 END) AS Available
        FROM collection c
        JOIN patient p ON p.id = c.patient_id
        JOIN tube t ON t.collection_id = c.id
        JOIN sample_type st ON st.id = t.sample_type_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND c.patient_id = @PatientId
        GROUP BY c.id, st.id, st.code, st.name, st.kind, st.colour
        ORDER BY c.id, st.kind DESC, st.id
        """;

    // A collection whose tubes were all removed still happened: it is listed with no tubes.
    private const string Visits = """
        SELECT c.id AS CollectionId, tp.code AS TimepointCode, tp.name AS Timepoint, c.collected_utc AS CollectedUtc
        FROM collection c
        JOIN patient p ON p.id = c.patient_id
        JOIN study_timepoint tp ON tp.id = c.timepoint_id
        WHERE (@AllSites OR p.site_id = @ScopeSiteId) AND c.patient_id = @PatientId
        ORDER BY c.collected_utc, c.id
        """;

    public async Task<IReadOnlyList<TimelineStep>> OfPatientAsync(Caller caller, long patientId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var timepoints = (await c.QueryAsync<TimepointRow>(new CommandDefinition(Timepoints, cancellationToken: ct))).AsList();
        var visits = (await c.QueryScopedAsync<VisitRow>(Visits, caller, new { PatientId = patientId }, ct: ct)).AsList();
        var counts = (await c.QueryScopedAsync<CountRow>(Counts, caller, new { PatientId = patientId }, ct: ct))
            .GroupBy(r => r.CollectionId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TimelineTubes>)g.Select(r => new TimelineTubes(r.SampleTypeCode, r.SampleType, r.Kind, r.Colour, r.Tubes, r.Available)).ToList());
        var byTimepoint = visits
            .Select(v => new TimelineVisit(v.CollectionId, v.TimepointCode, v.Timepoint, v.CollectedUtc, counts.GetValueOrDefault(v.CollectionId) ?? []))
            .ToLookup(v => v.TimepointCode, StringComparer.Ordinal);
        return timepoints.Select(tp => new TimelineStep(tp.Code, tp.Name, byTimepoint[tp.Code].ToList())).ToList();
    }

    private sealed record TimepointRow
    {
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
    }

    private sealed record VisitRow
    {
        public long CollectionId { get; init; }
        public string TimepointCode { get; init; } = "";
        public string Timepoint { get; init; } = "";
        public DateTime CollectedUtc { get; init; }
    }

    private sealed record CountRow
    {
        public long CollectionId { get; init; }
        public string SampleTypeCode { get; init; } = "";
        public string SampleType { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Colour { get; init; } = "";
        public long Tubes { get; init; }
        public long Available { get; init; }
    }
}
