using Biobank.Core.Assays;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

/// <summary>A background import runs with the rights of the user who submitted it, not with the system's.</summary>
public sealed class ImportJobSiteTests
{
    private static ImportJobRequest Request(string path, string run) => new(path, "upload.csv", AssayFileFormat.Npx, run, ConsumeUl: 1m);

    [Theory, Providers]
    public async Task A_site_biologists_job_cannot_write_results_on_or_take_volume_from_another_sites_aliquots(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var lyo = await LabData.CallerAsync(w.Db, "bio.lyo");
        var jobs = w.Db.Get<ImportJobs>();
        // BRU's aliquots, one of them of a patient who withdrew consent.
        var path = await AssayFiles.WriteAsync(w.Dir, "bru.csv", AssayFiles.Npx([.. w.Aliquots.Take(3), w.WithdrawnAliquot]));
        await using var c = await w.Db.Db.OpenAsync(default);
        var withdrawnPseudonym = await c.ExecuteScalarAsync<string>("SELECT p.pseudonym FROM tube t JOIN patient p ON p.id = t.patient_id WHERE t.barcode = @B", new { B = w.WithdrawnAliquot });
        var before = await Footprint.TakeAsync(w.Db);

        var id = (await jobs.EnqueueAsync(lyo, Request(path, "RUN-LYO-ON-BRU"), default)).Value;
        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);

        done!.State.ShouldBe(ImportJobStates.Failed);
        done.CreatedByUserId.ShouldBe(lyo.UserId, "the job records who submitted it, by id");
        var problems = done.ProblemList();
        problems.Count.ShouldBe(4);
        problems.ShouldAllBe(p => p.Reason.StartsWith("no aliquot of your site has this barcode", StringComparison.Ordinal), "another site's aliquot, withdrawn or not, reads like an unknown one");
        string.Join("\n", problems.Select(p => p.ToString())).ShouldNotContain(withdrawnPseudonym!);
        (done.Message ?? "").ShouldNotContain("withdr");
        var after = await Footprint.TakeAsync(w.Db);
        after.Results.ShouldBe(before.Results);
        after.Remaining.ShouldBe(before.Remaining, "no volume taken");
        after.Custody.ShouldBe(before.Custody);
    }

    [Theory, Providers]
    public async Task The_owning_sites_biologist_imports_the_same_file_as_themselves(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var bru = await LabData.CallerAsync(w.Db, "bio.bru");
        var path = await AssayFiles.WriteAsync(w.Dir, "own.csv", AssayFiles.Npx(w.Aliquots.Take(3).ToList()));
        var id = (await w.Db.Get<ImportJobs>().EnqueueAsync(bru, Request(path, "RUN-BRU-OWN"), default)).Value;

        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);

        done!.State.ShouldBe(ImportJobStates.Succeeded, done.Message);
        done.CreatedByUserId.ShouldBe(bru.UserId);
        await using var c = await w.Db.Db.OpenAsync(default);
        (await c.ExecuteScalarAsync<string>("SELECT created_by FROM assay_run WHERE run_code = 'RUN-BRU-OWN'")).ShouldBe("bio.bru");
    }

    [Theory, Providers]
    public async Task A_job_of_an_account_disabled_since_it_was_queued_writes_nothing(string provider)
    {
        await using var w = await AssayWorld.CreateAsync(provider);
        var bru = await LabData.CallerAsync(w.Db, "bio.bru");
        var path = await AssayFiles.WriteAsync(w.Dir, "gone.csv", AssayFiles.Npx(w.Aliquots.Take(3).ToList()));
        var id = (await w.Db.Get<ImportJobs>().EnqueueAsync(bru, Request(path, "RUN-GONE"), default)).Value;
        await using (var c = await w.Db.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE app_user SET disabled = TRUE WHERE user_name = 'bio.bru'");
        }
        var before = await Footprint.TakeAsync(w.Db);

        var done = await w.Db.Get<RunImportJob>().ExecuteAsync(id, "node-a", default);

        done!.State.ShouldBe(ImportJobStates.Failed);
        done.Message!.ShouldContain("disabled");
        (await Footprint.TakeAsync(w.Db)).Results.ShouldBe(before.Results);
    }
}
