using System.Diagnostics;
using System.Net;
using Biobank.Reliability.Tests.Support;
using Dapper;
using Xunit.Abstractions;

namespace Biobank.Reliability.Tests;

/// <summary>
/// Issue #9, several nodes: two web processes on one PostgreSQL database with Hangfire's shared job store. An import
/// submitted once on node A is run by whichever node fetches it first; that node is killed mid-import; the
/// surviving node recovers the job and the rows land exactly once.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper output)
{
    private sealed record Job
    {
        public string State { get; init; } = "";
        public string? Node { get; init; }
        public long Attempts { get; init; }
        public long RowsWritten { get; init; }
        public string? Message { get; init; }
    }

    [Fact]
    public async Task An_import_submitted_once_lands_once_when_the_node_running_it_is_killed()
    {
        if (ReliabilityDb.Postgres is null)
        {
            ReliabilityDb.InCi.ShouldBeFalse("CI starts PostgreSQL: this test must run there");
            output.WriteLine("No PostgreSQL (BIOBANK_TEST_POSTGRES): two nodes need the server database; not run.");
            return;
        }
        await using var db = await ReliabilityDb.CreateAsync("Postgres", patients: 60);
        var aliquots = (await ReliabilityData.QueryAsync<string>(db, """
            SELECT t.barcode FROM tube t JOIN patient p ON p.id = t.patient_id JOIN sample_type st ON st.id = t.sample_type_id
            WHERE t.kind = 'aliquot' AND p.consent_status = 'given' AND st.code IN ('PLASMA', 'SERUM') ORDER BY t.id
            """)).Take(3000).ToList();
        var proteins = await ReliabilityData.PlasmaProteinsAsync(db);
        var expected = aliquots.Count * proteins.Count;

        await using var a = new WebNode("node-a", db.NodeEnvironment("node-a"));
        await using var b = new WebNode("node-b", db.NodeEnvironment("node-b"));
        await a.StartAsync();
        await b.StartAsync();
        using var browser = await FormClient.SignInAsync(a.Url, "biologist");
        using (var upload = await FormClient.UploadAsync(browser, "/Assays", new() { ["Format"] = "npx", ["RunCode"] = "TWO-NODES", ["ConsumeUl"] = "0" }, "Upload", "two-nodes.csv", ReliabilityData.NpxFile(aliquots, proteins, 0)))
        {
            upload.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        // Wait until a node has the job running, then kill exactly that node.
        var clock = Stopwatch.StartNew();
        Job job;
        while ((job = await JobAsync(db)) is not { State: "running", Node: not null } && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            job.State.ShouldNotBe("succeeded", "the import must still be running when its node is killed; make the file larger");
            await Task.Delay(50);
        }
        job.State.ShouldBe("running");
        var (victim, survivor) = job.Node == "node-a" ? (a, b) : (b, a);
        await Task.Delay(300);
        victim.Kill();
        var killedAt = clock.Elapsed;
        var partial = await ReliabilityData.ScalarAsync(db, "SELECT COUNT(*) FROM assay_result r JOIN assay_run ru ON ru.id = r.run_id WHERE ru.run_code = 'TWO-NODES'");
        partial.ShouldBe(0, "rows and the job's success commit together: nothing of a killed import is visible");

        while ((job = await JobAsync(db)).State is "running" or "queued" && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(250);
        }
        var recovered = clock.Elapsed - killedAt;
        job.State.ShouldBe("succeeded", job.Message + " " + await ReliabilityData.ScalarTextAsync(db, "SELECT problems FROM import_job ORDER BY id DESC LIMIT 1"));
        job.Node.ShouldBe(survivor.Name, "the surviving node ran the recovered job");
        survivor.Running.ShouldBeTrue();

        // The killed node comes back: it must not run the finished import again.
        await victim.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(8));
        (await ReliabilityData.ScalarAsync(db, "SELECT COUNT(*) FROM assay_result r JOIN assay_run ru ON ru.id = r.run_id WHERE ru.run_code = 'TWO-NODES'")).ShouldBe(expected, "exactly once");
        (await ReliabilityData.ScalarAsync(db, "SELECT COUNT(*) FROM assay_file f JOIN assay_run ru ON ru.id = f.run_id WHERE ru.run_code = 'TWO-NODES'")).ShouldBe(1);
        (await JobAsync(db)).State.ShouldBe("succeeded");
        (await db.CheckAsync()).Problems.ShouldBeEmpty();
        Report.Line(output, $"| two nodes, PostgreSQL, Hangfire (shared store, 30 s sliding invisibility timeout) | import of {expected:N0} rows submitted once on node-a, run by {victim.Name}, killed (SIGKILL) {killedAt.TotalSeconds:F1} s after submission with 0 rows visible; recovered and finished by {survivor.Name} {recovered.TotalSeconds:F1} s later (attempt {job.Attempts}) | {expected:N0} results exactly once, one file record; the killed node restarted and did not run it again; integrity check passed |");
    }

    private static async Task<Job> JobAsync(ReliabilityDb db)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.QuerySingleOrDefaultAsync<Job>(
            "SELECT state AS State, node AS Node, attempts AS Attempts, rows_written AS RowsWritten, message AS Message FROM import_job WHERE run_code = 'TWO-NODES'") ?? new Job { State = "none" };
    }
}
