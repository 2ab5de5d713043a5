using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Biobank.Cli;
using Biobank.Core.Accounts;
using Biobank.Core.Assays;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Labels;
using Biobank.Core.Shipments;
using Biobank.Core.Tests.Support;
using Biobank.Web.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Biobank.Web.Tests.Security;

/// <summary>
/// Issue #14, the proof that closes the class: every mutating endpoint of the running app — every Razor page handler
/// that is not GET and every API route with POST, PUT, PATCH or DELETE, read from the endpoint data source and the
/// compiled pages, so a new one fails this test until the probe is given a BRU record for it — is tried by LYO's
/// users (technician, staff, biologist and site administrator) against a record of site BRU: tube, box, rack,
/// freezer, shipment, collection, patient, user, site, assay run, import job, printer and API token. Pages get a real
/// antiforgery token of the attacker's session and the API a real bearer token, so a refusal is the app's, not the
/// plumbing's. After every attempt every table's row count and a checksum of every row of every table (BRU's data
/// included) must be as before, and the answer is 404 when the URL names BRU's record; when the record is named by a
/// form field or JSON body (the page itself is the attacker's own) the answer is a named refusal (the page again with
/// its message, 4xx), never a success, and never shows another of BRU's identifiers.
/// The CLI's verbs are listed, not probed: they run as the privileged operator (Caller.System, all sites) — whoever
/// runs them holds the server's database credentials and is no site's user.
/// </summary>
public abstract partial class WritePathProbeTests(ITestOutputHelper output)
{
    protected abstract string Provider { get; }

    [GeneratedRegex(@"BRU-\d{4}|BRU[A-Z]\d{8}[0-9A-Z]", RegexOptions.CultureInvariant)]
    private static partial Regex BruIdentifier();

    // A form's example value ("BRU-0042") is a hint, not a record.
    [GeneratedRegex("placeholder=\"[^\"]*\"", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>What the jobs queued by the attempts do once they run: checked after every attempt, when they have ended.</summary>
    private const string BackgroundJobs = "the background import job of LYO's assay upload";

    /// <summary>Mutating handlers that name no record of another site at all, each with the reason.</summary>
    private static readonly Dictionary<string, string> NoOtherSitesRecord = new(StringComparer.Ordinal)
    {
        ["/Account/Login POST"] = "signs the caller in; writes only the caller's own sign-in record",
        ["/Account/Logout POST"] = "signs the caller out",
        ["/Error POST"] = "shows the error page; writes nothing",
        ["/Analysis/Index POST Save"] = "saves the caller's own analysis settings; no site's record is named",
        ["/Shipments/Index POST Create"] = "the sender is always the caller's site (not a field); any site may be the destination by design",
    };

    /// <summary>
    /// Scanning BRU's tube on LYO's own inbound shipment records a discrepancy on that shipment ("not on the manifest"),
    /// as it must; finishing that receipt changes LYO's shipment and LYO's tubes. Neither may touch BRU's tube.
    /// </summary>
    private const string Scanning = "scanning on LYO's own inbound receipt";

    private const string Finishing = "finishing LYO's own inbound receipt";

    private sealed record Attempt(string Label, string User, string Url, bool ByRoute)
    {
        public Dictionary<string, string> Form { get; init; } = [];
        public object? Json { get; init; }
        public (string Field, string Name, string Content)? File { get; init; }
        public bool AcceptJson { get; init; }

        /// <summary>A table where the attempt may add one row that is the attacker's own (an upload's queued job), with why.</summary>
        public string? OwnRow { get; init; }

        /// <summary>
        /// The attempt is a legitimate act on LYO's own record (finishing LYO's own inbound receipt after BRU's tube was
        /// scanned on it): that record may change; what is held to zero is every row of BRU's tubes and their custody.
        /// </summary>
        public string? OwnRecord { get; init; }

        /// <summary>A BRU identifier the answer may show because a LYO user typed it on LYO's own record (a scanned barcode).</summary>
        public string? Shows { get; init; }

        public bool Api => Url.StartsWith("/api/", StringComparison.Ordinal);
    }

    private sealed record Bru
    {
        public long SiteId { get; init; }
        public string Tube { get; init; } = "";
        public long TubeId { get; init; }
        public string Tube2 { get; init; } = "";
        public long PrimaryId { get; init; }
        public long CollectionId { get; init; }
        public long PatientId { get; init; }
        public string Pseudonym { get; init; } = "";
        public string Box { get; init; } = "";
        public long RackId { get; init; }
        public long FreezerId { get; init; }
        public long UserId { get; init; }
        public string Packed { get; init; } = "";
        public string Reconciled { get; init; } = "";
        public long DiscrepancyId { get; init; }
        public string Draft { get; init; } = "";
        public string InTransit { get; init; } = "";
        public long PrinterId { get; init; }
        public long TokenId { get; init; }
        public long JobId { get; init; }
        public string Run { get; init; } = "";
    }

    private sealed record Lyo
    {
        public string Box { get; init; } = "";
        public string Tube { get; init; } = "";
        public long CollectionId { get; init; }
        public long PatientId { get; init; }
        public string Inbound { get; init; } = "";
    }

    /// <summary>The app with the import recovery loop left out, so BRU's queued job stays queued while it is probed.</summary>
    public sealed class ProbeFactory : BiobankWebFactory
    {
        private readonly string? _pgName;

        public ProbeFactory(string provider)
        {
            if (provider == "Postgres")
            {
                _pgName = $"bbprobe_{Guid.NewGuid():N}"[..30];
                Settings["Database:Provider"] = "Postgres";
                Settings["ConnectionStrings:Biobank"] = new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.Postgres!) { Database = _pgName }.ToString();
            }
        }

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s =>
            {
                foreach (var d in s.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "ImportRecoveryService").ToList())
                {
                    s.Remove(d);
                }
            });
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (_pgName is not null)
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.Postgres!) { Database = "postgres" }.ToString());
                admin.Open();
                using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", admin);
                drop.ExecuteNonQuery();
            }
        }
    }

    /// <summary>Every mutating endpoint: "PATTERN POST Handler" for a page handler, "METHOD PATTERN" for an API route.</summary>
    private static async Task<IReadOnlyList<string>> MutatingEndpointsAsync(ProbeFactory app)
    {
        var loader = app.Services.GetRequiredService<PageLoader>();
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                foreach (var h in compiled.HandlerMethods.Where(h => !string.Equals(h.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase)))
                {
                    result.Add($"{page.ViewEnginePath} {h.HttpMethod.ToUpperInvariant()}{(h.Name is null ? "" : " " + h.Name)}");
                }
                continue;
            }
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            foreach (var m in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                if (m is "POST" or "PUT" or "PATCH" or "DELETE")
                {
                    result.Add($"{m} {pattern}");
                }
            }
        }
        return result.ToList();
    }

    private static IReadOnlyList<Attempt>? AttemptsFor(string endpoint, Bru bru, Lyo lyo) => endpoint switch
    {
        "/Samples/Tube POST CheckOut" => [new("check out BRU's tube", "tech.lyo", $"/Samples/Tube/{bru.Tube}?handler=CheckOut", true)],
        "/Samples/Tube POST CheckIn" => [new("check in BRU's tube", "tech.lyo", $"/Samples/Tube/{bru.Tube}?handler=CheckIn", true)],
        "/Samples/Tube POST Consume" => [new("consume from BRU's tube", "tech.lyo", $"/Samples/Tube/{bru.Tube}?handler=Consume", true) { Form = { ["ConsumeVolumeUl"] = "1", ["ConsumeReason"] = "probe" } }],
        "/Samples/Tube POST Destroy" => [new("destroy BRU's tube", "tech.lyo", $"/Samples/Tube/{bru.Tube}?handler=Destroy", true) { Form = { ["DestroyReason"] = "probe" } }],
        "/Storage/Box POST Move" => [
            new("move BRU's box", "tech.lyo", $"/Storage/Box/{bru.Box}?handler=Move", true) { Form = { ["RackId"] = bru.RackId.ToString(), ["Reason"] = "probe" } },
            new("move LYO's box into BRU's rack", "tech.lyo", $"/Storage/Box/{lyo.Box}?handler=Move", false) { Form = { ["RackId"] = bru.RackId.ToString(), ["Reason"] = "probe" } }],
        "/Storage/Box POST Import" => [new("import a rack file into BRU's box", "tech.lyo", $"/Storage/Box/{bru.Box}?handler=Import", true) { File = ("RackFile", "rack.csv", $"position,barcode\nA1,{lyo.Tube}\n") },
            new("import a rack file naming BRU's tube into LYO's box", "tech.lyo", $"/Storage/Box/{lyo.Box}?handler=Import", false) { File = ("RackFile", "rack.csv", $"position,barcode\nJ10,{bru.Tube}\n") }],
        "/Storage/Scan POST Scan" => [
            new("store BRU's tube in LYO's box", "tech.lyo", "/Storage/Scan?handler=Scan", false) { AcceptJson = true, Form = { ["BoxCode"] = lyo.Box, ["Tube"] = bru.Tube, ["Move"] = "true", ["Mode"] = "store" } },
            new("store LYO's tube in BRU's box", "tech.lyo", "/Storage/Scan?handler=Scan", false) { AcceptJson = true, Form = { ["BoxCode"] = bru.Box, ["Tube"] = lyo.Tube, ["Move"] = "true", ["Mode"] = "store" } },
            new("check out BRU's tube at the scanning station", "tech.lyo", "/Storage/Scan?handler=Scan", false) { AcceptJson = true, Form = { ["Tube"] = bru.Tube, ["Mode"] = "checkout" } }],
        "/Storage/Index POST Freezer" => [new("add a freezer at BRU", "tech.lyo", "/Storage?handler=Freezer", false) { Form = { ["SiteId"] = bru.SiteId.ToString(), ["Name"] = "probe freezer", ["TemperatureC"] = "-80" } }],
        "/Storage/Index POST Rack" => [new("add a rack to BRU's freezer", "tech.lyo", "/Storage?handler=Rack", false) { Form = { ["FreezerId"] = bru.FreezerId.ToString(), ["Name"] = "probe rack" } }],
        "/Storage/Index POST Box" => [
            new("add a box at BRU", "tech.lyo", "/Storage?handler=Box", false) { Form = { ["SiteId"] = bru.SiteId.ToString(), ["Name"] = "probe box", ["Rows"] = "9", ["Cols"] = "9" } },
            new("add a box into BRU's rack", "tech.lyo", "/Storage?handler=Box", false) { Form = { ["RackId"] = bru.RackId.ToString(), ["Name"] = "probe box 2", ["Rows"] = "9", ["Cols"] = "9" } }],
        "/Samples/Collections/New POST" => [new("register a collection for BRU's patient", "tech.lyo", "/Samples/Collections/New", false)
        {
            Form = { ["PatientId"] = bru.PatientId.ToString(), ["Pseudonym"] = bru.Pseudonym, ["Input.TimepointId"] = "1", ["Input.CollectedDate"] = DateTime.UtcNow.ToString("yyyy-MM-dd"),
                ["Input.CollectedTime"] = "08:00", ["Input.Tubes[0].SampleTypeId"] = "1", ["Input.Tubes[0].VolumeUl"] = "1000" },
        }],
        "/Samples/Collections/Collection POST Processing" => [
            new("record processing on BRU's collection", "tech.lyo", $"/Samples/Collections/{bru.CollectionId}?handler=Processing", true) { Form = Processing(bru.PrimaryId) },
            new("record processing of BRU's tube under LYO's collection", "tech.lyo", $"/Samples/Collections/{lyo.CollectionId}?handler=Processing", false) { Form = Processing(bru.PrimaryId) }],
        "/Samples/Collections/Collection POST ByPlan" => [
            new("aliquot BRU's tube by plan", "tech.lyo", $"/Samples/Collections/{bru.CollectionId}?handler=ByPlan", true) { Form = { ["tubeId"] = bru.PrimaryId.ToString() } },
            new("aliquot BRU's tube by plan under LYO's collection", "tech.lyo", $"/Samples/Collections/{lyo.CollectionId}?handler=ByPlan", false) { Form = { ["tubeId"] = bru.PrimaryId.ToString() } }],
        "/Samples/Collections/Collection POST ByHand" => [
            new("aliquot BRU's tube by hand", "tech.lyo", $"/Samples/Collections/{bru.CollectionId}?handler=ByHand", true) { Form = Manual(bru.PrimaryId) },
            new("aliquot BRU's tube by hand under LYO's collection", "tech.lyo", $"/Samples/Collections/{lyo.CollectionId}?handler=ByHand", false) { Form = Manual(bru.PrimaryId) }],
        "/Samples/Patients/Index POST" => [new("register a patient at BRU", "tech.lyo", "/Samples/Patients", false)
        {
            Form = { ["Input.Pseudonym"] = "BRU-9999", ["Input.SiteId"] = bru.SiteId.ToString(), ["Input.Sex"] = "F", ["Input.BirthYear"] = "1960", ["Input.ConsentStatus"] = "consented", ["Input.ConsentDate"] = "2024-01-01" },
        }],
        "/Samples/Patients/Patient POST" => [new("edit BRU's patient", "tech.lyo", $"/Samples/Patients/{bru.PatientId}", true)
        {
            Form = { ["Input.Sex"] = "M", ["Input.BirthYear"] = "1950", ["Input.ConsentStatus"] = "withdrawn", ["Input.ConsentDate"] = "2024-01-01", ["Input.Reason"] = "probe" },
        }],
        "/Registry/Destruction POST" => [new("destroy BRU's tube from the destruction list", "tech.lyo", "/Registry/Destruction", false) { Form = { ["Barcodes"] = bru.Tube, ["Reason"] = "probe: consent withdrawn" } }],
        "/Registry/Destruction POST All" => [new("destroy all shown, BRU's tube among them", "tech.lyo", "/Registry/Destruction?handler=All", false) { Form = { ["ShownBarcodes"] = bru.Tube, ["Reason"] = "probe: consent withdrawn" } }],
        "/Registry/ImportRegistry POST" => [new("import registry rows for BRU's patient", "bio.lyo", "/Registry/ImportRegistry", false)
        {
            File = ("Upload", "registry.csv", $"pseudonym,site,sex,birth_year,diagnosis_date,treatment_start\n{bru.Pseudonym},BRU,M,1950,2024-01-01,2024-02-01\n"),
        }],
        "/Registry/ImportDoses POST" => [new("import doses for BRU's patient", "bio.lyo", "/Registry/ImportDoses", false)
        {
            Form = { ["VersionLabel"] = "probe", ["Note"] = "probe" }, File = ("Upload", "doses.csv", $"pseudonym,organ,metric,value\n{bru.Pseudonym},heart,mean,1.0\n"),
        }],
        "/Assays/Index POST" => [new("upload an assay file naming BRU's aliquot", "bio.lyo", "/Assays", false)
        {
            // A file the importer would accept, so the job really tries BRU's aliquot. The queued job is LYO's own record;
            // what it does when it runs is checked once the jobs have ended (BackgroundJobs).
            Form = { ["Format"] = "npx", ["RunCode"] = "PROBE-RUN-1", ["ConsumeUl"] = "10" },
            File = ("Upload", "probe.csv", "SampleID,Index,OlinkID,UniProt,Assay,MissingFreq,Panel,Panel_Version,PlateID,QC_Warning,LOD,NPX\n" +
                $"{bru.Tube},1,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-P1,PASS,0.5,3.2\n"),
            OwnRow = "import_job",
        }],
        "/Assays/Run POST Approve" => [new("approve a run holding BRU's aliquots", "bio.lyo", $"/Assays/Run/{bru.Run}?handler=Approve", true) { Form = { ["Note"] = "probe" } }],
        "/Assays/Run POST Reject" => [new("reject a run holding BRU's aliquots", "bio.lyo", $"/Assays/Run/{bru.Run}?handler=Reject", true) { Form = { ["Note"] = "probe" } }],
        "/Assays/Job POST Cancel" => [new("cancel BRU's import job", "bio.lyo", $"/Assays/Job/{bru.JobId}?handler=Cancel", true)],
        "/Labels/Index POST Preview" => [new("preview labels of BRU's tube", "tech.lyo", "/Labels?handler=Preview", false) { Form = { ["Source"] = "aliquots", ["Barcodes"] = bru.Tube, ["Output"] = "pdf" } }],
        "/Labels/Index POST Print" => [
            new("print LYO's tube on BRU's printer", "tech.lyo", "/Labels?handler=Print", false) { Form = { ["Source"] = "aliquots", ["Barcodes"] = lyo.Tube, ["Output"] = "printer", ["PrinterId"] = bru.PrinterId.ToString() } },
            new("print BRU's tube's label", "tech.lyo", "/Labels?handler=Print", false) { Form = { ["Source"] = "aliquots", ["Barcodes"] = bru.Tube, ["Output"] = "pdf" } }],
        "/Shipments/Detail POST Add" => [
            new("add to BRU's draft shipment", "staff.lyo", $"/Shipments/{bru.Draft}?handler=Add", true) { Form = { ["Code"] = lyo.Tube } },
            new("add BRU's tube to LYO's inbound shipment", "staff.lyo", $"/Shipments/{lyo.Inbound}?handler=Add", false) { Form = { ["Code"] = bru.Tube } }],
        "/Shipments/Detail POST Remove" => [new("remove a tube from BRU's draft shipment", "staff.lyo", $"/Shipments/{bru.Draft}?handler=Remove", true) { Form = { ["Code"] = bru.Tube2 } }],
        "/Shipments/Detail POST Pack" => [new("pack BRU's draft shipment", "staff.lyo", $"/Shipments/{bru.Draft}?handler=Pack", true)
        {
            Form = { ["Courier"] = "probe", ["TrackingNumber"] = "X1", ["DryIceKg"] = "5", ["LoggerId"] = "L1", ["Packages"] = "1", ["ResponsibleName"] = "probe", ["ResponsiblePhone"] = "+1 555 0100" },
        }],
        "/Shipments/Detail POST Dispatch" => [new("dispatch BRU's packed shipment", "staff.lyo", $"/Shipments/{bru.Packed}?handler=Dispatch", true)],
        "/Shipments/Detail POST Receive" => [
            new("receive on BRU's shipment in transit", "staff.lyo", $"/Shipments/{bru.InTransit}?handler=Receive", true) { Form = { ["Code"] = bru.Tube2 } },
            new("receive BRU's tube on a shipment to LYO (page)", "staff.lyo", $"/Shipments/{lyo.Inbound}?handler=Receive", false)
            {
                Form = { ["Code"] = bru.Tube }, OwnRecord = Scanning, Shows = bru.Tube,
            }],
        "/Shipments/Detail POST ReceiveRack" => [new("receive a rack file on BRU's shipment in transit", "staff.lyo", $"/Shipments/{bru.InTransit}?handler=ReceiveRack", true)
        {
            File = ("RackFile", "rack.csv", $"position,barcode\nA1,{bru.Tube2}\n"),
        }],
        "/Shipments/Detail POST Finish" => [
            new("finish receiving BRU's shipment in transit", "staff.lyo", $"/Shipments/{bru.InTransit}?handler=Finish", true) { Form = { ["DryIceLeft"] = "true", ["LoggerOk"] = "true" } },
            new("finish receiving after BRU's tube was scanned (page)", "staff.lyo", $"/Shipments/{lyo.Inbound}?handler=Finish", false)
            {
                Form = { ["DryIceLeft"] = "true", ["LoggerOk"] = "true" }, OwnRecord = Finishing, Shows = bru.Tube,
            }],
        "/Shipments/Detail POST Reconcile" => [new("reconcile BRU's shipment", "staff.lyo", $"/Shipments/{bru.Reconciled}?handler=Reconcile", true) { Form = { ["Note"] = "probe" } }],
        "/Shipments/Detail POST Resolve" => [new("resolve a discrepancy of BRU's shipment", "staff.lyo", $"/Shipments/{bru.Reconciled}?handler=Resolve", true)
        {
            Form = { ["DiscrepancyId"] = bru.DiscrepancyId.ToString(), ["Resolution"] = "found", ["Note"] = "probe" },
        }],
        "/Shipments/Index POST Open" => [new("open BRU's shipment by its barcode", "staff.lyo", "/Shipments?handler=Open", false) { Form = { ["Scan"] = bru.Packed } }],
        "/Shipments/ImportManifest POST" => [new("import an external manifest naming BRU's patient", "staff.lyo", "/Shipments/ImportManifest", false)
        {
            Form = { ["FromSite"] = "BRU" },
            File = ("Upload", "manifest.csv", $"pseudonym,barcode,sample_type,timepoint,volume_ul,collected_utc\n{bru.Pseudonym},{bru.Tube},PLASMA,BASELINE,250,2024-01-01T08:00:00Z\n"),
        }],
        "/Admin/Users/Index POST" => [new("create a user at BRU", "admin.lyo", "/Admin/Users", false)
        {
            Form = { ["Input.UserName"] = "probe.bru", ["Input.DisplayName"] = "Probe", ["Input.Password"] = "Probe-password-123!", ["Input.SiteId"] = bru.SiteId.ToString(), ["Input.Roles"] = "technician" },
        }],
        "/Admin/Users/Edit POST" => [new("edit BRU's technician", "admin.lyo", $"/Admin/Users/Edit/{bru.UserId}", true)
        {
            Form = { ["Input.DisplayName"] = "Probe", ["Input.SiteId"] = bru.SiteId.ToString(), ["Input.Roles"] = "admin", ["Input.Disabled"] = "true", ["Input.Reason"] = "probe" },
        }],
        "/Admin/Users/Edit POST ResetPassword" => [new("reset the password of BRU's technician", "admin.lyo", $"/Admin/Users/Edit/{bru.UserId}?handler=ResetPassword", true) { Form = { ["NewPassword"] = "Probe-password-123!" } }],
        "/Admin/Sites/Index POST" => [new("create a site (consortium-wide)", "admin.lyo", "/Admin/Sites", false)
        {
            Form = { ["Input.Code"] = "PRB", ["Input.Name"] = "Probe", ["Input.Country"] = "FR", ["Input.Kind"] = "collection", ["Input.BarcodePrefix"] = "Q", ["Input.Active"] = "true", ["Input.Reason"] = "probe" },
        }],
        "/Admin/Sites/Edit POST" => [new("edit site BRU", "admin.lyo", $"/Admin/Sites/Edit/{bru.SiteId}", true)
        {
            Form = { ["Input.Code"] = "BRU", ["Input.Name"] = "Taken", ["Input.Country"] = "BE", ["Input.Kind"] = "collection", ["Input.BarcodePrefix"] = "B", ["Input.Active"] = "false", ["Input.Reason"] = "probe" },
        }],
        "/Admin/Tokens/Index POST Create" => [new("create an API token for BRU's technician", "admin.lyo", "/Admin/Tokens?handler=Create", false) { Form = { ["UserId"] = bru.UserId.ToString(), ["Name"] = "probe" } }],
        "/Admin/Tokens/Index POST Revoke" => [new("revoke BRU's API token", "admin.lyo", "/Admin/Tokens?handler=Revoke", false) { Form = { ["tokenId"] = bru.TokenId.ToString() } }],
        "/Admin/Printers/Index POST" => [new("add a printer at BRU", "admin.lyo", "/Admin/Printers", false)
        {
            Form = { ["Input.SiteId"] = bru.SiteId.ToString(), ["Input.Name"] = "probe", ["Input.Host"] = "printer.example.org", ["Input.Port"] = "9100", ["Input.Dpi"] = "203" },
        }],
        "/Admin/Printers/Index POST Deactivate" => [new("deactivate BRU's printer", "admin.lyo", "/Admin/Printers?handler=Deactivate", false) { Form = { ["id"] = bru.PrinterId.ToString(), ["reason"] = "probe" } }],
        "/Admin/Protocol/Index POST Timepoint" => [new("add a timepoint to the consortium protocol", "admin.lyo", "/Admin/Protocol?handler=Timepoint", false)
        {
            Form = { ["NewTimepoint.Code"] = "PROBE", ["NewTimepoint.Name"] = "Probe", ["NewTimepoint.SortOrder"] = "99" },
        }],
        "/Admin/Protocol/Index POST SampleType" => [new("add a sample type to the consortium protocol", "admin.lyo", "/Admin/Protocol?handler=SampleType", false)
        {
            Form = { ["NewType.Code"] = "PRB", ["NewType.Name"] = "Probe", ["NewType.Kind"] = "aliquot", ["NewType.SprecType"] = "PL1", ["NewType.SprecContainer"] = "PPS", ["NewType.DefaultVolumeUl"] = "100", ["NewType.Colour"] = "#112233" },
        }],
        "/Admin/Protocol/Index POST Plan" => [new("change an aliquoting plan of the consortium protocol", "admin.lyo", "/Admin/Protocol?handler=Plan", false)
        {
            Form = { ["Plan.PrimaryTypeId"] = "1", ["Plan.AliquotTypeId"] = "2", ["Plan.Count"] = "9", ["Plan.VolumeUl"] = "100" },
        }],
        "/Admin/Protocol/Index POST RemovePlan" => [new("remove an aliquoting plan of the consortium protocol", "admin.lyo", "/Admin/Protocol?handler=RemovePlan", false) { Form = { ["planId"] = "1" } }],
        "POST /api/v1/shipments/{barcode}/receive" => [
            new("receive on BRU's shipment in transit (API)", "staff.lyo", $"/api/v1/shipments/{bru.InTransit}/receive", true) { Json = new { barcode = bru.Tube2 } },
            new("receive BRU's tube on a shipment to LYO (API)", "staff.lyo", $"/api/v1/shipments/{lyo.Inbound}/receive", false)
            {
                Json = new { barcode = bru.Tube }, OwnRecord = Scanning, Shows = bru.Tube,
            }],
        "POST /api/v1/shipments/{barcode}/receive/finish" => [
            new("finish receiving BRU's shipment in transit (API)", "staff.lyo", $"/api/v1/shipments/{bru.InTransit}/receive/finish", true) { Json = new { dryIceLeft = true, loggerOk = true } },
            new("finish receiving after BRU's tube was scanned (API)", "staff.lyo", $"/api/v1/shipments/{lyo.Inbound}/receive/finish", false)
            {
                Json = new { dryIceLeft = true, loggerOk = true }, OwnRecord = Finishing, Shows = bru.Tube,
            }],
        "POST /api/v1/boxes" => [new("create a box with BRU's box barcode (API)", "tech.lyo", "/api/v1/boxes", false) { Json = new { name = "probe", rows = 9, columns = 9, barcode = bru.Box } }],
        "POST /api/v1/boxes/{boxBarcode}/tubes" => [
            new("store LYO's tube in BRU's box (API)", "tech.lyo", $"/api/v1/boxes/{bru.Box}/tubes", true) { Json = new { barcode = lyo.Tube, move = true } },
            new("store BRU's tube in LYO's box (API)", "tech.lyo", $"/api/v1/boxes/{lyo.Box}/tubes", false) { Json = new { barcode = bru.Tube, move = true } }],
        _ => null,
    };

    private static Dictionary<string, string> Processing(long tubeId) => new()
    {
        ["Processing.TubeId"] = tubeId.ToString(), ["Processing.ProcessingStartUtc"] = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm"),
        ["Processing.PreCentrifugeTemp"] = "RT", ["Processing.CentrifugeTempC"] = "4", ["Processing.CentrifugeG"] = "2000", ["Processing.CentrifugeMinutes"] = "10",
        ["Processing.Braking"] = "true", ["Processing.FrozenUtc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm"), ["Processing.StorageTempC"] = "-80",
    };

    private static Dictionary<string, string> Manual(long tubeId) => new()
    {
        ["Manual.TubeId"] = tubeId.ToString(), ["Manual.AliquotTypeId"] = "2", ["Manual.Count"] = "2", ["Manual.VolumeUl"] = "10",
    };

    private static async Task<(Bru Bru, Lyo Lyo)> RecordsAsync(ProbeFactory app)
    {
        async Task<Caller> As(string user) => (await app.Get<UserAccounts>().FindByNameAsync(user, default))!.ToCaller();
        static T Must<T>(Result<T> r) => r.Ok ? r.Value! : throw new InvalidOperationException(r.Problem!.Message);
        await using var c = await app.Get<IDb>().OpenAsync(default);
        var ids = await c.QuerySingleAsync<Bru>("""
            SELECT (SELECT id FROM site WHERE code = 'BRU') AS SiteId,
                   (SELECT id FROM app_user WHERE user_name = 'tech.bru') AS UserId,
                   (SELECT p.id FROM patient p JOIN site s ON s.id = p.site_id WHERE s.code = 'BRU' ORDER BY p.id LIMIT 1) AS PatientId,
                   (SELECT p.pseudonym FROM patient p JOIN site s ON s.id = p.site_id WHERE s.code = 'BRU' ORDER BY p.id LIMIT 1) AS Pseudonym,
                   (SELECT r.id FROM rack r JOIN freezer f ON f.id = r.freezer_id JOIN site s ON s.id = f.site_id WHERE s.code = 'BRU' ORDER BY r.id LIMIT 1) AS RackId,
                   (SELECT f.id FROM freezer f JOIN site s ON s.id = f.site_id WHERE s.code = 'BRU' ORDER BY f.id LIMIT 1) AS FreezerId,
                   (SELECT run_code FROM assay_run WHERE status = 'imported' ORDER BY id LIMIT 1) AS Run
            """);
        var shipments = (await c.QueryAsync<(string Barcode, string State)>("""
            SELECT h.barcode, h.state FROM shipment h JOIN site f ON f.id = h.from_site_id WHERE f.code = 'BRU' ORDER BY h.id
            """)).AsList();
        var staff = await As("staff.bru");
        var tech = await As("tech.bru");
        var sto = await c.ExecuteScalarAsync<long>("SELECT id FROM site WHERE code = 'STO'");
        var lyoSite = await c.ExecuteScalarAsync<long>("SELECT id FROM site WHERE code = 'LYO'");

        // BRU's own aliquots, made the way BRU's technician makes them, stored in a BRU box.
        async Task<(IReadOnlyList<string> Tubes, string Box)> StoredAsync(string user, int count)
        {
            var tubes = await WebLabData.NewAliquotsAsync(app, user, count);
            var into = await WebLabData.NewBoxAsync(app, user);
            var who = await As(user);
            foreach (var t in tubes)
            {
                Must(await app.Get<Biobank.Core.Storage.StoreTube>().ExecuteAsync(who, new Biobank.Core.Storage.StoreCommand(into, t, null, false), default));
            }
            return (tubes, into);
        }

        var (aliquots, box) = await StoredAsync("tech.bru", 4);
        var tube = await app.Get<Biobank.Core.Samples.TubeQueries>().ByBarcodeAsync(tech, aliquots[0], default);
        var primary = await c.QuerySingleAsync<(long Id, long CollectionId)>("SELECT id, collection_id FROM tube WHERE id = @Id", new { Id = tube!.ParentId });

        // A draft holding one tube, and one in transit to STO.
        var build = app.Get<BuildShipment>();
        var move = app.Get<MoveShipment>();
        var draft = Must(await build.CreateAsync(staff, sto, default));
        Must(await build.AddAsync(staff, draft, aliquots[1], default));
        var transit = Must(await build.CreateAsync(staff, sto, default));
        Must(await build.AddAsync(staff, transit, aliquots[2], default));
        Must(await build.PackAsync(staff, transit, new PackInput("probe", "T1", 5m, "L1", 1, "staff.bru", "+32 2 555 01 00"), default));
        Must(await move.DispatchAsync(staff, transit, default));

        // LYO's own side: a box, a tube, a collection, and a shipment in transit from AAR to LYO that LYO receives.
        var (lyoTubes, lyoBox) = await StoredAsync("tech.lyo", 1);
        var lyoCollection = await c.ExecuteScalarAsync<long>("SELECT collection_id FROM tube WHERE id = (SELECT parent_id FROM tube WHERE barcode = @B)", new { B = lyoTubes[0] });
        var staffAar = await As("staff.aar");
        var (aarTubes, _) = await StoredAsync("tech.aar", 1);
        var inbound = Must(await build.CreateAsync(staffAar, lyoSite, default));
        Must(await build.AddAsync(staffAar, inbound, aarTubes[0], default));
        Must(await build.PackAsync(staffAar, inbound, new PackInput("probe", "T2", 5m, "L2", 1, "staff.aar", "+45 86 55 01 00"), default));
        Must(await move.DispatchAsync(staffAar, inbound, default));

        var admin = await As("admin.bru");
        var printer = Must(await app.Get<Printers>().AddAsync(admin, new PrinterInput(ids.SiteId, "BRU bench", "zebra-bru.example.org"), default));
        var tokenId = Must(await app.Get<ApiTokens>().CreateAsync(admin, tech.UserId, "BRU scanner", default)).Id;
        var job = Must(await app.Get<ImportJobs>().EnqueueAsync(await As("bio.bru"), new ImportJobRequest("/nonexistent/bru.csv", "bru.csv", AssayFileFormat.Npx, "BRU-PROBE-RUN"), default));
        var reconciled = shipments.First(s => s.State == ShipmentStates.Reconciled).Barcode;
        var discrepancy = await c.ExecuteScalarAsync<long?>("SELECT d.id FROM discrepancy d JOIN shipment h ON h.id = d.shipment_id WHERE h.barcode = @B ORDER BY d.id LIMIT 1", new { B = reconciled }) ?? 0;
        return (ids with
        {
            Tube = aliquots[0], TubeId = tube.Id, Tube2 = aliquots[1], PrimaryId = primary.Id, CollectionId = primary.CollectionId, Box = box,
            Packed = shipments.First(s => s.State == ShipmentStates.Packed).Barcode, Reconciled = reconciled, DiscrepancyId = discrepancy,
            Draft = draft, InTransit = transit, PrinterId = printer, TokenId = tokenId, JobId = job,
        }, new Lyo { Box = lyoBox, Tube = lyoTubes[0], CollectionId = lyoCollection, Inbound = inbound });
    }

    private sealed class Session(HttpClient client, string? antiforgery)
    {
        public HttpClient Client { get; } = client;
        public string? Antiforgery { get; } = antiforgery;
    }

    private static async Task<Session> SessionAsync(ProbeFactory app, string user, bool api)
    {
        if (api)
        {
            return new Session(await app.BearerAsync(user), null);
        }
        var client = await app.SignInAsync(user);
        // One antiforgery token serves every form of this session: it is bound to the cookie and the user, not to a page.
        foreach (var page in new[] { "/Storage", "/Shipments", "/Assays", "/Admin/Users", "/Registry/Destruction" })
        {
            using var r = await client.GetAsync(page);
            if (r.StatusCode == HttpStatusCode.OK
                && new HtmlParser().ParseDocument(await r.Content.ReadAsStringAsync()).QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value") is { } token)
            {
                return new Session(client, token);
            }
        }
        throw new InvalidOperationException($"No page with a form for {user}.");
    }

    private static HttpContent Body(Attempt a, Session s)
    {
        if (a.Api)
        {
            return JsonContent.Create(a.Json ?? new { });
        }
        var fields = new Dictionary<string, string>(a.Form) { ["__RequestVerificationToken"] = s.Antiforgery! };
        if (a.File is not { } file)
        {
            return new FormUrlEncodedContent(fields);
        }
        var multipart = new MultipartFormDataContent();
        foreach (var (k, v) in fields)
        {
            multipart.Add(new StringContent(v), k);
        }
        multipart.Add(new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(file.Content)), file.Field, file.Name);
        return multipart;
    }

    [Fact]
    public async Task Another_sites_users_change_nothing_of_BRU_through_any_mutating_endpoint()
    {
        if (Provider == "Postgres" && TestEnvironment.Postgres is null)
        {
            // CI always sets it (PostgresPresenceTests fails there without it); on a laptop without a server, say so.
            output.WriteLine("No PostgreSQL: set BIOBANK_TEST_POSTGRES or run scripts/test.sh, which starts one. Not run.");
            return;
        }
        var watch = Stopwatch.StartNew();
        using var app = new ProbeFactory(Provider);
        var endpoints = await MutatingEndpointsAsync(app);
        var (bru, lyo) = await RecordsAsync(app);
        var problems = new List<string>();
        var plan = new List<Attempt>();
        foreach (var endpoint in endpoints)
        {
            if (NoOtherSitesRecord.TryGetValue(endpoint, out var why))
            {
                output.WriteLine($"{endpoint}: not probed — {why}");
                continue;
            }
            if (AttemptsFor(endpoint, bru, lyo) is not { } attempts)
            {
                problems.Add($"{endpoint}: a new mutating endpoint — give the probe a BRU record to try it on");
                continue;
            }
            foreach (var a in attempts)
            {
                plan.Add(a);
                // The same attempt by LYO's site administrator, whose role passes every folder's policy.
                if (a.User != "admin.lyo")
                {
                    plan.Add(a with { User = "admin.lyo" });
                }
            }
        }

        // Acts on LYO's own records last: finishing LYO's receipt comes after BRU's tube was scanned on it.
        plan = plan.OrderBy(a => a.OwnRecord switch { null => 0, Scanning => 1, _ => 2 }).ToList();
        var ownTables = new HashSet<string>(StringComparer.Ordinal);
        var ownRows = new Dictionary<string, long>(StringComparer.Ordinal);

        var sessions = new Dictionary<(string, bool), Session>();
        foreach (var key in plan.Select(a => (a.User, a.Api)).Distinct())
        {
            sessions[key] = await SessionAsync(app, key.User, key.Api);
        }
        var db = app.Get<IDb>();

        // The jobs LYO's uploads queue run on Hangfire's workers; what they do belongs to the upload that queued them.
        async Task JobsEndedAsync()
        {
            await using var c = await db.OpenAsync(default);
            var waited = Stopwatch.StartNew();
            while (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM import_job WHERE id > @Bru AND state IN ('queued', 'running')", new { Bru = bru.JobId }) > 0
                   && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }

        var start = await DatabaseFingerprint.TakeAsync(db);
        var bruRows = await DatabaseFingerprint.TakeBruTubesAsync(db, bru.SiteId);
        var before = await DatabaseFingerprint.TakeAsync(db, DatabaseFingerprint.PerAttemptRows);
        var changed = 0;
        foreach (var a in plan)
        {
            var s = sessions[(a.User, a.Api)];
            using var request = new HttpRequestMessage(HttpMethod.Post, a.Url) { Content = Body(a, s) };
            if (a.AcceptJson)
            {
                request.Headers.Accept.ParseAdd("application/json");
            }
            using var response = await s.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (a.OwnRow == "import_job")
            {
                await JobsEndedAsync();
            }
            var after = await DatabaseFingerprint.TakeAsync(db, DatabaseFingerprint.PerAttemptRows);
            var changes = before.Changes(after)
                .Where(c => a.OwnRow is null || c != $"{a.OwnRow}: {before.Tables[a.OwnRow].Rows} → {before.Tables[a.OwnRow].Rows + 1} rows").ToList();
            if (a.OwnRow is not null && changes.Count < before.Changes(after).Count)
            {
                ownRows[a.OwnRow] = ownRows.GetValueOrDefault(a.OwnRow) + 1;
            }
            if (a.OwnRecord is not null)
            {
                // LYO's own record changed, as it may; BRU's tubes and their custody must not have.
                ownTables.UnionWith(changes.Select(c => c.Split(':')[0]));
                changes = bruRows.Changes(await DatabaseFingerprint.TakeBruTubesAsync(db, bru.SiteId)).ToList();
            }
            before = after;
            var status = (int)response.StatusCode;
            output.WriteLine($"{a.User,-10} {(a.ByRoute ? "route" : "field")} {status} {a.Label}{(changes.Count > 0 ? " — CHANGED " + string.Join("; ", changes) : "")}");
            if (changes.Count > 0)
            {
                changed++;
                problems.Add($"{a.User} {a.Label} ({a.Url}): {string.Join("; ", changes)}");
            }
            if (a.ByRoute && response.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"{a.User} {a.Label} ({a.Url}): answered {status}, not 404");
            }
            // A role that may not use the handler at all is sent to the access-denied page: a refusal too.
            var deniedByRole = response.Headers.Location?.OriginalString.Contains("/Account/AccessDenied", StringComparison.Ordinal) == true;
            // An upload is accepted for the background job (a redirect to the job's page); the job is the one to refuse.
            var queued = a.OwnRow is not null && status == 302;
            if (!a.ByRoute && !deniedByRole && !queued && a.OwnRecord is null && (status is >= 200 and < 300 && !IsRefusalPage(body) || status is >= 300 and < 400))
            {
                problems.Add($"{a.User} {a.Label} ({a.Url}): answered {status} with no refusal");
            }
            var sent = string.Join(" ", a.Form.Values) + " " + a.Shows + " " + a.Url + " " + (a.Json is null ? "" : System.Text.Json.JsonSerializer.Serialize(a.Json)) + " " + a.File?.Content;
            foreach (Match m in BruIdentifier().Matches(Placeholder().Replace(body, "")))
            {
                if (!sent.Contains(m.Value, StringComparison.Ordinal))
                {
                    problems.Add($"{a.User} {a.Label}: the answer shows BRU's {m.Value}");
                    break;
                }
            }
        }
        // Any job still running on Hangfire's workers: wait for it to end, then compare once more.
        await JobsEndedAsync();
        var afterJobs = await DatabaseFingerprint.TakeAsync(db, DatabaseFingerprint.PerAttemptRows);
        if (before.Changes(afterJobs) is { Count: > 0 } byJobs)
        {
            output.WriteLine($"{BackgroundJobs} — CHANGED {string.Join("; ", byJobs)}");
            changed++;
            problems.Add($"{BackgroundJobs}: {string.Join("; ", byJobs)}");
        }

        // The large tables (assay results, custody events) are counted after each attempt and checksummed over the whole
        // run: every row of every table is compared once more here.
        var end = await DatabaseFingerprint.TakeAsync(db);
        foreach (var change in start.Changes(end))
        {
            var table = change.Split(':')[0];
            var ownGrowth = ownRows.TryGetValue(table, out var n)
                && change == $"{table}: {start.Tables[table].Rows} → {start.Tables[table].Rows + n} rows";
            if (!ownGrowth && !ownTables.Contains(table)
                && !problems.Any(p => p.Contains($" {table}: ", StringComparison.Ordinal) || p.Contains($"): {table}: ", StringComparison.Ordinal)))
            {
                changed++;
                problems.Add($"over the whole run: {change}");
            }
        }
        var figures = $"{Provider}: {endpoints.Count} mutating endpoints ({endpoints.Count - NoOtherSitesRecord.Count(e => endpoints.Contains(e.Key))} probed), " +
            $"{plan.Count} attempts by {sessions.Keys.Select(k => k.Item1).Distinct().Count()} LYO users, {changed} changes found, " +
            $"{end.Tables.Count} tables / {end.RowTotal} rows checksummed, {watch.Elapsed.TotalSeconds:0} s";
        output.WriteLine(figures);
        problems.ShouldBeEmpty(figures);
        plan.Count.ShouldBeGreaterThan(60);
    }

    /// <summary>A page shown again with its refusal: a validation summary, a field error, or a scan's error.</summary>
    private static bool IsRefusalPage(string body) =>
        body.Contains("validation-summary-errors", StringComparison.Ordinal) || body.Contains("field-validation-error", StringComparison.Ordinal)
        || body.Contains("\"ok\":false", StringComparison.OrdinalIgnoreCase) || body.Contains("scan-error", StringComparison.Ordinal)
        || body.Contains("alert-danger", StringComparison.Ordinal);
}

public sealed class WritePathProbeOnSqliteTests(ITestOutputHelper output) : WritePathProbeTests(output)
{
    protected override string Provider => "Sqlite";
}

public sealed class WritePathProbeOnPostgresTests(ITestOutputHelper output) : WritePathProbeTests(output)
{
    protected override string Provider => "Postgres";
}

public sealed class WritingVerbsAndJobsTests(ITestOutputHelper output)
{
    /// <summary>
    /// The CLI's verbs, each said to write or only read. None is probed as a site's user: every verb runs as the
    /// privileged operator (Caller.System, all sites), because whoever runs it on the server holds the database's
    /// credentials anyway. A new verb fails here until someone says which it is.
    /// </summary>
    [Fact]
    public void Every_CLI_verb_is_known_to_write_or_read_and_runs_as_the_operator()
    {
        var writes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["migrate"] = "applies schema migrations",
            ["grant-app-role"] = "grants the database role the app connects as",
            ["create-token"] = "issues an API token for a named user",
            ["seed-demo"] = "writes the demo data",
            ["restore"] = "restores a backup into an empty database",
            ["import-registry"] = "imports the clinical registry for every site",
            ["import-doses"] = "imports a dose version for every site",
            ["import-assay"] = "imports an assay file for every site",
        };
        var reads = new HashSet<string>(StringComparer.Ordinal) { "associate", "backup", "check", "labels" };
        var unknown = VerbCatalog.All.Select(v => v.Name).Where(n => !writes.ContainsKey(n) && !reads.Contains(n)).ToList();
        unknown.ShouldBeEmpty("a new CLI verb: say whether it writes (and what) or only reads");
        foreach (var (verb, what) in writes.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"biobank {verb}: {what} — as the operator, all sites");
        }
    }

    /// <summary>
    /// The background jobs that write, found by type so a new one fails here until someone says as whom it runs. A
    /// job is not an endpoint: it runs what an endpoint queued, so the endpoint's attempt above is its probe.
    /// </summary>
    [Fact]
    public void Every_background_job_is_known_and_says_as_whom_it_runs()
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AssayImportJob"] = "imports a queued assay file; probed through POST /Assays (upload) above. Runs as the submitting user (its id on the job), with that account's current roles and site",
            ["LabelBatchJob"] = "sends a queued label batch to its site's printer; probed through POST /Labels?handler=Print above. Runs as the user who queued it (LabelBatches.SendAsync)",
            ["IntegrityCheckJob"] = "nightly, recurring: reads only (the checks of `biobank check`) and writes its outcome to maintenance_run; no endpoint queues it but the dashboard's trigger, central administrators only",
            ["BackupJob"] = "nightly, recurring: an online backup into Biobank:Backup:Folder (the file system, not the database) and its outcome to maintenance_run; central administrators may trigger it on the dashboard",
            ["OverdueShipmentsJob"] = "recurring: as the system, marks every site's dispatched shipments overdue once (overdue_noticed_utc, audited); no user input reaches it; central administrators may trigger it on the dashboard",
        };
        // A Hangfire job is any class of the Jobs folder whose name ends in Job; what it runs is its public RunAsync.
        var jobs = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Namespace == "Biobank.Web.Jobs" && t.Name.EndsWith("Job", StringComparison.Ordinal) && t.GetMethod("RunAsync") is not null)
            .Select(t => t.Name).ToList();
        jobs.ShouldNotBeEmpty();
        jobs.Where(j => !known.ContainsKey(j)).ShouldBeEmpty("a new background job: say as whom it runs and which endpoint's probe covers it");
        foreach (var j in jobs)
        {
            output.WriteLine($"{j}: {known[j]}");
        }
    }
}
