using Biobank.Core.Samples;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages.Samples.Collections;

public sealed class IndexModel(Core.Samples.Collections collections) : PageModel
{
    public IReadOnlyList<CollectionView> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Recent = await collections.RecentAsync(HttpContext.Caller(), 100, ct);
}
