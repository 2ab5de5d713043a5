using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

public sealed class ImportRegistryVerb : IVerb
{
    public string Name => "import-registry";
    public string Usage => "import-registry FILE [--ignore-extra-columns]";
    public string Summary => "Creates or updates patients from the registry export (CSV or XLSX); a bad file changes nothing and every problem is listed.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var ignoreExtra = args.Flag("ignore-extra-columns");
        args.RejectUnknown();
        var path = RegistryVerbs.SingleFile(args);
        await using var file = RegistryVerbs.Open(path);
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var result = await services.GetRequiredService<ImportRegistry>().ExecuteAsync(RegistryVerbs.Operator(),
            new RegistryImportCommand(file, Path.GetFileName(path), ignoreExtra), ct);
        return await RegistryVerbs.ReportAsync(Name, result, stdout, stderr);
    }
}

public sealed class ImportDosesVerb : IVerb
{
    public string Name => "import-doses";
    public string Usage => "import-doses FILE --version LABEL [--skip-unknown] [--ignore-extra-columns] [--note TEXT]";
    public string Summary => "Imports organ doses (CSV or XLSX) as a new dose version; unknown pseudonyms refuse the file unless --skip-unknown.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var label = args.Required("version");
        var skipUnknown = args.Flag("skip-unknown");
        var ignoreExtra = args.Flag("ignore-extra-columns");
        var note = args.Option("note");
        args.RejectUnknown();
        var path = RegistryVerbs.SingleFile(args);
        await using var file = RegistryVerbs.Open(path);
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var command = new DoseImportCommand(file, Path.GetFileName(path), label,
            skipUnknown ? UnknownPseudonyms.SkipUnknown : UnknownPseudonyms.Refuse, ignoreExtra, note);
        var result = await services.GetRequiredService<ImportDoses>().ExecuteAsync(RegistryVerbs.Operator(), command, ct);
        var code = await RegistryVerbs.ReportAsync(Name, result, stdout, stderr);
        if (!result.Imported && result.CanSkipUnknown)
        {
            await stderr.WriteLineAsync($"{Name}: the only problem is {result.UnknownPseudonyms.Count} unknown pseudonym(s); add --skip-unknown to import the known patients' rows only.");
        }
        else if (result.Imported && result.SkippedRows > 0)
        {
            await stdout.WriteLineAsync($"Skipped pseudonyms: {string.Join(", ", result.UnknownPseudonyms.Select(u => u.Pseudonym))}");
        }
        return code;
    }
}

internal static class RegistryVerbs
{
    /// <summary>The CLI acts for the operator at the terminal, as a central system user.</summary>
    public static Caller Operator() => Caller.System with { UserName = $"cli:{Environment.UserName}" };

    public static string SingleFile(Arguments args) => args.Positional switch
    {
        [var one] => one,
        [] => throw new UsageException("FILE is required"),
        _ => throw new UsageException($"one FILE only, not {args.Positional.Count}"),
    };

    public static FileStream Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
    }

    /// <summary>The summary on stdout (exit 0), or the summary and one line per problem on stderr (exit 1).</summary>
    public static async Task<int> ReportAsync(string verb, ImportResult result, TextWriter stdout, TextWriter stderr)
    {
        if (result.Imported)
        {
            await stdout.WriteLineAsync(result.Summary);
            return 0;
        }
        await stderr.WriteLineAsync($"{verb}: {result.Summary}");
        foreach (var problem in result.Problems)
        {
            await stderr.WriteLineAsync(problem.ToString());
        }
        if (result.ProblemsNotListed > 0)
        {
            await stderr.WriteLineAsync($"… and {result.ProblemsNotListed} more problem(s) not listed.");
        }
        return 1;
    }
}
