using System.Xml.Linq;
using Biobank.Core.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Biobank.Web.Infrastructure;

/// <summary>Data-protection keys in the database: several web nodes share one key ring, so sign-in survives a node switch.</summary>
public sealed class DbKeyRepository(IDb db, TimeProvider clock) : IXmlRepository
{
    private const string SelectAll = "SELECT xml FROM data_protection_key ORDER BY id";

    private const string Insert = """
        INSERT INTO data_protection_key (friendly_name, xml, created_utc) VALUES (@Name, @Xml, @Now)
        ON CONFLICT (friendly_name) DO NOTHING
        """;

    // IXmlRepository is synchronous by contract; key reads happen once per key-ring refresh, not per request.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var c = db.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        return c.Query<string>(SelectAll).Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var c = db.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        c.Execute(Insert, new { Name = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), Now = clock.GetUtcNow().UtcDateTime });
    }
}
