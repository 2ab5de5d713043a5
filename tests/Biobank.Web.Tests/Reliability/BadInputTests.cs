using Biobank.Core.Data;
using Biobank.Core.Tests.Registry;
using Xunit.Abstractions;
using CoreBadInputs = Biobank.Core.Tests.Registry.BadInputTests;

namespace Biobank.Web.Tests.Reliability;

/// <summary>
/// Every malformed input, sent the way a user or an integration sends it (upload, form, JSON, CLI), is refused with a
/// message that names its field, row or column, and leaves every table of the database as it was.
/// </summary>
public sealed class BadInputTests(BadInputBench app, ITestOutputHelper output) : IClassFixture<BadInputBench>
{
    /// <summary>What counts as a refusal: a page shown again (or 413/422), an API problem, CLI exit 1 (bad input) or 2 (usage).</summary>
    private static readonly Dictionary<string, int[]> Refused = new(StringComparer.Ordinal)
    {
        ["import"] = [200, 413, 422, 1, 2],
        ["form"] = [200, 413, 422],
        ["api"] = [400, 404, 409, 413, 415, 422],
    };

    public static TheoryData<string> Names() => new(BadInputCorpus.Asserted.Select(c => c.Name));

    /// <summary>Cases of the registry corpus that only make sense on its own starting database, not on the web demo.</summary>
    private static readonly Dictionary<string, string> NotOnTheDemo = new(StringComparer.Ordinal)
    {
        ["a dose file imported before"] = "the web demo never imported that file, so it is rightly accepted there",
        ["a version label in use"] = "the web demo has no dose version v1, so the label is free there",
    };

    public static TheoryData<string> CoreRegistryNames() => new(CoreBadInputs.Cases.Keys.Where(k => !NotOnTheDemo.ContainsKey(k)));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Is_refused_with_its_place_named_and_nothing_written(string name)
    {
        var input = BadInputCorpus.ByName[name];
        var bench = await app.ReadyAsync();
        var before = await RowCounts.TakeAsync(app.Get<IDb>());

        var answer = await input.Submit(app, bench);

        output.WriteLine(answer.ToString());
        var after = await RowCounts.TakeAsync(app.Get<IDb>());
        answer.Status.ShouldBeOneOf(Refused[input.Surface], $"{name}: {answer}");
        answer.Messages.ShouldContain(m => input.Fragments.All(f => m.Contains(f, StringComparison.OrdinalIgnoreCase)),
            $"{name}: no message names '{input.Place}': {answer}");
        before.Changes(after, input.Writes.Keys.ToHashSet()).ShouldBeEmpty($"{name} wrote rows");
    }

    /// <summary>The registry use case's own corpus, this time through the upload page over HTTP.</summary>
    [Theory]
    [MemberData(nameof(CoreRegistryNames))]
    public async Task Registry_corpus_through_the_upload_pages_is_refused_and_writes_nothing(string name)
    {
        var input = CoreBadInputs.Cases[name];
        var bench = await app.ReadyAsync();
        var client = input.User == "central" ? bench.Admin : bench.Staff;
        var (page, form, fields) = input.Kind == "registry"
            ? ("/Registry/ImportRegistry", "#import-registry", new Dictionary<string, string>())
            : ("/Registry/ImportDoses", "#import-doses", new Dictionary<string, string> { ["VersionLabel"] = input.Label == "v-bad" ? $"core-{Guid.NewGuid():N}"[..20] : input.Label });
        var before = await RowCounts.TakeAsync(app.Get<IDb>());

        var answer = await BadInputBench.UploadPageAsync(client, page, form, "core.csv", input.File(), fields);

        output.WriteLine(answer.ToString());
        answer.Status.ShouldBe(200, answer.ToString());
        // The page files a problem of the form's own fields (the version label) under that field: "VersionLabel: …".
        var place = input.Column.Length > 0 ? input.Column : input.Row > 0 ? $"row {input.Row}" : "";
        answer.Messages.ShouldContain(m => m.Contains(place, StringComparison.OrdinalIgnoreCase) || m.Contains(place.Replace(" ", ""), StringComparison.OrdinalIgnoreCase),
            $"{name}: no message names '{place}': {answer}");
        before.Changes(await RowCounts.TakeAsync(app.Get<IDb>())).ShouldBeEmpty($"{name} wrote rows");
    }

    [Fact]
    public void The_corpus_holds_at_least_200_new_inputs_on_every_surface()
    {
        foreach (var group in BadInputCorpus.Asserted.GroupBy(c => c.Surface))
        {
            output.WriteLine($"{group.Key}: {group.Count()}");
        }
        output.WriteLine($"new and asserted: {BadInputCorpus.Asserted.Count}; reused from the registry use case's corpus: {CoreRegistryNames().Count}");
        foreach (var gap in BadInputCorpus.All.Where(c => c.Gap is not null))
        {
            output.WriteLine($"not yet refused as it should be: {gap.Name} — {gap.Gap}");
        }
        BadInputCorpus.Asserted.Count.ShouldBeGreaterThanOrEqualTo(200);
        BadInputCorpus.Asserted.Select(c => c.Surface).Distinct().Count().ShouldBe(3);
    }
}
