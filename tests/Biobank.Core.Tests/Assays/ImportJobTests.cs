using Biobank.Core.Assays;
using Biobank.Core.Common;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

public sealed class ImportJobTests
{
    private static ImportJobRequest Request(string path, string run) => new(path, "upload.csv", AssayFileFormat.Npx, run, ConsumeUl: 1m);

    [Theory, Providers]
    public async Task A_queued_job_runs_once_and_records_its_outcome_in_the_import_transaction(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "job.csv", AssayFiles.Npx(w.Aliquots.Take(3).ToList()));
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-JOB"), default)).Value;
        (await jobs.QueuedAsync(default)).ShouldBe([id]);
        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);
        done!.State.ShouldBe(ImportJobStates.Succeeded);
        done.RowsWritten.ShouldBe(12);
        done.Sha256.ShouldNotBeNull();
        done.Message!.ShouldContain("9 results and 3 controls into run RUN-JOB");
        done.Attempts.ShouldBe(1);
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<long>("SELECT import_job_id FROM assay_file f JOIN assay_run r ON r.id = f.run_id WHERE r.run_code = 'RUN-JOB'")).ShouldBe(id);
        (await c.ExecuteScalarAsync<string>("SELECT created_by FROM assay_run WHERE run_code = 'RUN-JOB'")).ShouldBe("biologist");
        var again = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-b", default);
        again!.Attempts.ShouldBe(1, "a finished job is not claimed again");
        (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_file")).ShouldBe(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM assay_run") , "one file per run here: nothing duplicated");
    }

    [Theory, Providers]
    public async Task A_job_left_running_by_a_dead_node_is_taken_over_only_by_a_recovering_run_once_its_heartbeats_stopped(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "dead.csv", AssayFiles.Npx(w.Aliquots.Take(3).ToList()));
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-DEAD"), default)).Value;
        var now = w.Db.Clock.GetUtcNow().UtcDateTime;
        await using (var c = await w.Db.Db.OpenAsync(default))
        {
            // node-a claimed it and died a moment ago: its heartbeat is fresh.
            await c.ExecuteAsync("UPDATE import_job SET state = 'running', node = 'node-a', attempts = 1, heartbeat_utc = @At WHERE id = @Id", new { Id = id, At = now.AddSeconds(-2) });
        }
        var runner = w.Db.Get<RunImportJob>();
        (await runner.ExecuteAsync(id, "node-b", default))!.State.ShouldBe(ImportJobStates.Running, "an ordinary run never takes a running job");
        (await runner.ExecuteAsync(id, "node-b", default, recovering: true))!.Node.ShouldBe("node-a", "heartbeats 2 s old: the owner may still be alive");
        await using (var c = await w.Db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE import_job SET heartbeat_utc = @At WHERE id = @Id", new { Id = id, At = now.AddSeconds(-30) });
        }
        var done = await runner.ExecuteAsync(id, "node-b", default, recovering: true);
        done!.State.ShouldBe(ImportJobStates.Succeeded, "silent for 30 s and handed over by the scheduler as recovering: node-b runs it");
        done.Node.ShouldBe("node-b");
        done.Attempts.ShouldBe(2);
        (await runner.ExecuteAsync(id, "node-c", default, recovering: true))!.Attempts.ShouldBe(2, "a finished job is never taken over");
    }

    [Theory, Providers]
    public async Task A_refused_file_fails_the_job_with_its_problems(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "bad.csv", AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[0], "P05231", "IL6", "NaN") + "\n");
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-BAD"), default)).Value;
        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);
        done!.State.ShouldBe(ImportJobStates.Failed);
        done.ProblemCount.ShouldBe(1);
        done.ProblemList().Single().ToString().ShouldStartWith("row 2, column NPX: 'NaN' — NaN and infinity");
        (await w.Db.Get<AssayRuns>().GetAsync("RUN-BAD", default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task Cancelling_a_queued_job_stops_it_before_it_starts(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "cancel.csv", AssayFiles.Npx([w.Aliquots[0]]));
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-CANCELLED"), default)).Value;
        (await jobs.RequestCancelAsync(w.Biologist, id, default)).ShouldBeTrue();
        (await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default))!.State.ShouldBe(ImportJobStates.Cancelled);
        (await jobs.RequestCancelAsync(w.Biologist, id, default)).ShouldBeFalse("a finished job cannot be cancelled");
        (await w.Db.Get<AssayRuns>().GetAsync("RUN-CANCELLED", default)).ShouldBeNull();
    }

    [Theory, Providers]
    public async Task After_a_crash_interrupted_jobs_are_requeued_and_complete_once(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "crash.csv", AssayFiles.Npx(w.Aliquots.Take(2).ToList()));
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-CRASH"), default)).Value;
        var other = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-OTHER-NODE"), default)).Value;
        await using (var c = await w.Db.Db.OpenAsync(default))
        {
            // What a killed process leaves: jobs marked running (its import transaction died with it, writing nothing).
            await c.ExecuteAsync("UPDATE import_job SET state = 'running', node = 'node-a', heartbeat_utc = @Now WHERE id = @Id", new { Id = id, Now = w.Db.Clock.GetUtcNow().UtcDateTime });
            await c.ExecuteAsync("UPDATE import_job SET state = 'running', node = 'node-b', heartbeat_utc = @Now WHERE id = @Id", new { Id = other, Now = w.Db.Clock.GetUtcNow().UtcDateTime });
        }
        (await jobs.RecoverAsync("node-a", TimeSpan.FromMinutes(5), default)).ShouldBe([id], "node-b is alive: its job stays");
        w.Db.Clock.Advance(TimeSpan.FromMinutes(10));
        (await jobs.RecoverAsync("node-a", TimeSpan.FromMinutes(5), default)).ShouldBe([other], "node-b went silent");
        (await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default))!.State.ShouldBe(ImportJobStates.Succeeded);
        var second = await w.Db.Get<RunImportJob>().ExecuteAsync(other, "node-a", default);
        second!.State.ShouldBe(ImportJobStates.Failed, "the same file is never imported twice");
        second.ProblemList().Single().Reason.ShouldContain("already imported");
    }

    [Theory, Providers]
    public async Task A_job_asked_to_stop_after_it_was_claimed_writes_nothing(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var path = await AssayFiles.WriteAsync(w.Dir, "stop.csv", AssayFiles.Npx(w.Aliquots));
        var id = (await jobs.EnqueueAsync(w.Biologist, Request(path, "RUN-STOP"), default)).Value;
        var before = await Footprint.TakeAsync(w.Db);
        await using (var c = await w.Db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE import_job SET cancel_requested = TRUE WHERE id = @Id", new { Id = id });
        }
        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);
        done!.State.ShouldBe(ImportJobStates.Cancelled);
        (await Footprint.TakeAsync(w.Db)).ShouldBe(before);
    }
}
