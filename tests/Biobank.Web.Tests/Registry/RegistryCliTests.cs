using Biobank.Cli;
using Biobank.Core.Demo;
using Biobank.Core.Registry;
using Biobank.Core.Tests.Registry;
using Biobank.Core.Tests.Support;
using Microsoft.Extensions.Configuration;
using static Biobank.Core.Tests.Registry.RegistryFiles;

using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Registry;

/// <summary>The import verbs as the operator uses them: files on disk, exit status, and what is printed.</summary>
public sealed class RegistryCliTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("biobank-cli-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private string File(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(TestDatabase db, params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var overrides = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
        var exit = await BuiltCli.RunAsync(args, output, errors, overrides);
        return (exit, output.ToString(), errors.ToString());
    }

    private static async Task<TestDatabase> DatabaseWithSitesAsync(string provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 0), default);
        return db;
    }

    [Theory, Providers]
    public async Task Good_files_land_with_their_version_and_exit_0(string provider)
    {
        await using var db = await DatabaseWithSitesAsync(provider);
        var registry = await RunAsync(db, "import-registry", File("registry.csv", StartingRegistry));
        registry.Exit.ShouldBe(0, registry.Err);
        registry.Out.ShouldContain("registry.csv: 4 row(s): 4 patient(s) created, 0 updated, 0 unchanged.");

        var doses = await RunAsync(db, "import-doses", File("doses.xlsx", XlsxWriter.FromCsv(FirstDoses)), "--version", "v1", "--note", "first run");
        doses.Exit.ShouldBe(0, doses.Err);
        doses.Out.ShouldContain("dose version 'v1' with 10 dose(s) for 4 patient(s)");
        var version = (await db.Get<DoseQueries>().LatestVersionAsync(default))!;
        (version.Label, version.SourceFile, version.Note).ShouldBe(("v1", "doses.xlsx", "first run"));
        version.ImportedBy.ShouldStartWith("cli:");
    }

    [Theory, Providers]
    public async Task A_bad_file_exits_1_with_one_line_per_problem_and_changes_nothing(string provider)
    {
        await using var db = await DatabaseWithSitesAsync(provider);
        var before = await DatabaseSnapshot.TakeAsync(db);
        var bad = RegistryCsv(Patient("BRU-0100", site: "XYZ"), Patient("BRU-0101", age: "nine"), Patient("BRU-0100", consent: "maybe"));
        var result = await RunAsync(db, "import-registry", File("bad.csv", bad));
        result.Exit.ShouldBe(1);
        result.Out.ShouldBeEmpty();
        var lines = result.Err.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        lines[0].ShouldBe("import-registry: bad.csv was refused with 4 problem(s); nothing was imported.");
        lines[1..].ShouldBe(
        [
            "row 2, column site: 'XYZ' — no site has this code (hospital sites: AAR, BRU, ESS, LYO)",
            "row 3, column age_at_rt_years: 'nine' — not a number: age in years, e.g. 7.5",
            "row 4, column pseudonym: 'BRU-0100' — duplicate pseudonym: already on row 2",
            "row 4, column consent_status: 'maybe' — given or withdrawn",
        ]);
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));
    }

    [Theory, Providers]
    public async Task Identifying_columns_are_refused_with_the_pseudonyms_only_message(string provider)
    {
        await using var db = await DatabaseWithSitesAsync(provider);
        var result = await RunAsync(db, "import-registry", File("names.csv", RegistryHeader + ",Nachname\n" + Patient() + ",Müller\n"));
        result.Exit.ShouldBe(1);
        result.Err.ShouldContain("row 1, column Nachname: 'Nachname' — this column looks like a name: this system holds pseudonyms only");
        result.Err.ShouldNotContain("Müller");
    }

    [Theory, Providers]
    public async Task Unknown_pseudonyms_refuse_the_dose_file_unless_skip_unknown_is_given(string provider)
    {
        await using var db = await DatabaseWithSitesAsync(provider);
        (await RunAsync(db, "import-registry", File("registry.csv", StartingRegistry))).Exit.ShouldBe(0);
        var path = File("doses.csv", DosesCsv(Dose(), Dose("BRU-9001")));

        var refused = await RunAsync(db, "import-doses", path, "--version", "v1");
        refused.Exit.ShouldBe(1);
        refused.Err.ShouldContain("row 3, column pseudonym: 'BRU-9001' — no registered patient has this pseudonym");
        refused.Err.ShouldContain("add --skip-unknown");
        (await db.Get<DoseQueries>().LatestVersionAsync(default)).ShouldBeNull();

        var skipped = await RunAsync(db, "import-doses", path, "--version", "v1", "--skip-unknown");
        skipped.Exit.ShouldBe(0, skipped.Err);
        skipped.Out.ShouldContain("skipped 1 row(s) of 1 unknown pseudonym(s)");
        skipped.Out.ShouldContain("Skipped pseudonyms: BRU-9001");

        var again = await RunAsync(db, "import-doses", path, "--version", "v2", "--skip-unknown");
        again.Exit.ShouldBe(1);
        again.Err.ShouldContain("already imported as dose version 'v1'");
    }

    [Fact]
    public async Task Switches_may_come_before_the_file()
    {
        await using var db = await DatabaseWithSitesAsync("Sqlite");
        var path = File("registry.csv", RegistryHeader + ",ward\n" + Patient() + ",B4\n");
        var result = await RunAsync(db, "import-registry", "--ignore-extra-columns", path);
        result.Exit.ShouldBe(0, result.Err);
    }

    [Theory]
    [InlineData("import-doses", "doses.csv")]
    [InlineData("import-doses", "doses.csv", "--version")]
    [InlineData("import-doses", "--version", "v1")]
    [InlineData("import-doses", "doses.csv", "other.csv", "--version", "v1")]
    [InlineData("import-doses", "doses.csv", "--version", "v1", "--skip-unknwn")]
    [InlineData("import-registry")]
    [InlineData("import-registry", "missing.csv")]
    [InlineData("import-registry", "doses.csv", "--ignore-extra")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        await using var db = await DatabaseWithSitesAsync("Sqlite");
        File("doses.csv", FirstDoses);
        File("other.csv", FirstDoses);
        var resolved = args.Select(a => a.EndsWith(".csv", StringComparison.Ordinal) ? Path.Combine(_dir, a) : a).ToArray();
        var result = await RunAsync(db, resolved);
        result.Exit.ShouldBe(2, result.Err);
        result.Err.ShouldContain("usage: biobank " + args[0]);
    }
}
