using Biobank.Core.Common;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;

namespace Biobank.Core.Labels;

/// <summary>What would be printed: the labels of a selection, checked against a template; with <see cref="Image"/>, the first label as a PNG.</summary>
public sealed record PreviewLabelsCommand(LabelSelection What, string? Template, bool Image = false);

public sealed record LabelsPreview(LabelSet Set, LabelTemplate Template, byte[]? Png);

/// <summary>
/// Shows a print job before it is printed: its label data and the template check, which <see cref="PrintLabels"/>
/// runs too, so a job prints exactly what its preview showed. Nothing audited, nothing sent.
/// </summary>
public sealed class PreviewLabels(LabelData data, LabelTemplates templates, Lazy<LabelPreview> preview)
{
    public const int PreviewDpi = 400;

    public async Task<Result<LabelsPreview>> ExecuteAsync(Caller caller, PreviewLabelsCommand cmd, CancellationToken ct)
    {
        var built = await data.ForAsync(caller, cmd.What, ct);
        if (!built.Ok)
        {
            return built.Problem!;
        }
        var set = built.Value!;
        var template = templates.For(set, cmd.Template);
        if (!template.Ok)
        {
            return template.Problem!;
        }
        if (!cmd.Image)
        {
            return Result<LabelsPreview>.Success(new LabelsPreview(set, template.Value!, null));
        }
        try
        {
            return Result<LabelsPreview>.Success(new LabelsPreview(set, template.Value!, preview.Value.RenderPng(template.Value!, set.Labels[0].Fields, PreviewDpi)));
        }
        catch (LabelDataException e)
        {
            return set.Unprintable(e);
        }
    }
}
