using System.Net;
using System.Text;
using System.Text.Json;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Assays;

/// <summary>The import page hands the file to a Hangfire background job; the job page's progress endpoint tells when it is done.</summary>
public sealed class AssayImportPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private static async Task<(HttpResponseMessage Response, string JobUrl)> UploadAsync(HttpClient client, string csv, string run, string format = "npx")
    {
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Assays"));
        var token = page.QuerySelector("#import-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "Upload", "results.csv" },
            { new StringContent(format), "Format" },
            { new StringContent(run), "RunCode" },
            { new StringContent("true"), "AddAnalytes" },
            { new StringContent("0"), "ConsumeUl" },
        };
        var response = await client.PostAsync("/Assays", content);
        return (response, response.Headers.Location?.ToString() ?? "");
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string jobUrl)
    {
        for (var i = 0; i < 120; i++)
        {
            var p = JsonDocument.Parse(await client.GetStringAsync(jobUrl + "?handler=Progress")).RootElement;
            if (p.GetProperty("finished").GetBoolean())
            {
                return p;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("the import job did not finish");
    }

    [Fact]
    public async Task A_good_file_is_imported_by_the_background_job_and_its_run_can_be_approved()
    {
        var aliquots = await WebLabData.NewAliquotsAsync(app, "tech.bru", 3);
        var csv = new StringBuilder("SampleID,Index,OlinkID,UniProt,Assay,MissingFreq,Panel,Panel_Version,PlateID,QC_Warning,LOD,NPX\n");
        var i = 0;
        foreach (var a in aliquots)
        {
            csv.Append($"{a},{++i},OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-T1,PASS,0.5,{3.1 + i}\n");
            csv.Append($"{a},{i},OID02,P45379,TNNT2,0,CARDIOMETABOLIC,v1,PLATE-T1,PASS,0.4,{2.2 + i}\n");
        }
        csv.Append("CONTROL_1,99,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-T1,PASS,0.5,4.0\n");
        var client = await app.SignInAsync("biologist");
        var (response, job) = await UploadAsync(client, csv.ToString(), "RUN-WEB-1");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        job.ShouldStartWith("/Assays/Job/");
        var done = await WaitAsync(client, job);
        done.GetProperty("state").GetString().ShouldBe("succeeded", done.GetProperty("message").ToString());
        done.GetProperty("rowsWritten").GetInt64().ShouldBeGreaterThanOrEqualTo(6, done.ToString());
        var run = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Assays/Run/RUN-WEB-1"));
        run.QuerySelector("#run-status")!.TextContent.ShouldBe("imported");
        run.QuerySelectorAll("#qc-analytes tbody tr").Length.ShouldBe(2);
        run.Body!.TextContent.ShouldContain("6 results");
        // The importer may not approve their own run (Part 11: a second person reviews); another biologist does.
        var own = await BiobankWebFactory.PostFormAsync(client, "/Assays/Run/RUN-WEB-1?handler=Approve", new() { ["Note"] = "plate controls fine" }, "#review-form", "/Assays/Run/RUN-WEB-1");
        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await own.Content.ReadAsStringAsync()).ShouldContain("second person");
        var reviewer = await app.SignInAsync("bio.upp");
        var approved = await BiobankWebFactory.PostFormAsync(reviewer, "/Assays/Run/RUN-WEB-1?handler=Approve", new() { ["Note"] = "plate controls fine" }, "#review-form", "/Assays/Run/RUN-WEB-1");
        approved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Assays/Run/RUN-WEB-1"))).QuerySelector("#run-status")!.TextContent.ShouldBe("approved");
    }

    [Fact]
    public async Task A_bad_file_is_refused_by_the_job_with_every_problem_listed_and_nothing_written()
    {
        var aliquots = await WebLabData.NewAliquotsAsync(app, "tech.bru", 1);
        var csv = "SampleID,Index,OlinkID,UniProt,Assay,MissingFreq,Panel,Panel_Version,PlateID,QC_Warning,LOD,NPX\n" +
                  $"{aliquots[0]},1,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-T2,PASS,0.5,not-a-number\n" +
                  "BRUA999999990,2,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,PLATE-T2,PASS,0.5,3.2\n";
        var client = await app.SignInAsync("biologist");
        var (_, job) = await UploadAsync(client, csv, "RUN-WEB-BAD");
        var done = await WaitAsync(client, job);
        done.GetProperty("state").GetString().ShouldBe("failed");
        done.GetProperty("problems").GetInt64().ShouldBeGreaterThanOrEqualTo(2);
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync(job));
        var rows = page.QuerySelectorAll("#problems tbody tr").Select(r => r.TextContent).ToList();
        rows.ShouldContain(r => r.Contains("NPX", StringComparison.Ordinal) && r.Contains("not-a-number", StringComparison.Ordinal));
        (await client.GetAsync("/Assays/Run/RUN-WEB-BAD")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_format_choice_lists_every_registered_format_and_auto_says_which_it_chose()
    {
        var client = await app.SignInAsync("biologist");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Assays"));
        var options = page.QuerySelectorAll("#import-form select[name=Format] option").Select(o => o.GetAttribute("value") ?? "").ToList();
        options.ShouldBe([AssayFormatRegistryAuto, .. Biobank.Core.Assays.Formats.AssayFormatRegistry.All.Select(f => f.Name)]);

        var aliquots = await WebLabData.NewAliquotsAsync(app, "tech.bru", 2);
        // An NPX Signature long export: semicolons, Panel_Lot_Nr, Assay_Warning — not our strict npx header.
        var csv = new StringBuilder("SampleID;Index;OlinkID;UniProt;Assay;MissingFreq;Panel;Panel_Lot_Nr;PlateID;QC_Warning;LOD;NPX;Normalization;Assay_Warning\n");
        foreach (var a in aliquots)
        {
            csv.Append($"{a};1;OID01;P16860;NPPB;0;Cardiometabolic;B04405;PLATE-T3;PASS;0,5;3,1;Intensity;PASS\n");
        }
        csv.Append("CONTROL_SAMPLE_AS 1;9;OID01;P16860;NPPB;0;Cardiometabolic;B04405;PLATE-T3;PASS;0,5;4,0;Intensity;PASS\n");
        var (_, job) = await UploadAsync(client, csv.ToString(), "RUN-WEB-AUTO", AssayFormatRegistryAuto);
        var done = await WaitAsync(client, job);
        done.GetProperty("state").GetString().ShouldBe("succeeded", done.GetProperty("message").ToString());
        var message = done.GetProperty("message").GetString()!;
        message.ShouldContain("2 results and 1 controls into run RUN-WEB-AUTO; format olink (detected)");
        message.ShouldContain("not stored: Index, OlinkID, MissingFreq");
        (await BiobankWebFactory.HtmlAsync(await client.GetAsync(job))).QuerySelector("#job-message")!.TextContent.ShouldContain("format olink (detected)");
    }

    private const string AssayFormatRegistryAuto = Biobank.Core.Assays.Formats.AssayFormatRegistry.Auto;
}
