using System.Net;
using Biobank.Core.Samples;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Admin;

public sealed class ProtocolPageTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task The_protocol_page_lists_timepoints_types_with_swatches_and_plans()
    {
        var client = await app.SignInAsync("admin");
        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Admin/Protocol"));
        page.QuerySelectorAll("#timepoints tbody tr td:nth-child(2)").Select(td => td.TextContent).ShouldBe(["BASELINE", "EOT", "M3", "M12"]);
        var edta = page.QuerySelectorAll("#sample-types tbody tr").Single(r => r.QuerySelector("td:nth-child(2)")!.TextContent == "EDTA");
        edta.QuerySelector("svg rect")!.GetAttribute("fill").ShouldBe("#6f42c1");
        edta.TextContent.ShouldContain("PED");
        page.QuerySelectorAll("#plans tbody tr").Length.ShouldBe(5);
        page.QuerySelectorAll("[style]").ShouldBeEmpty();
    }

    [Fact]
    public async Task An_admin_adds_a_timepoint_and_a_sample_type_sets_a_plan_and_removes_it()
    {
        var client = await app.SignInAsync("admin");
        var response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol",
            new() { ["NewTimepoint.Code"] = "m24", ["NewTimepoint.Name"] = "24 months after radiotherapy", ["NewTimepoint.SortOrder"] = "5" }, "#add-timepoint");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await app.Get<Protocol>().TimepointsAsync(default)).ShouldContain(t => t.Code == "M24");

        response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol", new()
        {
            ["NewType.Code"] = "EV", ["NewType.Name"] = "Extracellular vesicles", ["NewType.Kind"] = "aliquot", ["NewType.SprecType"] = "pl2",
            ["NewType.SprecContainer"] = "PED", ["NewType.DefaultVolumeUl"] = "100", ["NewType.Colour"] = "#112233", ["NewType.Centrifuged"] = "true",
        }, "#add-sample-type");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, string.Join(" | ", (await BiobankWebFactory.HtmlAsync(response)).QuerySelectorAll(".validation-errors li").Select(li => li.TextContent)));
        var types = await app.Get<Protocol>().SampleTypesAsync(default);
        var ev = types.Single(t => t.Code == "EV");
        ev.SprecType.ShouldBe("PL2");

        response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol", new()
        {
            ["Plan.PrimaryTypeId"] = types.Single(t => t.Code == "EDTA").Id.ToString(), ["Plan.AliquotTypeId"] = ev.Id.ToString(), ["Plan.Count"] = "2", ["Plan.VolumeUl"] = "100",
        }, "#set-plan");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var plan = (await app.Get<Protocol>().PlansAsync(default)).Single(p => p.AliquotTypeId == ev.Id);
        plan.Count.ShouldBe(2);

        var page = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/Admin/Protocol"));
        var removeForm = page.QuerySelectorAll("#plans form").Single(f => f.QuerySelector("input[name=planId]")!.GetAttribute("value") == plan.Id.ToString());
        removeForm.QuerySelector("button")!.HasAttribute("data-confirm").ShouldBeTrue();
        response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol", new() { ["planId"] = plan.Id.ToString() }, "#plans form");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await app.Get<Protocol>().PlansAsync(default)).ShouldNotContain(p => p.Id == plan.Id);
    }

    [Fact]
    public async Task A_site_administrator_cannot_change_the_consortium_wide_protocol()
    {
        var client = await app.SignInAsync("admin.bru");
        var before = (await app.Get<Protocol>().TimepointsAsync(default)).Count;
        var response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol",
            new() { ["NewTimepoint.Code"] = "M48", ["NewTimepoint.Name"] = "48 months", ["NewTimepoint.SortOrder"] = "8" }, "#add-timepoint");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldContain("/Account/AccessDenied");
        (await app.Get<Protocol>().TimepointsAsync(default)).Count.ShouldBe(before);
        var plans = await app.Get<Protocol>().PlansAsync(default);
        (await app.Get<Protocol>().RemovePlanAsync((await app.Get<Biobank.Core.Accounts.UserAccounts>().FindByNameAsync("admin.bru", default))!.ToCaller(), plans[0].Id, default))
            .Problem!.Message.ShouldContain("central administrator");
        (await app.Get<Protocol>().PlansAsync(default)).Count.ShouldBe(plans.Count);
    }

    [Fact]
    public async Task A_bad_sprec_code_and_a_duplicate_code_are_refused_with_the_use_cases_words()
    {
        var client = await app.SignInAsync("admin");
        var response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol", new()
        {
            ["NewType.Code"] = "XX1", ["NewType.Name"] = "Bad", ["NewType.Kind"] = "aliquot", ["NewType.SprecType"] = "P-1",
            ["NewType.SprecContainer"] = "PED", ["NewType.DefaultVolumeUl"] = "100", ["NewType.Colour"] = "#112233",
        }, "#add-sample-type");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await BiobankWebFactory.HtmlAsync(response);
        page.QuerySelector(".validation-errors li[data-field='NewType.SprecType']")!.TextContent.ShouldContain("three capital letters or digits");

        response = await BiobankWebFactory.PostFormAsync(client, "/Admin/Protocol",
            new() { ["NewTimepoint.Code"] = "BASELINE", ["NewTimepoint.Name"] = "again", ["NewTimepoint.SortOrder"] = "1" }, "#add-timepoint");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await BiobankWebFactory.HtmlAsync(response)).QuerySelector(".validation-errors")!.TextContent.ShouldContain("already has that code");
    }
}
