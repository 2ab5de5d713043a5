using System.Diagnostics;
using System.Globalization;
using System.Text;
using Biobank.Core.Common;
using Biobank.Core.Registry;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Storage;
using Biobank.Core.Tests.Support;
using Dapper;
using Xunit.Abstractions;
using static Biobank.Core.Tests.Registry.RegistryFiles;

namespace Biobank.Web.Tests.Reliability;

/// <summary>
/// A bounded random-mutation fuzz of the CSV importers, through their Core use cases (the pages and the CLI are thin
/// calls into them, and the use cases are a hundred times faster than HTTP). A valid file is mutated (bytes deleted,
/// inserted, duplicated, flipped; truncated; delimiters swapped; quotes, line breaks, NUL, BOM, huge numbers put in)
/// and imported: no unexpected exception, and either the whole file lands or no table changes.
/// Seed: fixed, or BIOBANK_FUZZ_SEED; it is printed so a failure can be replayed.
/// </summary>
public sealed class ImportFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MutationsPerImporter = 2_000;
    private static readonly TimeSpan BudgetPerImporter = TimeSpan.FromSeconds(15);   // four importers: about 60 s in CI

    private TestDatabase _db = null!;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("BIOBANK_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261122;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync("Sqlite");
        await LabData.SeedAsync(_db, patients: 6);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static readonly string[] Insertions =
        ["\"", "\n", "\r\n", "\0", "\uFEFF", ",", ";", "\t", "1e309", "99999999999999999999", "-1", "NaN", "\u202E", "\u0301", "'; DROP TABLE tube; --", "<script>", "=1+1", "\"\""];

    /// <summary>One random change to the file: what a damaged disk, a wrong export setting or a hand edit does.</summary>
    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        var count = random.Next(1, 4);
        for (var i = 0; i < count && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2:
                    var length = Math.Min(random.Next(1, 64), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 3:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    var (from, to) = random.Next(3) switch { 0 => ((byte)',', (byte)';'), 1 => ((byte)',', (byte)'\t'), _ => ((byte)'\n', (byte)',') };
                    for (var j = 0; j < bytes.Count; j++)
                    {
                        if (bytes[j] == from && random.Next(2) == 0)
                        {
                            bytes[j] = to;
                        }
                    }
                    break;
                default:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Insertions[random.Next(Insertions.Length)]));
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Runs the importer on mutations of <paramref name="valid"/>; <paramref name="import"/> says how many rows of which table landed (0 when refused).</summary>
    private async Task FuzzAsync(string importer, Func<int, byte[]> valid, Func<byte[], int, Task<(bool Landed, string Table, long Rows)>> import)
    {
        var random = new Random(Seed ^ importer.GetHashCode(StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        var (runs, landed, refused) = (0, 0, 0);
        for (; runs < MutationsPerImporter && clock.Elapsed < BudgetPerImporter; runs++)
        {
            var file = Mutate(random, valid(runs));
            var before = await RowCounts.TakeAsync(_db.Db);
            (bool Landed, string Table, long Rows) result;
            try
            {
                result = await import(file, runs);
            }
            catch (Exception e) when (e is RackImportException or ExternalManifestException)
            {
                result = (false, "", 0);
            }
            catch (Exception e)
            {
                throw new ShouldAssertException($"{importer}, seed {Seed}, mutation {runs}: {e.GetType().Name}: {e.Message}\nfile: {Convert.ToBase64String(file)}", e);
            }
            var after = await RowCounts.TakeAsync(_db.Db);
            if (result.Landed)
            {
                landed++;
                (after.Tables[result.Table] - before.Tables[result.Table]).ShouldBe(result.Rows,
                    $"{importer}, seed {Seed}, mutation {runs}: {result.Rows} row(s) reported, a different number landed in {result.Table}");
            }
            else
            {
                refused++;
                before.Changes(after).ShouldBeEmpty($"{importer}, seed {Seed}, mutation {runs}: refused but wrote\nfile: {Convert.ToBase64String(file)}");
            }
        }
        output.WriteLine($"{importer}: seed {Seed}, {runs} mutations in {clock.Elapsed.TotalSeconds:0.0} s: {landed} landed whole, {refused} refused with nothing written");
        runs.ShouldBeGreaterThan(50, "the time budget allowed too few mutations to mean anything");
    }

    [Fact]
    public async Task Registry_import_never_fails_and_never_writes_part_of_a_file()
    {
        var valid = Encoding.UTF8.GetBytes(RegistryCsv(Patient("BRU-Z0001"), Patient("BRU-Z0002", sex: "M", age: "12.5"), Patient("AAR-Z0003", site: "AAR", modality: "photon")));
        var central = Caller.System with { UserName = "fuzz" };
        await FuzzAsync("registry", _ => valid, async (file, _) =>
        {
            var r = await _db.Get<ImportRegistry>().ExecuteAsync(central, new RegistryImportCommand(new MemoryStream(file), "fuzz.csv"), default);
            return (r.Imported, "patient", r.Created);
        });
    }

    [Fact]
    public async Task Dose_import_never_fails_and_never_writes_part_of_a_file()
    {
        var patients = (await _db.Get<Patients>().ListAsync(Caller.System, null, 3, 0, default)).Select(p => p.Pseudonym).ToList();
        var valid = Encoding.UTF8.GetBytes(DosesCsv([.. patients.SelectMany(p => new[] { Dose(p, "heart", "mean", "4.2"), Dose(p, "brain", "max", "30.5") })]));
        var central = Caller.System with { UserName = "fuzz" };
        await FuzzAsync("doses", _ => valid, async (file, run) =>
        {
            var r = await _db.Get<ImportDoses>().ExecuteAsync(central, new DoseImportCommand(new MemoryStream(file), "fuzz.csv", $"fuzz-{run}"), default);
            return (r.Imported, "organ_dose", r.DosesWritten);
        });
    }

    [Fact]
    public async Task Rack_import_never_fails_and_never_stores_part_of_a_file()
    {
        var tech = await LabData.CallerAsync(_db, "tech.bru");
        var tubes = await LabData.NewAliquotsAsync(_db, tech, 6);
        var valid = Encoding.UTF8.GetBytes("Position,Barcode\n" + string.Join("\n", tubes.Select((t, i) => $"A{i + 1},{t}")) + "\nB1,NO TUBE\n");
        var box = await LabData.NewBoxAsync(_db, tech);
        await FuzzAsync("rack", _ => valid, async (file, _) =>
        {
            var r = await _db.Get<RackImport>().ExecuteAsync(tech, box, new MemoryStream(file), default);
            if (!r.Ok)
            {
                return (false, "", 0);
            }
            (await StoredAsync(box)).ShouldBe(r.Value!.Stored, "the tubes reported stored are the tubes in the box");
            // Taken out again (no row is added or removed by that), so the next file finds them free.
            await using var c = await _db.Db.OpenAsync(default);
            await c.ExecuteAsync("UPDATE tube SET box_id = NULL, pos_row = NULL, pos_col = NULL, status = 'registered' WHERE box_id = (SELECT id FROM box WHERE barcode = @box)", new { box });
            return (true, "custody_event", r.Value.Stored);   // one custody event per tube stored
        });
    }

    [Fact]
    public async Task External_manifest_import_never_fails_and_never_registers_part_of_a_file()
    {
        var receiver = await LabData.CallerAsync(_db, "tech.sto");
        var pseudonym = (await _db.Get<Patients>().ListAsync(Caller.System, "LYO", 1, 0, default)).Single().Pseudonym;
        // New barcodes per run, so a file that landed does not make the next one a duplicate.
        await FuzzAsync("manifest", run => Encoding.UTF8.GetBytes(
            "barcode,pseudonym,sample_type,timepoint,volume_ul,collected_date\n" +
            $"EXT-F{run:D5}-1,{pseudonym},PLASMA,BASELINE,250,2026-10-01\nEXT-F{run:D5}-2,{pseudonym},SER,BASELINE,250,2026-10-01\n"), async (file, _) =>
        {
            var r = await _db.Get<ImportExternalManifest>().ExecuteAsync(receiver, "LYO", "fuzz.csv", new MemoryStream(file), default);
            return (r.Ok, "tube", r.Ok ? r.Value!.Tubes : 0);
        });
    }

    private async Task<long> StoredAsync(string box)
    {
        await using var c = await _db.Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tube WHERE box_id = (SELECT id FROM box WHERE barcode = @box)", new { box });
    }
}
