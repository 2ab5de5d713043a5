using Biobank.Core.Common;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Biobank.Web.Infrastructure;

namespace Biobank.Web.Api;

public sealed record ScanRequest(string? Barcode, string? Position, bool? Move);

public sealed record BoxRequest(string? Name, int? Rows, int? Columns, string? Barcode);

/// <summary>Scanner and integration endpoints of the lab bench: tubes and boxes, scoped to the caller's site.</summary>
public static class LabApi
{
    public static void MapLabApi(this RouteGroupBuilder api)
    {
        api.MapGet("/tubes/{barcode}", async (string barcode, HttpContext http, TubeQueries tubes, CancellationToken ct) =>
        {
            var code = Barcodes.Normalize(barcode);
            var check = Barcodes.Check(code);
            if (check is BarcodeCheck.WrongCheckCharacter or BarcodeCheck.Malformed)
            {
                return Problems.From(new Problem(Barcodes.Explain(check, code)!, "barcode", ProblemKind.Invalid, ScanCodes.BadCheck));
            }
            var tube = await tubes.ByBarcodeAsync(http.Caller(), Barcodes.Canonical(code), ct);
            return tube is null
                ? Problems.From(new Problem($"Tube {code} is not known at your site.", "barcode", ProblemKind.NotFound, ScanCodes.UnknownTube))
                : Results.Ok(Describe(tube));
        });

        api.MapGet("/tubes", async (HttpContext http, TubeQueries tubes, string? status, string? site, int? limit, long? after, CancellationToken ct) =>
        {
            // A limit out of range or an unknown status is a mistake in the caller's code: an empty page would hide it.
            if (limit is < 1 or > 1000)
            {
                return Problems.Invalid("limit", "limit: 1 to 1000 tubes per page.");
            }
            if (status is { Length: > 0 } && !Pages.Samples.SampleDisplay.Statuses.Contains(status))
            {
                return Problems.Invalid("status", $"status must be one of {string.Join(", ", Pages.Samples.SampleDisplay.Statuses)}.");
            }
            if (SiteProblem(site) is { } bad)
            {
                return bad;
            }
            var page = limit ?? 100;
            var rows = await tubes.SearchAsync(http.Caller(), new TubeSearch(Status: status, Site: site, AfterId: after, Limit: page), ct);
            return Results.Ok(new
            {
                items = rows.Select(t => new { id = t.Id, barcode = t.Barcode, type = t.SampleTypeCode, status = t.Status, site = t.SiteCode, location = Location(t) }),
                next = rows.Count == page ? rows[^1].Id : (long?)null,
            });
        });

        api.MapGet("/boxes", async (HttpContext http, StorageSetup storage, string? site, CancellationToken ct) =>
            SiteProblem(site) ?? Results.Ok((await storage.BoxesAsync(http.Caller(), site, 5000, ct)).Select(b => new
            {
                barcode = b.Barcode, name = b.Name, site = b.SiteCode, rows = b.Rows, columns = b.Cols, positionsUsed = b.Used, location = b.Location,
            })));

        api.MapGet("/boxes/{barcode}", async (string barcode, HttpContext http, StorageSetup storage, TubeQueries tubes, CancellationToken ct) =>
        {
            var box = await storage.BoxAsync(http.Caller(), Barcodes.Normalize(barcode), ct);
            if (box is null)
            {
                return Problems.From(new Problem($"Box {barcode} is not known at your site.", "boxBarcode", ProblemKind.NotFound, ScanCodes.UnknownBox));
            }
            var inBox = (await tubes.InBoxAsync(http.Caller(), box.Id, ct)).ToDictionary(t => (t.PosRow!.Value, t.PosCol!.Value));
            var positions = new List<object>();
            for (var r = 1; r <= box.Rows; r++)
            {
                for (var c = 1; c <= box.Cols; c++)
                {
                    inBox.TryGetValue((r, c), out var t);
                    positions.Add(new { position = Positions.Label(r, c), tube = t is null ? null : new { barcode = t.Barcode, type = t.SampleTypeCode, timepoint = t.TimepointCode, status = t.Status } });
                }
            }
            return Results.Ok(new { barcode = box.Barcode, name = box.Name, site = box.SiteCode, rows = box.Rows, columns = box.Cols, positionsUsed = box.Used, location = box.Location, positions });
        });

        api.MapPost("/boxes", async (BoxRequest? body, HttpContext http, StorageSetup storage, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (body is null || string.IsNullOrWhiteSpace(body.Name))
            {
                return Problems.Invalid("name", "Send JSON {\"name\": \"…\", \"rows\": 10, \"columns\": 10}.");
            }
            if (caller.SiteId is not { } siteId)
            {
                return Problems.Invalid("site", "A central account has no site to put the box in; use an account of the site.");
            }
            var result = await storage.AddBoxAsync(caller, siteId, null, body.Name, body.Rows ?? 10, body.Columns ?? 10, body.Barcode, ct);
            return result.Ok
                ? Results.Created($"/api/v1/boxes/{Uri.EscapeDataString(result.Value!)}", new { barcode = result.Value, name = body.Name, rows = body.Rows ?? 10, columns = body.Columns ?? 10 })
                : Problems.From(result.Problem!);
        }).RequireAuthorization(Policies.Lab);

        api.MapPost("/boxes/{boxBarcode}/tubes", async (string boxBarcode, ScanRequest? body, HttpContext http, StoreTube store, CancellationToken ct) =>
        {
            if (body is null || string.IsNullOrWhiteSpace(body.Barcode))
            {
                return Problems.Invalid("barcode", "Send JSON {\"barcode\": \"…\", \"position\": \"B3\"}; barcode is required, position optional.");
            }
            var result = await store.ExecuteAsync(http.Caller(), new StoreCommand(boxBarcode, body.Barcode, body.Position, body.Move ?? false), ct);
            if (!result.Ok)
            {
                return Problems.From(result.Problem!);
            }
            var s = result.Value!;
            return Results.Created($"/api/v1/tubes/{Uri.EscapeDataString(s.Barcode)}", new
            {
                barcode = s.Barcode, box = s.BoxBarcode, position = s.Position, type = s.SampleType, timepoint = s.Timepoint,
                moved = s.Moved, movedFrom = s.MovedFrom, positionsUsed = s.Used, capacity = s.Capacity,
            });
        }).RequireAuthorization(Policies.Lab);
    }

    /// <summary>A site filter is a site code (letters and digits); anything else cannot match and is refused by name.</summary>
    private static IResult? SiteProblem(string? site) =>
        site is { Length: > 0 } && (site.Length > 10 || !site.All(char.IsAsciiLetterOrDigit))
            ? Problems.Invalid("site", "site: a site code such as BRU.")
            : null;

    public static object Describe(TubeView t) => new
    {
        barcode = t.Barcode,
        kind = t.Kind,
        type = t.SampleTypeCode,
        typeName = t.SampleType,
        status = t.Status,
        site = t.SiteCode,
        pseudonym = t.Pseudonym,
        consentWithdrawn = t.Withdrawn,
        timepoint = t.TimepointCode,
        parent = t.ParentBarcode,
        volumeUl = t.VolumeUl,
        remainingUl = t.RemainingUl,
        freezeThawCount = t.FreezeThawCount,
        sprec = t.Sprec,
        location = Location(t),
    };

    private static object? Location(TubeView t) => t.BoxBarcode is null ? null : new { box = t.BoxBarcode, position = t.Position, freezer = t.Freezer, rack = t.Rack };
}
