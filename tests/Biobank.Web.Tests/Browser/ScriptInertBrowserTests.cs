using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Browser;

[Collection("browser")]
public sealed class ScriptInertBrowserTests(BrowserFixture browser, KestrelWebFactory app) : IClassFixture<KestrelWebFactory>
{
    [BrowserFact]
    public async Task Stored_text_that_looks_like_script_renders_as_text()
    {
        const string evil = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";
        var created = await app.Get<UserAccounts>().CreateAsync(Caller.System, new NewUser("xss.test", evil, "a-long-password-1", null, [Roles.Technician]), default);
        created.Ok.ShouldBeTrue();
        var page = await browser.SignedInPageAsync(app.BaseUrl, "admin");
        var dialogs = 0;
        page.Dialog += async (_, d) => { dialogs++; await d.DismissAsync(); };
        await page.GotoAsync($"{app.BaseUrl}/Admin/Users");
        (await page.EvaluateAsync<object?>("window.__pwned ?? null")).ShouldBeNull();
        (await page.InnerTextAsync("#users")).ShouldContain("<script>window.__pwned=1</script>");
        dialogs.ShouldBe(0);
        await page.GotoAsync($"{app.BaseUrl}/Admin/Audit?table=app_user");
        (await page.EvaluateAsync<object?>("window.__pwned ?? null")).ShouldBeNull();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDir, "security-script-inert.png") });
    }
}
