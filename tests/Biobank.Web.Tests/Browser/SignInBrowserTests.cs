using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class SignInBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task A_technician_signs_in_with_the_keyboard_and_sees_their_site()
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/");
        page.Url.ShouldContain("/Account/Login");
        await page.Keyboard.TypeAsync("tech.sto");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(BiobankWebFactory.Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#whoami");
        var who = await page.InnerTextAsync("#whoami");
        who.ShouldContain("tech.sto");
        who.ShouldContain("STO");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "foundation-signed-in.png"), FullPage = true });
        await context.CloseAsync();
    }

    [BrowserFact]
    public async Task The_admin_pages_render_without_script_errors_under_the_content_security_policy()
    {
        var page = await browser.SignedInPageAsync(app.BaseUrl, "admin");
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{page.Url}: {m.Text} {m.Location}"); } };
        page.PageError += (_, e) => errors.Add(e);
        foreach (var url in new[] { "/Admin/Users", "/Admin/Sites", "/Admin/Tokens", "/Admin/Audit", "/" })
        {
            await page.GotoAsync(app.BaseUrl + url);
        }
        await page.GotoAsync(app.BaseUrl + "/Admin/Users");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "foundation-admin-users.png"), FullPage = true });
        errors.ShouldBeEmpty();
    }
}
