using Biobank.Core.Accounts;
using Biobank.Core.Samples;
using Biobank.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Biobank.Web.Tests.Support;

/// <summary>Fresh aliquots and boxes in the running app, made through the real use cases.</summary>
public static class WebLabData
{
    public static async Task<IReadOnlyList<string>> NewAliquotsAsync(BiobankWebFactory app, string userName, int count)
    {
        var caller = (await app.Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();
        var patient = (await app.Get<Patients>().ListAsync(caller, null, 100, 0, default)).First(p => !p.Withdrawn);
        var protocol = app.Get<Protocol>();
        var types = await protocol.SampleTypesAsync(default);
        var timepoints = await protocol.TimepointsAsync(default);
        var collection = await app.Get<Collections>().RegisterAsync(caller, new CollectionInput(patient.Id, timepoints[0].Id, DateTime.UtcNow.AddHours(-1), null,
            [new PrimaryTubeInput(types.Single(t => t.Code == "EDTA").Id, null, 100_000m)]), default);
        var tube = await app.Get<TubeQueries>().ByBarcodeAsync(caller, collection.Value!.Barcodes[0], default);
        var aliquots = await app.Get<Aliquoting>().ExecuteAsync(caller, tube!.Id, [new AliquotLine(types.Single(t => t.Code == "PLASMA").Id, count, 10m)], default);
        return aliquots.Value!.Barcodes;
    }

    public static async Task<string> NewBoxAsync(BiobankWebFactory app, string userName, int rows = 10, int cols = 10)
    {
        var caller = (await app.Get<UserAccounts>().FindByNameAsync(userName, default))!.ToCaller();
        return (await app.Services.GetRequiredService<StorageSetup>().AddBoxAsync(caller, caller.SiteId!.Value, null, $"web test {Guid.NewGuid():N}"[..16], rows, cols, null, default)).Value!;
    }
}
