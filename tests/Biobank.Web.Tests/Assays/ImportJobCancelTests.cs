using System.Net;
using Biobank.Core.Accounts;
using Biobank.Core.Assays;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Assays;

public sealed class ImportJobCancelTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_biologist_cannot_cancel_another_sites_import_job_by_its_number()
    {
        var lyo = (await app.Get<UserAccounts>().FindByNameAsync("bio.lyo", default))!.ToCaller();
        var jobs = app.Get<ImportJobs>();
        var theirs = (await jobs.EnqueueAsync(lyo, new ImportJobRequest("/nonexistent/lyo.csv", "lyo.csv", AssayFileFormat.Npx, "LYO-CANCEL-PROBE"), default)).Value;
        var before = (await jobs.GetAsync(theirs, default))!;
        var bru = await app.SignInAsync("bio.bru");
        // Any antiforgery token of the signed-in user will do: take it from a page BRU may see.
        var page = await BiobankWebFactory.HtmlAsync(await bru.GetAsync("/Assays"));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var response = await bru.PostAsync($"/Assays/Job/{theirs}?handler=Cancel", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, "another site's job does not exist for BRU");
        var after = (await jobs.GetAsync(theirs, default))!;
        after.CancelRequested.ShouldBeFalse();
        after.State.ShouldNotBe(ImportJobStates.Cancelled);
        (after.Message ?? "").ShouldNotContain("bio.bru");
        before.Id.ShouldBe(after.Id);
    }
}
