using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Data;

public sealed class ScopedTests
{
    [Fact]
    public async Task A_query_without_the_site_predicate_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync("Sqlite");
        await using var c = await db.Db.OpenAsync(default);
        var error = await Should.ThrowAsync<InvalidOperationException>(() => c.QueryScopedAsync<long>("SELECT id FROM site", Caller.System));
        error.Message.ShouldContain("@ScopeSiteId");
    }
}
