using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;


namespace Biobank.Web.Tests.Support;

/// <summary>
/// Runs the shipped command-line program — <c>artifacts/cli/biobank</c>, published ReadyToRun by
/// <c>scripts/biobank</c>, the file the README names — as its own process. Not <c>CliApp.RunAsync</c> in the test
/// host: the shipped program runs with its own JIT settings (ahead-of-time code, no tiered compilation), and that
/// difference once hid a crash of every <c>labels</c> call.
/// </summary>
public static class BuiltCli
{
    private static readonly Lazy<string> Path_ = new(Locate);

    public static string Executable => Path_.Value;

    /// <summary>Drop-in for <c>CliApp.RunAsync</c>: settings become environment variables (<c>:</c> → <c>__</c>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IConfiguration? settings = null)
    {
        var (exit, output, errors) = await RunAsync(settings?.AsEnumerable() ?? [], args);
        await stdout.WriteAsync(output);
        await stderr.WriteAsync(errors);
        return exit;
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<KeyValuePair<string, string?>> settings, params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            // A folder of its own, so no appsettings.json of the test host's is read by accident.
            WorkingDirectory = Directory.CreateTempSubdirectory("biobank-cli-cwd-").FullName,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // Only what the test says: nothing of the developer's own database settings leaks in.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Database__", StringComparison.Ordinal)
                     || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("Biobank__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in settings)
        {
            if (value is not null)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"biobank {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        finally
        {
            try
            {
                Directory.Delete(start.WorkingDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A verb may have left a file there; the temp folder is the OS's to clean then.
            }
        }

        return (process.ExitCode, await output, await errors);
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Biobank.sln")))
            {
                // The wrapper publishes the program when it is missing or older than a source file, as for a user.
                var wrapper = Path.Combine(dir.FullName, "scripts", "biobank");
                var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add(wrapper);
                start.ArgumentList.Add("help");
                using var process = Process.Start(start) ?? throw new InvalidOperationException($"{wrapper} did not start.");
                var errors = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                var exe = Path.Combine(dir.FullName, "artifacts", "cli", OperatingSystem.IsWindows() ? "biobank.exe" : "biobank");
                return File.Exists(exe) ? exe : throw new FileNotFoundException($"scripts/biobank did not publish the CLI to {exe}: {errors.Result}");
            }
        }

        throw new DirectoryNotFoundException($"Biobank.sln not found above {AppContext.BaseDirectory}.");
    }
}
