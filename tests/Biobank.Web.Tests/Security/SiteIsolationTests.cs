using System.Net;
using System.Text.RegularExpressions;
using Biobank.Core.Accounts;
using Biobank.Core.Assays;
using Biobank.Core.Data;
using Biobank.Web.Tests.Support;
using Dapper;
using Xunit.Abstractions;

namespace Biobank.Web.Tests.Security;

/// <summary>
/// Issue #9, access: the users of one site (BRU) probe another site's (LYO) records through every route the app has,
/// read from the endpoint data source. Each route that names a record must answer 404 to BRU while it answers 200 to
/// LYO (so the probe really names a record), and no page, list, search, export or API answer a BRU user can open may
/// carry a LYO pseudonym or barcode.
/// </summary>
public sealed partial class SiteIsolationTests(BiobankWebFactory app, ITestOutputHelper output) : IClassFixture<BiobankWebFactory>
{
    [GeneratedRegex(@"LYO-\d{4}|LYO[A-Z]\d{8}[0-9A-Z]", RegexOptions.CultureInvariant)]
    private static partial Regex LyoIdentifier();

    // The role that works with each part of the app (the same role is used on both sites).
    private static string UserFor(string pattern, string site) => pattern switch
    {
        _ when pattern.StartsWith("/Admin", StringComparison.Ordinal) => $"admin.{site}",
        _ when pattern.StartsWith("/Assays", StringComparison.Ordinal) || pattern.StartsWith("/Analysis", StringComparison.Ordinal)
            || pattern.StartsWith("/Registry", StringComparison.Ordinal) || pattern.StartsWith("/api/v1/patients", StringComparison.Ordinal) => $"bio.{site}",
        _ when pattern.StartsWith("/Shipments", StringComparison.Ordinal) || pattern.StartsWith("/api/v1/shipments", StringComparison.Ordinal) => $"staff.{site}",
        _ => $"tech.{site}",
    };

    // Routes whose record is not a site's, each with the reason.
    private static readonly Dictionary<string, string> NotSiteOwned = new(StringComparer.Ordinal)
    {
        ["/Assays/Run/{code}"] = "an assay run belongs to the assay lab and is shared with every biologist; the flagged aliquots it lists are scoped (checked below)",
        ["/Admin/Jobs/{**path}"] = "Hangfire's dashboard: administrators only (404 for everyone else), the jobs of the whole installation; JobsDashboardTests checks each role",
    };

    private sealed record Ids
    {
        public string Tube { get; init; } = "";
        public string Box { get; init; } = "";
        public string Shipment { get; init; } = "";
        public string Pseudonym { get; init; } = "";
        public long PatientId { get; init; }
        public long CollectionId { get; init; }
        public long UserId { get; init; }
        public long SiteId { get; init; }
    }

    private async Task<(Ids Lyo, long Job)> LyoRecordsAsync()
    {
        await using var c = await app.Get<IDb>().OpenAsync(default);
        var ids = await c.QuerySingleAsync<Ids>("""
            SELECT (SELECT t.barcode FROM tube t JOIN site s ON s.id = t.site_id WHERE s.code = 'LYO' AND t.kind = 'aliquot' ORDER BY t.id LIMIT 1) AS Tube,
                   (SELECT b.barcode FROM box b JOIN site s ON s.id = b.site_id WHERE s.code = 'LYO' ORDER BY b.id LIMIT 1) AS Box,
                   (SELECT h.barcode FROM shipment h JOIN site f ON f.id = h.from_site_id JOIN site d ON d.id = h.to_site_id
                    WHERE f.code = 'LYO' AND d.code <> 'BRU' ORDER BY h.id LIMIT 1) AS Shipment,
                   (SELECT p.pseudonym FROM patient p JOIN site s ON s.id = p.site_id WHERE s.code = 'LYO' ORDER BY p.id LIMIT 1) AS Pseudonym,
                   (SELECT p.id FROM patient p JOIN site s ON s.id = p.site_id WHERE s.code = 'LYO' ORDER BY p.id LIMIT 1) AS PatientId,
                   (SELECT col.id FROM collection col JOIN patient p ON p.id = col.patient_id JOIN site s ON s.id = p.site_id WHERE s.code = 'LYO' ORDER BY col.id LIMIT 1) AS CollectionId,
                   (SELECT u.id FROM app_user u WHERE u.user_name = 'tech.lyo') AS UserId,
                   (SELECT id FROM site WHERE code = 'LYO') AS SiteId
            """);
        // An import job submitted by LYO's biologist (its refused file would list LYO aliquots).
        var bio = (await app.Get<UserAccounts>().FindByNameAsync("bio.lyo", default))!.ToCaller();
        var job = (await app.Get<ImportJobs>().EnqueueAsync(bio, new ImportJobRequest("/nonexistent/lyo.csv", "lyo.csv", AssayFileFormat.Npx, "LYO-PROBE-RUN"), default)).Value;
        return (ids, job);
    }

    private static string? Fill(string pattern, Ids lyo, long job) => pattern switch
    {
        "/Registry/Patient/{pseudonym}" => $"/Registry/Patient/{lyo.Pseudonym}",
        "/api/v1/patients/{pseudonym}" => $"/api/v1/patients/{lyo.Pseudonym}",
        "/Storage/Box/{barcode}" => $"/Storage/Box/{lyo.Box}",
        "/api/v1/boxes/{barcode}" => $"/api/v1/boxes/{lyo.Box}",
        "/Samples/Tube/{barcode}" => $"/Samples/Tube/{lyo.Tube}",
        "/api/v1/tubes/{barcode}" => $"/api/v1/tubes/{lyo.Tube}",
        "/Shipments/{barcode}" => $"/Shipments/{lyo.Shipment}",
        "/api/v1/shipments/{barcode}/manifest" => $"/api/v1/shipments/{lyo.Shipment}/manifest",
        "/api/v1/shipments/{barcode}/manifest.pdf" => $"/api/v1/shipments/{lyo.Shipment}/manifest.pdf",
        "/api/v1/shipments/{barcode}/labels.pdf" => $"/api/v1/shipments/{lyo.Shipment}/labels.pdf",
        "/Samples/Collections/{id:long}" => $"/Samples/Collections/{lyo.CollectionId}",
        "/Samples/Patients/{id:long}" => $"/Samples/Patients/{lyo.PatientId}",
        "/Admin/Users/Edit/{id:long}" => $"/Admin/Users/Edit/{lyo.UserId}",
        "/Admin/Sites/Edit/{id:long}" => $"/Admin/Sites/Edit/{lyo.SiteId}",
        "/Assays/Job/{id:long}" => $"/Assays/Job/{job}",
        _ => null,
    };

    private async Task<HttpClient> ClientAsync(string pattern, string user) =>
        pattern.StartsWith("/api", StringComparison.Ordinal) ? await app.BearerAsync(user) : await app.SignInAsync(user);

    [Fact]
    public async Task Every_route_that_names_a_record_answers_404_to_another_sites_user()
    {
        var (lyo, job) = await LyoRecordsAsync();
        var problems = new List<string>();
        var probed = 0;
        foreach (var route in Routes.All(app).Where(r => r.HasParameters && r.Methods.Contains("GET")).OrderBy(r => r.Pattern, StringComparer.Ordinal))
        {
            if (NotSiteOwned.TryGetValue(route.Pattern, out var why))
            {
                output.WriteLine($"{route.Pattern}: not a site's record — {why}");
                continue;
            }
            if (Fill(route.Pattern, lyo, job) is not { } url)
            {
                problems.Add($"{route.Pattern}: a new route that names a record — give the probe one of LYO's records for it");
                continue;
            }
            using var owner = await (await ClientAsync(route.Pattern, UserFor(route.Pattern, "lyo"))).GetAsync(url);
            using var other = await (await ClientAsync(route.Pattern, UserFor(route.Pattern, "bru"))).GetAsync(url);
            output.WriteLine($"{url}: {UserFor(route.Pattern, "lyo")} {(int)owner.StatusCode}, {UserFor(route.Pattern, "bru")} {(int)other.StatusCode}");
            if (owner.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"{url}: LYO's own user got {(int)owner.StatusCode}, so the probe names no record");
            }
            if (other.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"{url}: BRU's user got {(int)other.StatusCode}, not 404");
            }
            probed++;
        }
        problems.ShouldBeEmpty();
        probed.ShouldBeGreaterThanOrEqualTo(14);
    }

    [Fact]
    public async Task No_page_list_search_export_or_api_answer_shows_a_BRU_user_anything_of_LYO()
    {
        var (lyo, _) = await LyoRecordsAsync();
        var run = await (await app.Get<IDb>().OpenAsync(default)).ExecuteScalarAsync<string>("SELECT run_code FROM assay_run ORDER BY id LIMIT 1");
        var extra = new[]
        {
            "/Samples/Search?handler=Export", "/Samples/Search?q=LYO", "/Samples/Search?q=" + lyo.Tube, "/Registry?q=LYO",
            "/Analysis?Run=true&MinN=5", "/Analysis?handler=Export&what=data&MinN=5", "/Analysis?handler=Export&what=results&MinN=5",
            $"/Assays/Run/{run}", "/api/v1/tubes?limit=1000", "/api/v1/boxes", "/api/v1/shipments", "/api/v1/sites",
        };
        var pages = Routes.All(app).Where(r => !r.HasParameters && r.Methods.Contains("GET") && !r.Pattern.Contains('{', StringComparison.Ordinal))
            .Select(r => r.Pattern).Concat(extra).Distinct(StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        var read = 0;
        foreach (var user in new[] { "tech.bru", "staff.bru", "bio.bru", "admin.bru" })
        {
            var browser = await app.SignInAsync(user);
            var api = await app.BearerAsync(user);
            foreach (var url in pages)
            {
                using var r = await (url.StartsWith("/api", StringComparison.Ordinal) ? api : browser).GetAsync(url);
                if (r.StatusCode != HttpStatusCode.OK)
                {
                    continue;   // a page this role may not open
                }
                read++;
                var body = await r.Content.ReadAsStringAsync();
                if (LyoIdentifier().Match(body) is { Success: true } m)
                {
                    problems.Add($"{user} {url}: shows {m.Value}");
                }
            }
        }
        output.WriteLine($"{read} answers read by BRU's four users ({pages.Count} routes and exports)");
        problems.ShouldBeEmpty();
        read.ShouldBeGreaterThan(60);
    }
}
