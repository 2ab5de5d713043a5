using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class ScanBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task Twenty_tubes_scanned_with_the_keyboard_only_land_in_the_box_map()
    {
        var tubes = await WebLabData.NewAliquotsAsync(app, "tech.lyo", 21);
        var box = await WebLabData.NewBoxAsync(app, "tech.lyo", 9, 9);
        var page = await browser.SignedInPageAsync(app.BaseUrl, "tech.lyo");
        await page.GotoAsync($"{app.BaseUrl}/Storage/Scan");
        // The box field has the focus; a scanner types the box label and Enter.
        await page.Keyboard.TypeAsync(box);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#box-map");
        // A burst: twenty codes, each ended by Enter (or Tab, as some scanners send), no mouse.
        for (var i = 0; i < 20; i++)
        {
            await page.Keyboard.TypeAsync(tubes[i], new() { Delay = 2 });
            await page.Keyboard.PressAsync(i % 5 == 4 ? "Tab" : "Enter");
        }
        // A mistyped code is refused loudly and the station keeps going.
        await page.Keyboard.TypeAsync(tubes[20][..^1] + (tubes[20][^1] == '0' ? '1' : '0'));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('ok-count').textContent) === 20 && Number(document.getElementById('error-count').textContent) === 1");
        (await page.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("tube-input", "the focus stays in the scan field");
        (await page.InnerTextAsync("#scan-result")).ShouldContain("check character");
        (await page.Locator("#box-map .box-cell.filled").CountAsync()).ShouldBe(20);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "lab-scan-station-20-tubes.png"), FullPage = true });

        await page.GotoAsync($"{app.BaseUrl}/Storage/Box/{box}");
        (await page.Locator("#box-map .box-cell.filled").CountAsync()).ShouldBe(20);
        (await page.GetAttributeAsync("#box-map [data-position='C2']", "class"))!.ShouldContain("filled");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "lab-box-map.png"), FullPage = true });
    }
}
