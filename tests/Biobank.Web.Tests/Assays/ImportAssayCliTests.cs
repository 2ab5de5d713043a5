using System.Diagnostics;
using System.Globalization;
using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Tests.Support;
using Dapper;
using Microsoft.Extensions.Configuration;

using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Assays;

/// <summary>The <c>import-assay</c> verb: exit 0 with a summary, 1 with every problem, 2 on usage; a killed import leaves all rows or none.</summary>
public sealed class ImportAssayCliTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(TestDatabase db, params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var overrides = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
        var exit = await BuiltCli.RunAsync(args, output, errors, overrides);
        return (exit, output.ToString(), errors.ToString());
    }

    private static async Task<(TestDatabase Db, string Dir, List<string> Aliquots)> SeededAsync()
    {
        var db = await TestDatabase.CreateAsync("Sqlite");
        await LabData.SeedAsync(db);
        await using var c = await db.Db.OpenAsync(default);
        var aliquots = (await c.QueryAsync<string>("""
            SELECT t.barcode FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.kind = 'aliquot' AND p.consent_status = 'given' ORDER BY t.id
            """)).AsList();
        return (db, Directory.CreateTempSubdirectory("biobank-cli-").FullName, aliquots);
    }

    private static string Npx(IEnumerable<string> aliquots, IReadOnlyList<string> proteins, string? bad = null)
    {
        var sb = new StringBuilder(string.Join(",", AssayFormats.NpxHeader)).Append('\n');
        var i = 0;
        foreach (var a in aliquots)
        {
            foreach (var p in proteins)
            {
                var v = bad is not null && i == 3 ? bad : (1 + (i % 97) / 10.0).ToString(CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"{a},{i % 96 + 1},OID{20000 + i % 96},{p},ASSAY,0.01,Target 96 Inflammation,v.3022,PLATE_{i / 8000 + 1},Pass,0.5,{v}\n");
                i++;
            }
        }
        return sb.ToString();
    }

    [Fact]
    public async Task Imports_a_file_then_refuses_it_again_and_refuses_a_malformed_copy_with_every_problem()
    {
        var (db, dir, aliquots) = await SeededAsync();
        await using var _ = db;
        var file = Path.Combine(dir, "npx.csv");
        await File.WriteAllTextAsync(file, Npx(aliquots.Take(10), ["P05231", "P01375"]));
        var first = await RunAsync(db, "import-assay", file, "--format", "npx", "--run", "CLI-RUN-1", "--consume-ul", "2.5");
        first.Exit.ShouldBe(0, first.Err);
        first.Out.ShouldContain("Imported npx.csv into run CLI-RUN-1: 20 rows (20 results, 0 plate controls), 10 aliquots (10 new to the run, 25 µL used)");
        first.Out.ShouldContain("rows/s");

        var again = await RunAsync(db, "import-assay", file, "--format", "npx", "--run", "CLI-RUN-2");
        again.Exit.ShouldBe(1);
        again.Err.ShouldContain("npx.csv was refused: 1 problem(s); nothing was written.");
        again.Err.ShouldContain("row 0, column file: 'npx.csv' — this file was already imported (same SHA-256) into run CLI-RUN-1");

        var broken = Path.Combine(dir, "broken.csv");
        await File.WriteAllTextAsync(broken, Npx(aliquots.Take(3), ["P05231", "P01375"], bad: "NaN") + "NOSUCHTUBE,1,OID1,P05231,IL6,0,INF,v1,P1,Pass,0.5,1\n");
        var refused = await RunAsync(db, "import-assay", broken, "--format", "npx", "--run", "CLI-RUN-3");
        refused.Exit.ShouldBe(1);
        var lines = refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("broken.csv was refused: 2 problem(s); nothing was written.");
        lines[1].ShouldBe("row 5, column NPX: 'NaN' — NaN and infinity are not measured values (leave the cell empty or write NA)");
        lines[2].ShouldBe("row 8, column SampleID: 'NOSUCHTUBE' — no aliquot has this barcode");
        await using var c = await db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_run WHERE run_code LIKE 'CLI-RUN-%'")).ShouldBe(1);
    }

    [Fact]
    public async Task Auto_detects_a_CFX_export_says_which_format_it_chose_and_names_the_columns_not_stored()
    {
        var (db, _, aliquots) = await SeededAsync();
        await using var _db = db;
        await Biobank.Core.Tests.Assays.VendorFormatTests.World.GiveBarcodesAsync(db, aliquots);
        var file = Biobank.Core.Tests.Assays.VendorFormatTests.Fixture("biorad/cfx_maestro_quantification_cq_results.csv");
        var result = await RunAsync(db, "import-assay", file, "--run", "CLI-CFX-1", "--add-analytes", "--format", "auto", "--max-replicate-sd", "0.3");
        result.Exit.ShouldBe(0, result.Err);
        result.Out.ShouldContain("into run CLI-CFX-1: 24 rows (7 results, 1 plate controls)");
        result.Out.ShouldContain("Read as format cfx (detected)");
        result.Out.ShouldContain("replicates: 24 wells averaged into 8 (sample, target) results");
        result.Out.ShouldContain("not stored: Fluor, Biological Set Name, Cq Mean, Cq Std. Dev, Starting Quantity (SQ)");
        result.Out.ShouldContain("1 control sample(s)");
        await using var c = await db.Db.OpenAsync(default);
        // AARA000003112: 26.109, NaN, 25.998 — two of three wells amplified: flagged.
        (await c.ExecuteScalarAsync<long>("""
            SELECT r.qc_warning FROM assay_result r JOIN assay_run u ON u.id = r.run_id JOIN tube t ON t.id = r.tube_id
            WHERE u.run_code = 'CLI-CFX-1' AND t.barcode = 'AARA000003112'
            """)).ShouldBe(1);
    }

    [Theory]
    [InlineData("import-assay --format npx --run R1", "name the result file")]
    [InlineData("import-assay f.csv --format tsv --run R1", "--format is auto, npx, wide, qpcr, counts, olink")]
    [InlineData("import-assay f.csv --format npx", "--run is required")]
    [InlineData("import-assay f.csv --format qpcr --run R1", "--references is required with --format qpcr")]
    [InlineData("import-assay f.csv --format npx --run R1 --consume-ul lots", "--consume-ul is a volume")]
    [InlineData("import-assay f.csv --format npx --run R1 --verbose", "unknown option(s): --verbose")]
    public async Task Usage_errors_exit_with_2(string command, string message)
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        var result = await RunAsync(db, command.Split(' '));
        result.Exit.ShouldBe(2);
        result.Err.ShouldContain(message);
        result.Err.ShouldContain("usage: biobank import-assay FILE [--format auto|npx|wide|qpcr|counts|olink");
    }

    private static bool IsWriteLocked(SQLitePCL.sqlite3 probe)
    {
        if (SQLitePCL.raw.sqlite3_exec(probe, "BEGIN IMMEDIATE") == SQLitePCL.raw.SQLITE_BUSY)
        {
            return true;
        }
        SQLitePCL.raw.sqlite3_exec(probe, "ROLLBACK");
        return false;
    }

    [Fact]
    public async Task An_import_killed_mid_way_leaves_all_rows_or_none_and_a_rerun_lands_every_row_once()
    {
        var (db, dir, aliquots) = await SeededAsync();
        await using var _ = db;
        List<string> proteins;
        await using (var c = await db.Db.OpenAsync(default))
        {
            proteins = (await c.QueryAsync<string>("SELECT code FROM analyte WHERE kind = 'protein' ORDER BY id")).AsList();
        }
        var file = Path.Combine(dir, "big.csv");
        await File.WriteAllTextAsync(file, Npx(aliquots, proteins));
        var expected = (long)aliquots.Count * proteins.Count;
        var dbPath = db.ConnectionString["Data Source=".Length..];
        var killedWhileWriting = false;
        using (var process = Process.Start(new ProcessStartInfo(BuiltCli.Executable, ["import-assay", file, "--format", "npx", "--run", "KILLED"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ConnectionStrings__Biobank"] = db.ConnectionString, ["Database__Provider"] = "Sqlite" },
        })!)
        {
            // While the import's write transaction is open nobody else can take the write lock: kill the process
            // once the lock has been held for several polls in a row (the migration's short transactions never are).
            // A raw handle: Microsoft.Data.Sqlite would wait out SQLITE_BUSY instead of answering at once.
            SQLitePCL.raw.sqlite3_open(dbPath, out var probe).ShouldBe(SQLitePCL.raw.SQLITE_OK);
            using var _probe = probe;
            var busy = 0;
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                busy = IsWriteLocked(probe) ? busy + 1 : 0;
                if (busy >= 3)
                {
                    process.Kill(entireProcessTree: true);
                    killedWhileWriting = true;
                    break;
                }
                await Task.Delay(15);
            }
            await process.WaitForExitAsync();
        }
        killedWhileWriting.ShouldBeTrue("the import ran to its end before the test saw its write transaction");
        await using (var c = await db.Db.OpenAsync(default))
        {
            var rows = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_result r JOIN assay_run u ON u.id = r.run_id WHERE u.run_code = 'KILLED'");
            // Killed inside the transaction: none. (All only if it committed in the few milliseconds between the last probe and the kill.)
            rows.ShouldBeOneOf(0, expected);
            var rerun = await RunAsync(db, "import-assay", file, "--format", "npx", "--run", "KILLED");
            rerun.Exit.ShouldBe(rows == 0 ? 0 : 1, rerun.Err);
        }
        await using (var c = await db.Db.OpenAsync(default))
        {
            (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_result r JOIN assay_run u ON u.id = r.run_id WHERE u.run_code = 'KILLED'")).ShouldBe(expected);
            (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_file f JOIN assay_run u ON u.id = f.run_id WHERE u.run_code = 'KILLED'")).ShouldBe(1);
        }
    }
}
