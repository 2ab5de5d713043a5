using Biobank.Cli;
using Biobank.Core.Tests.Support;
using Biobank.Web.Tests.Support;
using Xunit.Abstractions;

namespace Biobank.Web.Tests.Operations;

/// <summary>
/// Every verb of the shipped <c>biobank</c> program, started as a process: exit codes, what it prints,
/// and what it leaves in the database. The verb list comes from the program's own catalogue, so a new
/// verb is called here without anyone remembering to add it.
/// </summary>
public sealed class CliVerbsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("biobank-cli-verbs-").FullName;

    public static TheoryData<string> Verbs => [.. VerbCatalog.All.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_refuses_an_unknown_option_with_exit_2_and_its_usage(string verb)
    {
        var usage = VerbCatalog.All.Single(v => v.Name == verb).Usage;

        var (exit, stdout, stderr) = await BuiltCli.RunAsync(Sqlite("usage.db"), verb, "--no-such-option", "x");

        exit.ShouldBe(2, stdout + stderr);
        stderr.ShouldContain($"usage: biobank {usage}");
        File.Exists(Path.Combine(_dir, "usage.db")).ShouldBeFalse("a usage error touches no database");
    }

    [Fact]
    public async Task Without_a_verb_or_with_an_unknown_one_the_program_lists_every_verb_and_exits_2()
    {
        foreach (var args in new[] { Array.Empty<string>(), ["frobnicate"] })
        {
            var (exit, stdout, stderr) = await BuiltCli.RunAsync(Sqlite("none.db"), args);
            exit.ShouldBe(2);
            foreach (var verb in VerbCatalog.All)
            {
                (stdout + stderr).ShouldContain($"biobank {verb.Usage}");
            }
        }
    }

    [Fact]
    public async Task Migrate_seed_token_check_backup_and_restore_work_as_an_operator_runs_them()
    {
        var db = Sqlite("main.db");
        var migrated = await BuiltCli.RunAsync(db, "migrate");
        migrated.Exit.ShouldBe(0, migrated.Stderr);
        var again = await BuiltCli.RunAsync(db, "migrate");
        again.Exit.ShouldBe(0, again.Stderr);

        var seeded = await BuiltCli.RunAsync(db, "seed-demo", "--patients", "12");
        seeded.Exit.ShouldBe(0, seeded.Stderr);
        seeded.Stdout.ShouldContain("tech.bru");
        var reseed = await BuiltCli.RunAsync(db, "seed-demo", "--patients", "12");
        output.WriteLine($"seed-demo on a seeded database: exit {reseed.Exit}: {reseed.Stdout}{reseed.Stderr}");

        var token = await BuiltCli.RunAsync(db, "create-token", "--user", "tech.bru", "--name", "bench scanner");
        token.Exit.ShouldBe(0, token.Stderr);
        token.Stdout.ShouldMatch(@"(?s).*\S{20,}.*");
        var nobody = await BuiltCli.RunAsync(db, "create-token", "--user", "no.such.user");
        nobody.Exit.ShouldBe(1);
        nobody.Stderr.ShouldContain("no.such.user");

        var check = await BuiltCli.RunAsync(db, "check");
        check.Exit.ShouldBe(0, check.Stdout + check.Stderr);
        check.Stdout.ShouldStartWith("database: ok; custody: ");
        check.Stdout.ShouldContain("0 mismatch(es)");

        var file = Path.Combine(_dir, "backup.db");
        var backup = await BuiltCli.RunAsync(db, "backup", "--out", file);
        backup.Exit.ShouldBe(0, backup.Stderr);
        backup.Stdout.ShouldContain("Backup written to");

        var restored = Sqlite("restored.db");
        var restore = await BuiltCli.RunAsync(restored, "restore", "--from", file);
        restore.Exit.ShouldBe(0, restore.Stderr);
        restore.Stdout.ShouldStartWith("Restored ");
        (await BuiltCli.RunAsync(restored, "check")).Exit.ShouldBe(0);

        // Refusals name what is wrong and change nothing.
        var onto = await BuiltCli.RunAsync(db, "restore", "--from", file);
        onto.Exit.ShouldBe(1);
        onto.Stderr.ShouldStartWith("restore: ");
        var garbage = Path.Combine(_dir, "garbage.db");
        await File.WriteAllTextAsync(garbage, "this is not a backup");
        var fromGarbage = await BuiltCli.RunAsync(Sqlite("fresh.db"), "restore", "--from", garbage);
        fromGarbage.Exit.ShouldBe(1, fromGarbage.Stdout);
        fromGarbage.Stderr.ShouldStartWith("restore: ");
        var missing = await BuiltCli.RunAsync(Sqlite("fresh2.db"), "restore", "--from", Path.Combine(_dir, "nope.db"));
        missing.Exit.ShouldBe(1);
        missing.Stderr.ShouldContain("nope.db");
        (await BuiltCli.RunAsync(db, "check")).Stdout.ShouldBe(check.Stdout, "the refused restore left the database as it was");
    }

    [RequiresPythonOracleFact]
    public async Task The_dose_scan_of_the_built_program_agrees_with_SciPy_and_statsmodels_on_its_own_data_set()
    {
        var db = Sqlite("scan.db");
        (await BuiltCli.RunAsync(db, "seed-demo")).Exit.ShouldBe(0);
        var results = Path.Combine(_dir, "results.csv");
        var data = Path.Combine(_dir, "data.csv");
        foreach (var response in new[] { "change:BASELINE:M3", "value:EOT" })
        {
            var scan = await BuiltCli.RunAsync(db, "associate", "--biomarkers", "all", "--response", response, "--dose", "heart:mean",
                "--covariates", "age,sex,modality", "--min-n", "10", "--out", results, "--data-out", data);
            scan.Exit.ShouldBe(0, scan.Stderr);

            // As a biologist would read the file (pandas' default parser) and exactly (round trip): both agree.
            foreach (var precision in new[] { "high", "round_trip" })
            {
                var report = PythonOracle.Run("association_scan.py", ["compare", data, results, "10"], new() { ["ORACLE_FLOAT_PRECISION"] = precision });
                output.WriteLine($"{response}, pandas {precision}:\n{report}");
                report.ShouldContain("\nagree");
                report.ShouldContain("spearman_rho: ");
            }
        }
    }

    [Fact]
    public async Task The_README_runs_the_CLI_through_scripts_biobank_which_starts_the_built_program()
    {
        var root = BuiltCli.Executable[..BuiltCli.Executable.IndexOf("/artifacts/cli/", StringComparison.Ordinal)];
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        readme.ShouldNotContain("--project src/Biobank.Cli", customMessage: "every README example calls scripts/biobank, which publishes once");
        readme.ShouldContain("scripts/biobank create-token");

        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(root, "scripts", "biobank"), "check"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        foreach (var (key, value) in Sqlite("wrapper.db"))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, stderr);
        stdout.ShouldStartWith("database: ok");
        File.Exists(Path.Combine(_dir, "wrapper.db")).ShouldBeTrue("the wrapper passes the caller's environment to the program");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Sqlite(string file) => new()
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Biobank"] = $"Data Source={Path.Combine(_dir, file)}",
        ["Biobank:DataFolder"] = _dir,
    };
}
