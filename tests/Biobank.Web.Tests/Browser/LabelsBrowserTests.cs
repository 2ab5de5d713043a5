using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class LabelsBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task Scanned_aliquots_show_a_preview_of_the_first_label_before_printing()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.lyo", 4);
        var page = await browser.SignedInPageAsync(app.BaseUrl, "tech.lyo");
        await page.GotoAsync($"{app.BaseUrl}/Labels");
        // The scan list has the focus: a scanner types each code and Enter.
        (await page.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("Barcodes");
        foreach (var code in tubes)
        {
            await page.Keyboard.TypeAsync(code, new() { Delay = 2 });
            await page.Keyboard.PressAsync("Enter");
        }
        // Only the chosen source's input is shown.
        (await page.IsVisibleAsync("#BoxBarcode")).ShouldBeFalse();
        await page.ClickAsync("#preview-button");
        await page.WaitForSelectorAsync("#label-preview");
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('label-preview'); return i.complete && i.naturalWidth > 0; }");
        (await page.EvaluateAsync<int>("document.getElementById('label-preview').naturalWidth")).ShouldBeGreaterThan(300);
        (await page.InnerTextAsync("#label-summary")).ShouldContain("4 labels");
        (await page.InnerTextAsync("#label-rows")).ShouldContain(tubes[3]);
        (await page.InputValueAsync("#Barcodes")).ShouldContain(tubes[0]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "labels-preview.png"), FullPage = true });
    }
}
