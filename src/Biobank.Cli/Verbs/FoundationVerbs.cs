using Biobank.Core.Accounts;
using Biobank.Core.Data;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Cli.Verbs;

public sealed class MigrateVerb : IVerb
{
    public string Name => "migrate";
    public string Usage => "migrate";
    public string Summary => "Applies the database migrations (the web app does this at start too).";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        args.RejectUnknown();
        var dialect = services.GetRequiredService<ISqlDialect>();
        var report = await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await stdout.WriteLineAsync($"{dialect.Describe()}: applied {report.Applied.Count} migration(s) {string.Join(", ", report.Applied)}; {report.AlreadyApplied} already applied.");
        return 0;
    }
}

public sealed class GrantAppRoleVerb : IVerb
{
    public string Name => "grant-app-role";
    public string Usage => "grant-app-role --role NAME [--password P]";
    public string Summary => "PostgreSQL: migrates as the owner, then creates (with --password) and grants the least-privilege role the web app and CLI connect with.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var role = args.Required("role");
        var password = args.Option("password") ?? Environment.GetEnvironmentVariable("BIOBANK_APP_ROLE_PASSWORD");
        args.RejectUnknown();
        if (!AppRole.IsValidName(role))
        {
            throw new UsageException("--role: lower-case letters, digits and _, starting with a letter");
        }
        if (services.GetRequiredService<ISqlDialect>().Provider != DatabaseProvider.Postgres)
        {
            await stderr.WriteLineAsync("grant-app-role: SQLite has no database roles; protect the database file with file permissions.");
            return 1;
        }
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        try
        {
            var report = await services.GetRequiredService<AppRole>().GrantAsync(role, password, ct);
            await stdout.WriteLineAsync($"{(report.Created ? "created and granted" : "granted")} role {report.Role} on {report.Tables} table(s): " +
                "read/write on business tables, read and append only on audit_log and custody_event, no CREATE, not the owner.");
            return 0;
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"grant-app-role: {e.Message}");
            return 1;
        }
    }
}

public sealed class CreateTokenVerb : IVerb
{
    public string Name => "create-token";
    public string Usage => "create-token --user NAME [--name PURPOSE]";
    public string Summary => "Creates an API token for a user and prints it once.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var userName = args.Required("user");
        var purpose = args.Option("name") ?? "cli";
        args.RejectUnknown();
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var user = await services.GetRequiredService<UserAccounts>().FindByNameAsync(userName, ct);
        if (user is null)
        {
            await stderr.WriteLineAsync($"create-token: no user named '{userName}'.");
            return 1;
        }
        var operatorCaller = Caller.System with { UserName = $"cli:{Environment.UserName}" };
        var result = await services.GetRequiredService<ApiTokens>().CreateAsync(operatorCaller, user.Id, purpose, ct);
        if (!result.Ok)
        {
            await stderr.WriteLineAsync($"create-token: {result.Problem!.Message}");
            return 1;
        }
        await stdout.WriteLineAsync(result.Value!.Token);
        return 0;
    }
}

public sealed class SeedDemoVerb : IVerb
{
    public string Name => "seed-demo";
    public string Usage => "seed-demo [--patients N] [--mirnas N] [--password P]";
    public string Summary => "Fills an empty database with deterministic demo data (default 40 patients; 2300 is full scale).";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var patients = args.Number("patients", 40);
        int? mirnas = args.Option("mirnas") is null ? null : args.Number("mirnas", 0);
        var password = args.Option("password") ?? DemoSeeder.DefaultPassword;
        args.RejectUnknown();
        if (patients is < 1 or > 100_000)
        {
            throw new UsageException("--patients must be between 1 and 100000");
        }
        if (mirnas is < 5 or > 10_000)
        {
            throw new UsageException("--mirnas must be between 5 and 10000 (the named miRNAs and the two references come first)");
        }
        if (PasswordPolicy.Check(password) is { } bad)
        {
            await stderr.WriteLineAsync($"seed-demo: {bad}");
            return 1;
        }
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var report = await services.GetRequiredService<DemoSeeder>().SeedAsync(new DemoOptions(patients, password, Mirnas: mirnas), ct);
        if (!report.Seeded)
        {
            await stdout.WriteLineAsync("The database already holds data; nothing was added.");
            return 0;
        }
        await stdout.WriteLineAsync($"Demo data created in {started.Elapsed.TotalSeconds:F1} s: {string.Join(", ", report.Counts.Select(kv => $"{kv.Value} {kv.Key}"))}.");
        await stdout.WriteLineAsync($"Sign-ins (password '{password}'):");
        foreach (var l in report.Logins)
        {
            await stdout.WriteLineAsync($"  {l.UserName,-14} {l.Role,-11} {l.Site}");
        }
        return 0;
    }
}

public sealed class BackupVerb : IVerb
{
    public string Name => "backup";
    public string Usage => "backup --out FILE";
    public string Summary => "Writes a consistent backup (SQLite online backup; PostgreSQL pg_dump custom format) and prints its row counts.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var file = args.Required("out");
        args.RejectUnknown();
        var report = await services.GetRequiredService<Backup>().BackupAsync(file, ct);
        await stdout.WriteLineAsync($"Backup written to {report.File} ({report.Bytes:N0} bytes): {report.Rows.Values.Sum():N0} rows in {report.Rows.Count} tables.");
        return 0;
    }
}

public sealed class RestoreVerb : IVerb
{
    public string Name => "restore";
    public string Usage => "restore --from FILE";
    public string Summary => "Restores a backup into the configured database, which must be new and empty.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var file = args.Required("from");
        args.RejectUnknown();
        try
        {
            await services.GetRequiredService<Backup>().RestoreAsync(file, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException)
        {
            await stderr.WriteLineAsync($"restore: {e.Message}");
            return 1;
        }
        var counts = await services.GetRequiredService<Backup>().CountRowsAsync(ct);
        await stdout.WriteLineAsync($"Restored {counts.Values.Sum():N0} rows in {counts.Count} tables.");
        return 0;
    }
}

public sealed class CheckVerb : IVerb
{
    public string Name => "check";
    public string Usage => "check";
    public string Summary => "Checks the records after a crash or a restore: database integrity, every tube's custody replay, every assay run all or nothing. Exit 1 on any problem.";

    public async Task<int> RunAsync(Arguments args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        args.RejectUnknown();
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var report = await services.GetRequiredService<Core.Operations.IntegrityCheck>().CheckAsync(ct);
        await stdout.WriteLineAsync($"database: {(report.Storage.Count == 0 ? "ok" : $"{report.Storage.Count} problem(s)")}; custody: {report.Tubes:N0} tubes replayed from {report.CustodyEvents:N0} events, {report.Custody.Count} mismatch(es); assay runs: {report.Runs.Count} problem(s).");
        foreach (var problem in report.Problems.Take(Core.Operations.IntegrityCheck.MaxListed))
        {
            await stdout.WriteLineAsync("  " + problem);
        }
        return report.Ok ? 0 : 1;
    }
}
