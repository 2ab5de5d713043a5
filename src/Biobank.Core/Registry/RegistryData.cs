using System.Data.Common;
using Dapper;

namespace Biobank.Core.Registry;

/// <summary>A site as the imports need it: the code a file names, its id and whether it treats patients.</summary>
internal sealed record SiteKey
{
    public long Id { get; init; }
    public string Code { get; init; } = "";
    public string Kind { get; init; } = "";
}

/// <summary>A registered pseudonym and its site, for matching file rows without reading whole patients.</summary>
internal sealed record PatientKey
{
    public long Id { get; init; }
    public string Pseudonym { get; init; } = "";
    public long SiteId { get; init; }
    public string SiteCode { get; init; } = "";
}

/// <summary>Reads the imports share.</summary>
internal static class RegistryData
{
    private const string Sites = "SELECT id AS Id, code AS Code, kind AS Kind FROM site";

    // Not a scoped read: it only decides whether a pseudonym is taken (the unique key), and the import tells a
    // site user no more than "registered at another site".
    private const string AllPatientKeys = """
        SELECT p.id AS Id, p.pseudonym AS Pseudonym, p.site_id AS SiteId, s.code AS SiteCode
        FROM patient p JOIN site s ON s.id = p.site_id
        """;

    public static async Task<Dictionary<string, SiteKey>> SitesAsync(DbConnection c, DbTransaction? tx, CancellationToken ct) =>
        (await c.QueryAsync<SiteKey>(new CommandDefinition(Sites, transaction: tx, cancellationToken: ct)))
            .ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every pseudonym, matched without case so that "bru-0001" is caught as a mistyped BRU-0001.</summary>
    public static async Task<Dictionary<string, PatientKey>> PatientKeysAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var keys = new Dictionary<string, PatientKey>(StringComparer.OrdinalIgnoreCase);
        await foreach (var k in c.QueryUnbufferedAsync<PatientKey>(AllPatientKeys, transaction: tx).WithCancellation(ct))
        {
            keys.TryAdd(k.Pseudonym, k);
        }
        return keys;
    }
}

/// <summary>An import reads its file twice (hash, then rows): a stream that cannot seek is copied to a temporary file first.</summary>
internal static class SeekableFile
{
    /// <summary>Runs <paramref name="use"/> on a seekable view of <paramref name="file"/> (a temporary copy when it cannot seek), then drops the copy.</summary>
    public static async Task<T> UseAsync<T>(Stream file, Func<Stream, Task<T>> use, CancellationToken ct)
    {
        var (stream, owned) = await OpenAsync(file, ct);
        try
        {
            return await use(stream);
        }
        finally
        {
            if (owned)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static async Task<(Stream Stream, bool Owned)> OpenAsync(Stream file, CancellationToken ct)
    {
        if (file.CanSeek)
        {
            return (file, false);
        }
        var copy = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        await file.CopyToAsync(copy, ct);
        copy.Position = 0;
        return (copy, true);
    }
}
