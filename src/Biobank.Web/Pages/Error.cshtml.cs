using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
// The exception handler re-executes the failed request here with its own method, so a POST that threw arrives
// as a POST without a fresh token; validating it would turn the error page into a 400. The page writes nothing.
[IgnoreAntiforgeryToken]
public sealed class ErrorModel(ILogger<ErrorModel> logger) : PageModel
{
    public string ReferenceId { get; private set; } = "";

    public void OnGet() => Record();

    public void OnPost() => Record();

    private void Record()
    {
        // The request ID: what the logs carry as RequestId and the response as X-Request-Id.
        ReferenceId = HttpContext.TraceIdentifier;
        logger.LogError("Error page shown with reference {ReferenceId}", ReferenceId);
    }
}
