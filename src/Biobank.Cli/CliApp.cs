using Biobank.Core;
using Biobank.Core.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Biobank.Cli;

/// <summary>One verb per batch task; each is a thin call into Core. Exit 0 on success, 1 on bad input, 2 on usage.</summary>
public static class CliApp
{
    public static readonly IReadOnlyList<IVerb> Verbs = VerbCatalog.All;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IConfiguration? overrides = null)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await PrintUsageAsync(stdout);
            return args.Length == 0 ? 2 : 0;
        }
        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            await stderr.WriteLineAsync($"Unknown command '{args[0]}'.");
            await PrintUsageAsync(stderr);
            return 2;
        }
        Arguments parsed;
        try
        {
            parsed = Arguments.Parse(args.Skip(1).ToArray());
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"{verb.Name}: {e.Message}");
            await stderr.WriteLineAsync($"usage: biobank {verb.Usage}");
            return 2;
        }
        try
        {
            await using var services = BuildServices(overrides);
            return await verb.RunAsync(parsed, services, stdout, stderr, CancellationToken.None);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"{verb.Name}: {e.Message}");
            await stderr.WriteLineAsync($"usage: biobank {verb.Usage}");
            return 2;
        }
        catch (Exception e) when (e is ConfigurationException or MigrationException)
        {
            await stderr.WriteLineAsync($"{verb.Name}: {e.Message}");
            return 1;
        }
    }

    public static ServiceProvider BuildServices(IConfiguration? overrides)
    {
        var config = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddConfiguration(overrides ?? new ConfigurationBuilder().Build())
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddBiobankCore(config);
        return services.BuildServiceProvider();
    }

    private static async Task PrintUsageAsync(TextWriter w)
    {
        await w.WriteLineAsync("biobank — command-line tool of the Biobank LIMS");
        await w.WriteLineAsync("Database: Database__Provider=Sqlite|Postgres, ConnectionStrings__Biobank=...");
        await w.WriteLineAsync("");
        foreach (var v in Verbs)
        {
            await w.WriteLineAsync($"  biobank {v.Usage}");
            await w.WriteLineAsync($"      {v.Summary}");
        }
    }
}

public interface IVerb
{
    string Name { get; }

    string Usage { get; }

    string Summary { get; }

    Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct);
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>Positional arguments and <c>--name value</c> / <c>--flag</c> options.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tookNext = new(StringComparer.Ordinal);

    private readonly List<string> _positional = [];

    public IReadOnlyList<string> Positional => _positional;

    public static Arguments Parse(string[] args)
    {
        var result = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var name = a[2..];
                string? value = null;
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                    result._tookNext.Add(name);
                }
                if (!result._options.TryAdd(name, value))
                {
                    throw new UsageException($"option --{name} given twice");
                }
            }
            else
            {
                result._positional.Add(a);
            }
        }
        return result;
    }

    public string? Option(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var v) ? v : null;
    }

    public string Required(string name) =>
        Option(name) is { Length: > 0 } v ? v : throw new UsageException($"--{name} is required");

    /// <summary>A switch without a value: in "--flag FILE" the FILE is a positional argument, not the flag's value.</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        if (_tookNext.Remove(name) && _options[name] is { } positional)
        {
            _positional.Add(positional);
            _options[name] = null;
        }
        return _options.ContainsKey(name);
    }

    public int Number(string name, int fallback)
    {
        var raw = Option(name);
        if (raw is null)
        {
            return fallback;
        }
        return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"--{name} must be a whole number, not '{raw}'");
    }

    /// <summary>Refuses options the verb did not read, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
