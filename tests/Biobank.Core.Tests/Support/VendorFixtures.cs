namespace Biobank.Core.Tests.Support;

/// <summary>The vendor-shaped files in tests/fixtures/vendor (see their README and docs/vendor-formats.md), found by walking up from the test binaries.</summary>
public static class VendorFixtures
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(System.IO.Path.Combine(dir.FullName, "tests", "fixtures", "vendor")))
        {
            dir = dir.Parent;
        }
        return dir is null
            ? throw new DirectoryNotFoundException("tests/fixtures/vendor was not found above " + AppContext.BaseDirectory)
            : System.IO.Path.Combine(dir.FullName, "tests", "fixtures", "vendor");
    });

    public static string Path(string relative) => System.IO.Path.Combine(Folder.Value, relative);
}
