using System.Net;
using Biobank.Core.Data;
using Biobank.Web.Tests.Support;
using Dapper;
using static Biobank.Core.Tests.Registry.RegistryFiles;
using static Biobank.Web.Tests.Registry.RegistrySteps;

namespace Biobank.Web.Tests.Security;

/// <summary>
/// A refusal shown to a site's user says no more about another site's material than an unknown
/// identifier would: files that mix LYO's rows with BRU's pseudonyms and barcodes, BRU's withdrawn
/// patients among them, get the same words for BRU's given, BRU's withdrawn and for no patient at all.
/// </summary>
public sealed class RefusalLeakTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private static string Code(string site) => $"{site}-L{Random.Shared.Next(100_000, 999_999)}";

    [Fact]
    public async Task A_site_users_registry_file_learns_nothing_of_another_sites_patients_or_their_consent()
    {
        var (bruGiven, bruWithdrawn) = (Code("BRU"), Code("BRU"));
        var admin = await app.SignInAsync("admin");
        (await UploadAsync(admin, "/Registry/ImportRegistry", "#import-registry", "bru.csv", Bytes(RegistryCsv(
            Patient(bruGiven), Patient(bruWithdrawn, consent: "withdrawn", consentDate: "2025-09-01"))))).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var lyo = await app.SignInAsync("admin.lyo");
        var file = RegistryCsv(Patient(Code("LYO"), site: "LYO"), Patient(bruGiven, site: "LYO"), Patient(bruWithdrawn, site: "LYO"), Patient(bruWithdrawn, site: "BRU"));
        var page = await RefusedAsync(await UploadAsync(lyo, "/Registry/ImportRegistry", "#import-registry", "mixed.csv", Bytes(file)));

        var problems = Problems(page);
        // Rows 3 and 4 carry BRU's consenting and withdrawn patients, claimed for LYO.
        var given = problems.Where(p => p.Row == "3").Select(p => p.Reason.Replace(bruGiven, "<pseudonym>", StringComparison.Ordinal)).ToList();
        var withdrawn = problems.Where(p => p.Row == "4").Select(p => p.Reason.Replace(bruWithdrawn, "<pseudonym>", StringComparison.Ordinal)).ToList();
        given.ShouldNotBeEmpty(string.Join("\n", problems));
        withdrawn.ShouldBe(given, "a withdrawn patient of another site reads exactly as a consenting one");
        // The refusal (the page's own help text explains consent_status and may name "withdrawn").
        var text = page.QuerySelector("#import-problems")!.TextContent + page.QuerySelector("#import-refused")!.TextContent;
        text.ShouldNotContain("withdraw", Case.Insensitive);
        text.ShouldNotContain("consent is", Case.Insensitive);
    }

    [Fact]
    public async Task A_rack_file_with_another_sites_tube_reads_as_an_unknown_tube()
    {
        string bruTube;
        await using (var c = await app.Get<IDb>().OpenAsync(default))
        {
            bruTube = await c.QuerySingleAsync<string>("""
                SELECT t.barcode FROM tube t JOIN site s ON s.id = t.site_id
                WHERE s.code = 'BRU' AND t.kind = 'aliquot' ORDER BY t.id LIMIT 1
                """);
        }

        var box = await WebLabData.NewBoxAsync(app, "tech.lyo");
        var client = await app.SignInAsync("tech.lyo");
        var reasons = new List<string>();
        // A well-formed aliquot barcode of LYO's that was never issued.
        var nobodys = Biobank.Core.Samples.Barcodes.Format("LYO", Biobank.Core.Samples.BarcodeKind.Aliquot, 99_999_999);
        foreach (var barcode in new[] { bruTube, nobodys })
        {
            var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync($"/Storage/Box/{box}"));
            var token = page.QuerySelector("#rack-import input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            using var content = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new ByteArrayContent(Bytes($"A1,{barcode}\n")), "RackFile", "rack.csv" },
            };
            var response = await client.PostAsync($"/Storage/Box/{box}?handler=Import", content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var html = await BiobankWebFactory.HtmlAsync(response);
            var text = html.QuerySelector("#import-problems")!.TextContent.Replace(barcode, "<barcode>", StringComparison.Ordinal);
            text.ShouldNotContain("BRU", Case.Insensitive, "the barcode typed is echoed; nothing else of its site");
            reasons.Add(text);
        }

        reasons[0].ShouldBe(reasons[1], "another site's tube is refused in the words used for a barcode nobody has");
    }
}
