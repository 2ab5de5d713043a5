using System.Diagnostics;
using System.Text;

namespace Biobank.Core.Tests.Support;

/// <summary>
/// Runs an oracle script from <c>tests/oracles</c> under Debian's <c>/usr/bin/python3</c>, which sees
/// python3-scipy and python3-statsmodels (the first <c>python3</c> on PATH may be another interpreter).
/// </summary>
public static class PythonOracle
{
    public const string Interpreter = "/usr/bin/python3";

    public const string InstallHint = "install the Debian packages python3-scipy and python3-statsmodels (scripts/test.sh does)";

    private static readonly Lazy<bool> Available = new(() =>
        File.Exists(Interpreter) && RunProcess(Interpreter, ["-c", "import scipy, statsmodels, pandas"]).ExitCode == 0);

    public static bool IsAvailable => Available.Value;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string ScriptPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "oracles", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/oracles/{name} not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>Runs the script with the arguments; a non-zero exit fails with what it printed.</summary>
    public static string Run(string script, params string[] arguments) => Run(script, arguments, []);

    /// <summary>Runs the script with the arguments and extra environment variables.</summary>
    public static string Run(string script, string[] arguments, Dictionary<string, string> environment)
    {
        var (exit, stdout, stderr) = RunProcess(Interpreter, [ScriptPath(script), .. arguments], environment);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{script} exited {exit}: {stderr}{stdout}");
        }

        return stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) RunProcess(string file, IEnumerable<string> arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // numpy's BLAS threads would fight the test host for the two cores; one is plenty here.
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in 3 minutes.");
        }

        return (process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>A fact skipped, with the install hint, when SciPy/statsmodels are missing — except in CI, where it fails.</summary>
public sealed class RequiresPythonOracleFactAttribute : FactAttribute
{
    public RequiresPythonOracleFactAttribute()
    {
        if (!PythonOracle.IsAvailable && !PythonOracle.InCi)
        {
            Skip = $"Skipped: SciPy/statsmodels not importable by {PythonOracle.Interpreter}; {PythonOracle.InstallHint}.";
        }
    }
}

/// <summary>The theory counterpart of <see cref="RequiresPythonOracleFactAttribute"/>.</summary>
public sealed class RequiresPythonOracleTheoryAttribute : TheoryAttribute
{
    public RequiresPythonOracleTheoryAttribute()
    {
        if (!PythonOracle.IsAvailable && !PythonOracle.InCi)
        {
            Skip = $"Skipped: SciPy/statsmodels not importable by {PythonOracle.Interpreter}; {PythonOracle.InstallHint}.";
        }
    }
}
