namespace Biobank.Labels.Tests.Support;

/// <summary>Paths in the source tree, found by walking up from the test binaries.</summary>
public static class Repository
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "labels", "cryovial-2d.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("The repository's labels/ folder was not found above " + AppContext.BaseDirectory);
    });

    public static string LabelsFolder => Path.Combine(Root.Value, "labels");
}
