using System.ComponentModel.DataAnnotations;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Users;

public sealed class EditModel(UserAccounts accounts, SiteDirectory sites) : PageModel
{
    public UserRow? TheUser { get; private set; }

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty]
    [StringLength(256)]
    public string? NewPassword { get; set; }

    public sealed class InputModel
    {
        [Required, StringLength(100), Display(Name = "Display name")]
        public string DisplayName { get; set; } = "";

        public long? SiteId { get; set; }

        public List<string> Roles { get; set; } = [];

        public bool Disabled { get; set; }

        [StringLength(500), Display(Name = "Reason for the change")]
        public string? Reason { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        Input = new InputModel
        {
            DisplayName = TheUser!.DisplayName,
            SiteId = TheUser.SiteId,
            Roles = TheUser.RoleList.ToList(),
            Disabled = TheUser.Disabled,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        IReadOnlyList<string> roles = [];
        try
        {
            roles = Core.Common.Roles.Parse(string.Join(',', Input.Roles));
        }
        catch (ArgumentException e)
        {
            ModelState.AddModelError("Input.Roles", e.Message);
        }
        if (roles.Count == 0)
        {
            ModelState.AddModelError("Input.Roles", "Choose at least one role.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await accounts.ChangeAsync(HttpContext.Caller(), new UserChange(id, Input.DisplayName, Input.SiteId, roles, Input.Disabled, Input.Reason), ct);
        if (!result.Ok)
        {
            if (result.Problem!.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }
            ModelState.AddModelError($"Input.{result.Problem.Field}", result.Problem.Message);
            return Page();
        }
        TempData["Status"] = $"User {TheUser!.UserName} saved.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostResetPasswordAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        ModelState.Clear();
        var result = await accounts.ResetPasswordAsync(HttpContext.Caller(), id, NewPassword ?? "", ct);
        if (!result.Ok)
        {
            ModelState.AddModelError(nameof(NewPassword), result.Problem!.Message);
            Input = new InputModel { DisplayName = TheUser!.DisplayName, SiteId = TheUser.SiteId, Roles = TheUser.RoleList.ToList(), Disabled = TheUser.Disabled };
            return Page();
        }
        TempData["Status"] = $"Password of {TheUser!.UserName} reset; their open sessions are signed out.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        TheUser = await accounts.FindVisibleAsync(caller, id, ct);
        Sites = (await sites.ListAsync(caller, ct)).Where(s => caller.AllSites || s.Id == caller.SiteId).ToList();
        return TheUser is not null;
    }
}
