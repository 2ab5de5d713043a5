using Biobank.Core.Common;
using Biobank.Labels.Templates;

namespace Biobank.Core.Labels;

/// <summary>
/// The one place label templates are loaded from: the folder of setting <c>Biobank:LabelsFolder</c>, else
/// <c>labels/</c> beside Biobank.sln above the given start folders, else the copy in the program's folder.
/// The folder is looked for on first use, so a command that prints nothing never needs it.
/// </summary>
public sealed class LabelTemplates(string? configuredFolder, params string?[] startFolders)
{
    private readonly Lazy<string> _folder = new(() => TemplateFolder.Find(configuredFolder, startFolders));

    /// <summary>The shipped templates, or none when the folder cannot be found (loading one then says why).</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            try
            {
                return LabelTemplate.List(_folder.Value);
            }
            catch (DirectoryNotFoundException)
            {
                return [];
            }
        }
    }

    public Result<LabelTemplate> Load(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Result<LabelTemplate>.Invalid("Choose a label template.", "Template");
        }
        try
        {
            return Result<LabelTemplate>.Success(LabelTemplate.LoadByName(_folder.Value, name.Trim()));
        }
        catch (LabelTemplateException e) when (e.Problems.Count == 1 && e.Problems[0].StartsWith("there is no template", StringComparison.Ordinal))
        {
            // "there is no template 'x' in …; available: …" says it all; "is not valid" in front of it would mislead.
            return Result<LabelTemplate>.Invalid(e.Problems[0], "Template");
        }
        catch (Exception e) when (e is LabelTemplateException or DirectoryNotFoundException)
        {
            return Result<LabelTemplate>.Invalid(e.Message, "Template");
        }
    }

    /// <summary>Loads a template and checks that the labels carry every field it prints; if not, names the templates that fit.</summary>
    public Result<LabelTemplate> For(LabelSet set, string? name)
    {
        var loaded = Load(name);
        if (!loaded.Ok)
        {
            return loaded;
        }
        var template = loaded.Value!;
        var missing = template.RequiredFields().Where(f => !set.FieldNames.Contains(f)).ToList();
        if (missing.Count == 0)
        {
            return Result<LabelTemplate>.Success(template);
        }
        var fitting = Names.Where(n => Load(n) is { Ok: true } t && t.Value!.RequiredFields().All(set.FieldNames.Contains)).ToList();
        return Result<LabelTemplate>.Invalid(
            $"The template '{template.Name}' prints {string.Join(", ", missing)}, which {(set.Labels[0].Table == "box" ? "a box label" : "tube labels")} do not have. " +
            (fitting.Count > 0 ? $"Templates that fit: {string.Join(", ", fitting)}." : "No template fits."), "Template");
    }
}
