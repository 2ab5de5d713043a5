using Biobank.Core.Registry;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Registry.Versions;

public sealed class IndexModel(DoseQueries doses) : PageModel
{
    public IReadOnlyList<DoseVersion> All { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => All = await doses.ListVersionsAsync(ct);
}
