using System.Diagnostics;
using System.Text;

namespace Biobank.Labels.Tests.Support;

/// <summary>Finds and runs the independent command-line tools (decoders, poppler) the tests trust.</summary>
public static class ExternalTool
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public const string InstallHint =
        "install the Debian packages zxing-cpp-tools, dmtx-utils and poppler-utils (CI installs them)";

    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var path = Find(tool) ?? throw new InvalidOperationException($"{tool} is not on PATH: {InstallHint}.");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish in time.");
        }

        return (process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>A fact that is skipped, saying why, when a tool it needs is not installed.</summary>
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ExternalTool.Find(t) is null).ToArray();
        // In CI the tools must be there (scripts/test.sh installs them): a missing decoder fails there instead of skipping.
        if (missing.Length > 0 && !ExternalTool.InCi)
        {
            Skip = $"Skipped: {string.Join(" and ", missing)} not found on PATH; {ExternalTool.InstallHint}.";
        }
    }
}

/// <summary>The theory counterpart of <see cref="RequiresToolFactAttribute"/>.</summary>
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ExternalTool.Find(t) is null).ToArray();
        // In CI the tools must be there (scripts/test.sh installs them): a missing decoder fails there instead of skipping.
        if (missing.Length > 0 && !ExternalTool.InCi)
        {
            Skip = $"Skipped: {string.Join(" and ", missing)} not found on PATH; {ExternalTool.InstallHint}.";
        }
    }
}
