using Biobank.Core.Assays;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Assays;

/// <summary>Uploaded files are spooled to disk for the background job: they are deleted when it ends, and each user may queue only a few.</summary>
public sealed class ImportJobSpoolTests
{
    private static ImportJobRequest Spooled(string path, string run) => new(path, "upload.csv", AssayFileFormat.Npx, run, ConsumeUl: 1m, Spooled: true);

    [Theory, Providers]
    public async Task A_spooled_upload_is_deleted_when_its_job_succeeds_fails_or_is_cancelled_and_an_operators_own_file_is_kept(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var runner = w.Db.Get<RunImportJob>();
        var good = await AssayFiles.WriteAsync(w.Dir, "good.csv", AssayFiles.Npx(w.Aliquots.Take(2).ToList()));
        var bad = await AssayFiles.WriteAsync(w.Dir, "bad.csv", AssayFiles.NpxHeader + "\n" + AssayFiles.NpxRow(w.Aliquots[3], "P05231", "IL6", "NaN") + "\n");
        var cancelled = await AssayFiles.WriteAsync(w.Dir, "cancelled.csv", AssayFiles.Npx([w.Aliquots[4]]));
        var own = await AssayFiles.WriteAsync(w.Dir, "own.csv", AssayFiles.Npx([w.Aliquots[5]]));

        (await runner.ExecuteAsync((await jobs.EnqueueAsync(w.Biologist, Spooled(good, "RUN-SPOOL-OK"), default)).Value, "node-a", default))!.State.ShouldBe(ImportJobStates.Succeeded);
        (await runner.ExecuteAsync((await jobs.EnqueueAsync(w.Biologist, Spooled(bad, "RUN-SPOOL-BAD"), default)).Value, "node-a", default))!.State.ShouldBe(ImportJobStates.Failed);
        (await jobs.RequestCancelAsync(w.Biologist, (await jobs.EnqueueAsync(w.Biologist, Spooled(cancelled, "RUN-SPOOL-CANCEL"), default)).Value, default)).ShouldBeTrue();
        var ownJob = (await jobs.EnqueueAsync(w.Biologist, new ImportJobRequest(own, "own.csv", AssayFileFormat.Npx, "RUN-OWN", ConsumeUl: 1m), default)).Value;
        (await runner.ExecuteAsync(ownJob, "node-a", default))!.State.ShouldBe(ImportJobStates.Succeeded);

        File.Exists(good).ShouldBeFalse("the upload of a finished import is deleted");
        File.Exists(bad).ShouldBeFalse("and of a refused one");
        File.Exists(cancelled).ShouldBeFalse("and of one cancelled before it ran");
        File.Exists(own).ShouldBeTrue("a file the web app did not spool is never deleted");
    }

    [Theory, Providers]
    public async Task A_user_may_have_only_a_few_imports_waiting_and_the_next_is_refused_by_name(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var bru = await LabData.CallerAsync(w.Db, "bio.bru");
        var path = await AssayFiles.WriteAsync(w.Dir, "many.csv", AssayFiles.Npx([w.Aliquots[0]]));
        var ids = new List<long>();
        for (var i = 0; i < ImportJobs.MaxOpenPerUser; i++)
        {
            ids.Add((await jobs.EnqueueAsync(bru, new ImportJobRequest(path, "many.csv", AssayFileFormat.Npx, $"RUN-MANY-{i}"), default)).Value);
        }

        var refused = await jobs.EnqueueAsync(bru, new ImportJobRequest(path, "many.csv", AssayFileFormat.Npx, "RUN-MANY-X"), default);

        refused.Problem!.Code.ShouldBe(ImportJobs.QueueFullCode);
        refused.Problem.Message.ShouldContain($"{ImportJobs.MaxOpenPerUser} imports waiting or running");
        (await jobs.ListAsync(bru, 50, default)).Count.ShouldBe(ImportJobs.MaxOpenPerUser, "the refused upload queued nothing");
        (await jobs.EnqueueAsync(w.Biologist, new ImportJobRequest(path, "many.csv", AssayFileFormat.Npx, "RUN-OTHER-USER"), default)).Ok.ShouldBeTrue("the cap is per user");
        (await jobs.RequestCancelAsync(bru, ids[0], default)).ShouldBeTrue();
        (await jobs.EnqueueAsync(bru, new ImportJobRequest(path, "many.csv", AssayFileFormat.Npx, "RUN-MANY-Y"), default)).Ok.ShouldBeTrue("a finished job frees its place");
    }

    [Theory, Providers]
    public async Task A_biologist_cannot_cancel_another_sites_job(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var jobs = w.Db.Get<ImportJobs>();
        var lyo = await LabData.CallerAsync(w.Db, "bio.lyo");
        var bru = await LabData.CallerAsync(w.Db, "bio.bru");
        var path = await AssayFiles.WriteAsync(w.Dir, "lyo.csv", AssayFiles.Npx([w.Aliquots[0]]));
        var id = (await jobs.EnqueueAsync(lyo, new ImportJobRequest(path, "lyo.csv", AssayFileFormat.Npx, "RUN-LYO"), default)).Value;

        (await jobs.RequestCancelAsync(bru, id, default)).ShouldBeFalse();

        var job = (await jobs.GetAsync(id, default))!;
        job.State.ShouldBe(ImportJobStates.Queued);
        job.CancelRequested.ShouldBeFalse();
    }
}
