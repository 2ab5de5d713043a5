namespace Biobank.Labels.Templates;

/// <summary>
/// Where the label templates are: a folder given in settings, else <c>labels/</c> beside <c>Biobank.sln</c>
/// (running from the source tree, so an edited template takes effect at once), else <c>labels/</c> in
/// the program's own folder (the build copies the shipped templates there).
/// </summary>
public static class TemplateFolder
{
    public const string Setting = "Biobank:LabelsFolder";

    /// <exception cref="DirectoryNotFoundException">The configured folder does not exist, or no folder was found.</exception>
    public static string Find(string? configured, params string?[] startFolders)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"The label templates folder '{full}' (setting {Setting}) does not exist.");
        }

        var starts = startFolders.OfType<string>().Where(s => s.Length > 0).Append(AppContext.BaseDirectory).Distinct().ToList();
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var labels = Path.Combine(dir.FullName, "labels");
                if (File.Exists(Path.Combine(dir.FullName, "Biobank.sln")) && Directory.Exists(labels))
                {
                    return labels;
                }
            }
        }

        foreach (var start in starts)
        {
            var beside = Path.Combine(start, "labels");
            if (Directory.Exists(beside) && Directory.EnumerateFiles(beside, "*.json").Any())
            {
                return beside;
            }
        }

        throw new DirectoryNotFoundException(
            $"No label templates folder was found: looked for labels/ beside Biobank.sln above {string.Join(", ", starts)} and in those folders. Set {Setting}.");
    }
}
