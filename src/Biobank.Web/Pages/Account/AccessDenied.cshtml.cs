using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Account;

public sealed class AccessDeniedModel : PageModel
{
    public void OnGet()
    {
    }
}
