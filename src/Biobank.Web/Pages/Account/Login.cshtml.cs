using System.ComponentModel.DataAnnotations;
using Biobank.Core.Accounts;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Biobank.Web.Pages.Account;

[EnableRateLimiting("sign-in")]
public sealed class LoginModel(UserAccounts accounts, DemoState demo, ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool ShowDemoHint => demo.Report is not null;

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your user name.")]
        [StringLength(64)]
        [Display(Name = "User name")]
        public string UserName { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [StringLength(256)]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await accounts.SignInAsync(Input.UserName, Input.Password, ct);
        if (result.Outcome != SignInOutcome.Success)
        {
            // The audit trail has the attempt; the log lets an operator see a burst of them with the request.
            logger.LogWarning("Sign-in refused for {UserName}: {Outcome}", Input.UserName, result.Outcome);
            ModelState.AddModelError(string.Empty, result.Message);
            return Page();
        }
        var principal = CallerClaims.ToPrincipal(result.User!, CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
