using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Demo;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Dapper;

namespace Biobank.Core.Tests.Support;

/// <summary>Makes fresh tubes and boxes through the real use cases, as a technician would.</summary>
public static class LabData
{
    public static async Task<Caller> CallerAsync(TestDatabase db, string userName) =>
        (await db.Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();

    public static async Task SeedAsync(TestDatabase db, int patients = 8) =>
        await db.Get<DemoSeeder>().SeedAsync(new DemoOptions(Patients: patients), default);

    /// <summary>Registers a collection for a consenting patient of the caller's site and splits an EDTA tube into plasma aliquots.</summary>
    public static async Task<IReadOnlyList<string>> NewAliquotsAsync(TestDatabase db, Caller caller, int count, bool withdrawnPatient = false)
    {
        var patients = (await db.Get<Patients>().ListAsync(caller, null, 500, 0, default)).Where(p => !p.Withdrawn).ToList();
        // The first consenting patient gives ordinary tubes; the last one is the one who will withdraw.
        var patient = withdrawnPatient ? patients[^1] : patients[0];
        var protocol = db.Get<Protocol>();
        var types = await protocol.SampleTypesAsync(default);
        var timepoints = await protocol.TimepointsAsync(default);
        var collection = await db.Get<Collections>().RegisterAsync(caller, new CollectionInput(patient.Id, timepoints[0].Id, db.Clock.GetUtcNow().UtcDateTime.AddHours(-2), null,
            [new PrimaryTubeInput(types.Single(t => t.Code == "EDTA").Id, null, 100_000m)]), default);
        collection.Ok.ShouldBeTrue(collection.Problem?.Message);
        var tube = await db.Get<TubeQueries>().ByBarcodeAsync(caller, collection.Value!.Barcodes[0], default);
        var aliquots = await db.Get<Aliquoting>().ExecuteAsync(caller, tube!.Id, [new AliquotLine(types.Single(t => t.Code == "PLASMA").Id, count, 10m)], default);
        aliquots.Ok.ShouldBeTrue(aliquots.Problem?.Message);
        if (withdrawnPatient)
        {
            var r = await db.Get<Patients>().UpdateAsync(caller, patient.Id, new PatientInput(patient.Pseudonym, patient.SiteId, patient.Sex, patient.AgeAtRtYears, "withdrawn", patient.ConsentDate), "test", default);
            r.Ok.ShouldBeTrue();
        }
        return aliquots.Value!.Barcodes;
    }

    public static async Task<string> NewBoxAsync(TestDatabase db, Caller caller, int rows = 10, int cols = 10)
    {
        var result = await db.Get<StorageSetup>().AddBoxAsync(caller, caller.SiteId!.Value, null, $"test box {Guid.NewGuid():N}"[..20], rows, cols, null, default);
        result.Ok.ShouldBeTrue(result.Problem?.Message);
        return result.Value!;
    }

    /// <summary>Every tube whose custody events end somewhere else (place or status) than the tube is stored: the operators' integrity check.</summary>
    public static async Task<IReadOnlyList<string>> ReplayMismatchesAsync(TestDatabase db) =>
        (await db.Get<Biobank.Core.Operations.IntegrityCheck>().CheckAsync(default)).Custody;
}
