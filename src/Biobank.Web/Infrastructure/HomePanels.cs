using Biobank.Core.Common;

namespace Biobank.Web.Infrastructure;

public sealed record HomeLine(string Text, string? Href = null, string? Badge = null, string Tone = "secondary");

public sealed record HomePanelView(string Title, IReadOnlyList<HomeLine> Lines, string? MoreHref = null, string? Empty = null);

/// <summary>One panel of the home page: each feature shows its roles the work waiting for them.</summary>
public interface IHomePanel
{
    int Order { get; }

    IReadOnlyList<string> Roles { get; }

    /// <summary>The panel, or null when it has nothing to say and would only take room.</summary>
    Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct);
}
