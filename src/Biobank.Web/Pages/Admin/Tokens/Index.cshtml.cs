using System.ComponentModel.DataAnnotations;
using Biobank.Core.Accounts;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Tokens;

public sealed class IndexModel(ApiTokens tokens, UserAccounts accounts, TimeProvider clock) : PageModel
{
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    public IReadOnlyList<TokenRow> Tokens { get; private set; } = [];

    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    /// <summary>Shown once, right after creation; never stored in clear.</summary>
    public string? NewToken { get; private set; }

    [BindProperty]
    public long UserId { get; set; }

    [BindProperty, StringLength(100)]
    public string? Name { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var result = await tokens.CreateAsync(HttpContext.Caller(), UserId, Name ?? "", ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(nameof(UserId), result.Problem!.Message);
        }
        else
        {
            NewToken = result.Value!.Token;
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long tokenId, CancellationToken ct)
    {
        var result = await tokens.RevokeAsync(HttpContext.Caller(), tokenId, ct);
        if (!result.Ok && result.Problem!.Kind == Core.Common.ProblemKind.NotFound)
        {
            return NotFound();
        }
        TempData["Status"] = result.Ok ? "Token revoked." : result.Problem!.Message;
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Tokens = await tokens.ListAsync(caller, ct);
        Users = (await accounts.ListAsync(caller, ct)).Where(u => !u.Disabled).ToList();
    }
}
