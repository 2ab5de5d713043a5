using Biobank.Core.Shipments;
using Biobank.Web.Infrastructure;

namespace Biobank.Web.Api;

/// <summary>Shipments for integrations: the list the caller may see and the manifest for the sender's and receiver's users.</summary>
public static class ShipmentsApi
{
    public sealed record ReceiveRequest(string? Barcode, bool? Damaged, string? Note);

    public sealed record FinishRequest(bool? DryIceLeft, bool? LoggerOk, string? Notes);

    public static void MapShipmentsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/shipments", async (HttpContext http, ShipmentQueries queries, string? state, TimeProvider clock, CancellationToken ct) =>
        {
            if (state is { Length: > 0 } && !ShipmentStates.All.Contains(state.ToLowerInvariant()))
            {
                return Problems.Invalid("state", $"state must be one of {string.Join(", ", ShipmentStates.All)}.");
            }
            var now = clock.GetUtcNow().UtcDateTime;
            return Results.Ok((await queries.ListAsync(http.Caller(), state, 1000, ct)).Select(s => new
            {
                barcode = s.Barcode, from = s.FromCode, to = s.ToCode, state = s.State, tubes = s.Tubes, boxes = s.Boxes, courier = s.Courier,
                trackingNumber = s.TrackingNumber, dispatchedUtc = s.DispatchedUtc, receivedUtc = s.ReceivedUtc, overdue = s.IsOverdue(now),
            }));
        });

        api.MapGet("/shipments/{barcode}/manifest", async (string barcode, HttpContext http, ManifestExport manifest, CancellationToken ct) =>
            await manifest.BuildAsync(http.Caller(), barcode, ct) is { } built
                ? Results.Json(built.Manifest, ManifestExport.Json)
                : Problems.NotFound($"No shipment {barcode} from or to your site."));

        api.MapGet("/shipments/{barcode}/manifest.pdf", (string barcode, HttpContext http, BuildShipmentDocuments documents, CancellationToken ct) =>
            DocumentAsync(documents, http, new ShipmentDocumentCommand(barcode, ShipmentDocumentKinds.Manifest), ct));

        // The receiving scan for scanners and integrations: the same use case as the shipment page's receive field.
        api.MapPost("/shipments/{barcode}/receive", async (string barcode, ReceiveRequest? body, HttpContext http, MoveShipment move, CancellationToken ct) =>
        {
            if (body is null || string.IsNullOrWhiteSpace(body.Barcode))
            {
                return Problems.Invalid("barcode", "Send JSON {\"barcode\": \"…\", \"damaged\": false, \"note\": null}; barcode is required.");
            }
            if (body.Note is { Length: > 500 })
            {
                return Problems.Invalid("note", "note: at most 500 characters.");
            }
            var result = await move.ScanAsync(http.Caller(), barcode, body.Barcode, body.Damaged ?? false, body.Note, ct);
            return result.Ok
                ? Results.Ok(new { barcode = result.Value!.Barcode, outcome = result.Value.Outcome, tubes = result.Value.Tubes, message = result.Value.Message })
                : Problems.From(result.Problem!);
        }).RequireAuthorization(Policies.Shipping);

        api.MapPost("/shipments/{barcode}/receive/finish", async (string barcode, FinishRequest? body, HttpContext http, MoveShipment move, CancellationToken ct) =>
        {
            var result = await move.FinishReceivingAsync(http.Caller(), barcode, body?.DryIceLeft, body?.LoggerOk, body?.Notes, ct);
            return result.Ok
                ? Results.Ok(new { ok = result.Value!.Ok, damaged = result.Value.Damaged, missing = result.Value.Missing, unexpected = result.Value.Unexpected })
                : Problems.From(result.Problem!);
        }).RequireAuthorization(Policies.Shipping);

        api.MapGet("/shipments/{barcode}/labels.pdf", (string barcode, HttpContext http, BuildShipmentDocuments documents, CancellationToken ct) =>
            DocumentAsync(documents, http, new ShipmentDocumentCommand(barcode, ShipmentDocumentKinds.PackageLabels), ct));
    }

    private static async Task<IResult> DocumentAsync(BuildShipmentDocuments documents, HttpContext http, ShipmentDocumentCommand cmd, CancellationToken ct)
    {
        var built = await documents.ExecuteAsync(http.Caller(), cmd, ct);
        return built.Ok ? Results.File(built.Value!.Content, built.Value.ContentType, built.Value.FileName) : Problems.From(built.Problem!);
    }
}
