using Biobank.Core.Common;
using Biobank.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Biobank.Web.Pages;

public sealed class IndexModel(IEnumerable<IHomePanel> panels) : PageModel
{
    public Caller Me { get; private set; } = Caller.System;

    public IReadOnlyList<HomePanelView> Panels { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Me = HttpContext.Caller();
        var views = new List<HomePanelView>();
        foreach (var panel in panels.Where(p => p.Roles.Any(Me.IsInRole)).OrderBy(p => p.Order))
        {
            if (await panel.RenderAsync(Me, ct) is { } view)
            {
                views.Add(view);
            }
        }
        Panels = views;
    }
}
