using System.Net;
using Biobank.Core.Accounts;
using Biobank.Core.Labels;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Labels;

/// <summary>Issue #14: a printer's host may not be the server itself or its cloud's metadata service, unless the operator allows it.</summary>
public sealed class PrinterHostTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("169.254.169.254")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("localhost")]
    [InlineData("printer.localhost")]
    public async Task A_loopback_or_link_local_printer_host_is_refused_by_the_form(string host)
    {
        var admin = await app.SignInAsync("admin.upp");
        var caller = (await app.Get<UserAccounts>().FindByNameAsync("admin.upp", default))!.ToCaller();
        var response = await BiobankWebFactory.PostFormAsync(admin, "/Admin/Printers", new()
        {
            ["Input.SiteId"] = caller.SiteId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.Name"] = $"local {host}", ["Input.Host"] = host, ["Input.Port"] = "9100", ["Input.Dpi"] = "203",
        }, "#add-printer");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain(PrinterOptions.Setting);
        (await app.Get<Printers>().ListAsync(caller, false, default)).ShouldNotContain(p => p.Host == host);
    }

    [Fact]
    public async Task A_printer_on_the_bench_network_is_accepted()
    {
        var caller = (await app.Get<UserAccounts>().FindByNameAsync("admin.upp", default))!.ToCaller();
        (await app.Get<Printers>().AddAsync(caller, new PrinterInput(caller.SiteId!.Value, "Bench 10.1", "10.1.2.3"), default)).Ok.ShouldBeTrue();
        (await app.Get<Printers>().AddAsync(caller, new PrinterInput(caller.SiteId!.Value, "Bench name", "zebra-3.lab.example.org"), default)).Ok.ShouldBeTrue();
    }
}
