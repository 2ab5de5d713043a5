using System.Net;
using System.Text;
using System.Text.Json;
using Biobank.Core.Assays;
using Biobank.Core.Data;
using Biobank.Web.Tests.Support;
using Dapper;

namespace Biobank.Web.Tests.Assays;

/// <summary>An assay file uploaded on the page is imported by the background job with the uploader's rights.</summary>
public sealed class AssayJobSiteTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_site_biologists_upload_naming_another_sites_aliquots_writes_nothing_and_reveals_nothing()
    {
        var bru = await WebLabData.NewAliquotsAsync(app, "tech.bru", 2);
        await using var c = await app.Get<IDb>().OpenAsync(default);
        var pseudonym = await c.ExecuteScalarAsync<string>("SELECT p.pseudonym FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.barcode = @B", new { B = bru[0] });
        var volumes = await c.ExecuteScalarAsync<decimal>("SELECT SUM(remaining_ul) FROM tube WHERE barcode IN @B", new { B = bru });
        var csv = new StringBuilder("SampleID,Index,OlinkID,UniProt,Assay,MissingFreq,Panel,Panel_Version,PlateID,QC_Warning,LOD,NPX\n");
        foreach (var a in bru)
        {
            csv.Append($"{a},1,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-L1,PASS,0.5,3.3\n");
        }
        var lyo = await app.SignInAsync("bio.lyo");
        var form = await BiobankWebFactory.HtmlAsync(await lyo.GetAsync("/Assays"));
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(form.QuerySelector("#import-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString())), "Upload", "results.csv" },
            { new StringContent("npx"), "Format" },
            { new StringContent("RUN-LYO-ON-BRU"), "RunCode" },
            { new StringContent("true"), "AddAnalytes" },
            { new StringContent("5"), "ConsumeUl" },
        };
        var response = await lyo.PostAsync("/Assays", upload);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var jobUrl = response.Headers.Location!.ToString();
        JsonElement done = default;
        for (var i = 0; i < 120; i++)
        {
            done = JsonDocument.Parse(await lyo.GetStringAsync(jobUrl + "?handler=Progress")).RootElement;
            if (done.GetProperty("finished").GetBoolean())
            {
                break;
            }
            await Task.Delay(250);
        }

        done.GetProperty("state").GetString().ShouldBe("failed", done.ToString());
        var page = await (await lyo.GetAsync(jobUrl)).Content.ReadAsStringAsync();
        page.ShouldContain("no aliquot of your site has this barcode");
        page.ShouldNotContain(pseudonym!);
        (await c.ExecuteScalarAsync<decimal>("SELECT SUM(remaining_ul) FROM tube WHERE barcode IN @B", new { B = bru })).ShouldBe(volumes, "no volume taken from BRU's aliquots");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_run WHERE run_code = 'RUN-LYO-ON-BRU'")).ShouldBe(0);
        var job = (await app.Get<ImportJobs>().GetAsync(long.Parse(jobUrl.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture), default))!;
        job.CreatedByUserId.ShouldNotBeNull();
        File.Exists(job.FilePath).ShouldBeFalse("the spooled upload is deleted once the job has ended");
    }
}
