using System.Text;
using Biobank.Core.Accounts;
using Biobank.Core.Audit;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Registry;

/// <summary>Import files as the registry and the dosimetry tool write them, good ones by default.</summary>
public static class RegistryFiles
{
    public const string RegistryHeader =
        "pseudonym,site,sex,age_at_rt_years,diagnosis_group,modality,rt_start,rt_end,prescribed_dose_gy,fractions,consent_status,consent_date";

    public const string DoseHeader = "pseudonym,organ,metric,value_gy,uncertainty_sd_gy,source,computed_date";

    /// <summary>The four patients every registry test database starts with.</summary>
    public static readonly string StartingRegistry = string.Join('\n',
        RegistryHeader,
        "BRU-0001,BRU,F,7.5,medulloblastoma,photon,2025-01-10,2025-02-20,54,30,given,2024-12-01",
        "BRU-0002,BRU,M,15.2,hodgkin_lymphoma,photon,2025-02-03,2025-02-19,19.8,11,given,2025-01-15",
        "AAR-0001,AAR,M,4,wilms_tumour,proton,2025-03-01,2025-03-10,10.8,6,given,2025-02-01",
        "LYO-0001,LYO,F,11,ependymoma,both,2025-04-01,2025-05-14,54,30,given,2025-03-01");

    public static string RegistryCsv(params string[] rows) => string.Join('\n', [RegistryHeader, .. rows]) + "\n";

    public static string DosesCsv(params string[] rows) => string.Join('\n', [DoseHeader, .. rows]) + "\n";

    /// <summary>A dose row for a starting patient; every field can be replaced.</summary>
    public static string Dose(string pseudonym = "BRU-0001", string organ = "heart", string metric = "mean", string value = "3.2",
        string sd = "0.3", string source = "TPS", string date = "2025-06-01") =>
        $"{pseudonym},{organ},{metric},{value},{sd},{source},{date}";

    /// <summary>A registry row for a new patient; every field can be replaced.</summary>
    public static string Patient(string pseudonym = "BRU-0100", string site = "BRU", string sex = "F", string age = "9",
        string diagnosis = "medulloblastoma", string modality = "proton", string start = "2025-05-05", string end = "2025-06-13",
        string dose = "54", string fractions = "30", string consent = "given", string consentDate = "2025-04-01") =>
        $"{pseudonym},{site},{sex},{age},{diagnosis},{modality},{start},{end},{dose},{fractions},{consent},{consentDate}";

    /// <summary>The first dose version: mean and max heart and brain doses of the four starting patients.</summary>
    public static readonly string FirstDoses = DosesCsv(
        Dose("BRU-0001", "heart", "mean", "5.1"), Dose("BRU-0001", "heart", "max", "9.8"), Dose("BRU-0001", "brain", "mean", "35.2", "1.2"),
        Dose("BRU-0002", "heart", "mean", "12.4"), Dose("BRU-0002", "heart", "max", "21.0"), Dose("BRU-0002", "brain", "mean", "0.2", "0.05"),
        Dose("AAR-0001", "heart", "mean", "0.12", "0.04"), Dose("AAR-0001", "kidneys", "mean", "8.3", "0.4"),
        Dose("LYO-0001", "heart", "mean", "0.4", "0.1"), Dose("LYO-0001", "brain", "mean", "18.0", "0.9"));

    public static MemoryStream Stream(string text, Encoding? encoding = null) => new((encoding ?? new UTF8Encoding(false)).GetBytes(text));

    public static MemoryStream Stream(byte[] bytes) => new(bytes);
}

/// <summary>Who imports: the central operator, or a site user of one hospital.</summary>
public static class Callers
{
    public static readonly Caller Central = Caller.System with { UserName = "central.tester" };

    /// <summary>The lab bench's patient use case, built here until Core registers it.</summary>
    public static Patients PatientsOf(TestDatabase db) => new(db.Db, db.Get<IAudit>(), db.Clock);

    public static async Task<Caller> SiteUserAsync(TestDatabase db, string userName = "staff.bru") =>
        (await db.Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();
}

/// <summary>
/// Everything an import may touch, to prove a refused file touched nothing: row counts and the full patient rows.
/// </summary>
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, long> Counts, string Patients)
{
    private static readonly string[] Tables = ["patient", "organ_dose", "dose_version", "audit_log", "import_batch"];

    public static async Task<DatabaseSnapshot> TakeAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            counts[table] = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
        }
        var rows = await c.QueryAsync<Patient>(Biobank.Core.Samples.Patients.Columns + " ORDER BY p.id");
        return new DatabaseSnapshot(counts, string.Join('\n', rows));
    }

    public void ShouldEqual(DatabaseSnapshot after)
    {
        after.Counts.ShouldBe(Counts);
        after.Patients.ShouldBe(Patients);
    }
}

/// <summary>
/// One migrated database per provider, with sites, users, the four starting patients and the first dose version
/// ("v1"). Tests that share it only read, or prove they changed nothing.
/// </summary>
public sealed class RegistryDatabases : IAsyncLifetime, IDisposable
{
    private readonly Dictionary<string, TestDatabase> _databases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task<TestDatabase> GetAsync(string provider)
    {
        await _lock.WaitAsync();
        try
        {
            if (!_databases.TryGetValue(provider, out var db))
            {
                db = await StartingDatabaseAsync(provider);
                _databases[provider] = db;
            }
            return db;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A fresh database with the starting registry and dose version v1, for tests that write.</summary>
    public static async Task<TestDatabase> StartingDatabaseAsync(string provider, bool withDoses = true)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: 0), default);
        var registry = await db.Get<ImportRegistry>().ExecuteAsync(Callers.Central,
            new RegistryImportCommand(RegistryFiles.Stream(RegistryFiles.StartingRegistry), "start.csv"), default);
        registry.Imported.ShouldBeTrue(string.Join("\n", registry.Problems));
        if (withDoses)
        {
            var doses = await db.Get<ImportDoses>().ExecuteAsync(Callers.Central,
                new DoseImportCommand(RegistryFiles.Stream(RegistryFiles.FirstDoses), "doses-v1.csv", "v1"), default);
            doses.Imported.ShouldBeTrue(string.Join("\n", doses.Problems));
        }
        return db;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var db in _databases.Values)
        {
            await db.DisposeAsync();
        }
    }

    public void Dispose() => _lock.Dispose();
}
