using System.ComponentModel.DataAnnotations;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Sites;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Admin.Users;

public sealed class IndexModel(UserAccounts accounts, SiteDirectory sites) : PageModel
{
    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required, StringLength(64, MinimumLength = 2), Display(Name = "User name")]
        public string UserName { get; set; } = "";

        [Required, StringLength(100), Display(Name = "Display name")]
        public string DisplayName { get; set; } = "";

        [Required, StringLength(256, MinimumLength = PasswordPolicy.MinimumLength, ErrorMessage = "The password must be at least 12 characters long."), DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Display(Name = "Site (empty = central, all sites)")]
        public long? SiteId { get; set; }

        public List<string> Roles { get; set; } = [];
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
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
            await LoadAsync(ct);
            return Page();
        }
        var result = await accounts.CreateAsync(HttpContext.Caller(), new NewUser(Input.UserName, Input.DisplayName, Input.Password, Input.SiteId, roles), ct);
        if (!result.Ok)
        {
            ModelState.AddModelError($"Input.{result.Problem!.Field}", result.Problem.Message);
            await LoadAsync(ct);
            return Page();
        }
        TempData["Status"] = $"User {Input.UserName} created.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = HttpContext.Caller();
        Users = await accounts.ListAsync(caller, ct);
        Sites = (await sites.ListAsync(caller, ct)).Where(s => caller.AllSites || s.Id == caller.SiteId).ToList();
    }
}
