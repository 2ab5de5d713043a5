using Biobank.Web.Tests.Support;
using static Biobank.Web.Tests.Samples.SampleSteps;

namespace Biobank.Web.Tests.Samples;

public sealed class HomePanelTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Fact]
    public async Task A_technician_sees_the_newest_tubes_waiting_to_be_stored()
    {
        var client = await app.SignInAsync("tech.bru");
        var collection = await RegisterCollectionAsync(app, client, await CreatePatientAsync(app, client, NewPseudonym()), ("SALIVA", null));
        var saliva = (await TubesOfAsync(app, collection)).Single();

        var home = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"));
        var panel = home.QuerySelectorAll(".home-panel").Single(p => p.QuerySelector(".card-header")!.TextContent == "Tubes to store");
        var links = panel.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        links.ShouldContain($"/Samples/Tube/{saliva.Barcode}");
        links.ShouldContain("/Storage/Scan");
        panel.TextContent.ShouldContain("registered, not yet in a box");
        panel.TextContent.ShouldNotContain("AAR");
    }

    [Fact]
    public async Task A_biologist_does_not_get_the_panel()
    {
        var client = await app.SignInAsync("bio.bru");
        var home = await BiobankWebFactory.HtmlAsync(await client.GetAsync("/"));
        home.QuerySelectorAll(".home-panel .card-header").Select(h => h.TextContent).ShouldNotContain("Tubes to store");
    }
}
