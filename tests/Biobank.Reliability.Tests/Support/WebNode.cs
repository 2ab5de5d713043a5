using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Biobank.Reliability.Tests.Support;

/// <summary>
/// The web app as its own process (the built Biobank.Web.dll), so a test can kill it with SIGKILL and start it again on
/// the same database. Output goes to artifacts/reliability/{name}.log.
/// </summary>
public sealed class WebNode : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private Process? _process;
    private StreamWriter? _log;

    public WebNode(string name, Dictionary<string, string> environment)
    {
        Name = name;
        _environment = environment;
        Port = FreePort();
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public bool Running => _process is { HasExited: false };

    public static string RepoRoot { get; } = FindRoot();

    public static string Configuration => AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string ArtifactDir
    {
        get
        {
            var dir = Path.Combine(RepoRoot, "artifacts", "reliability");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var dll = Path.Combine(RepoRoot, "src", "Biobank.Web", "bin", Configuration, "net10.0", "Biobank.Web.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is built by the solution build");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", Url.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.Combine(RepoRoot, "src", "Biobank.Web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in _environment)
        {
            start.Environment[k] = v;
        }
        _log ??= new StreamWriter(Path.Combine(ArtifactDir, $"{Name}.log"), append: true) { AutoFlush = true };
        await _log.WriteLineAsync($"---- start {DateTime.UtcNow:O}");
        var process = Process.Start(start)!;
        var log = _log;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine("ERR " + e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromMinutes(3);
        while (deadline.Elapsed < limit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} while starting; see {ArtifactDir}/{Name}.log");
            }
            try
            {
                using var r = await http.GetAsync("/health");
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} did not answer /health within {limit}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a power cut as far as the process is concerned.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
        lock (_log!)
        {
            _log.WriteLine($"---- SIGKILL {DateTime.UtcNow:O}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Biobank.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Biobank.sln not found above the test binaries.");
    }
}
