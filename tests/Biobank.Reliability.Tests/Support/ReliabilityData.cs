using System.Globalization;
using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Shipments;
using Dapper;

namespace Biobank.Reliability.Tests.Support;

public sealed record Shipment(string Barcode, List<string> Tubes);

public sealed record Protein
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
}

/// <summary>What the reliability runs prepare through the use cases and read back with SQL.</summary>
public static class ReliabilityData
{
    public static async Task<IEnumerable<T>> QueryAsync<T>(ReliabilityDb db, string sql)
    {
        await using var c = await db.Db.OpenAsync(default);
        return (await c.QueryAsync<T>(sql)).AsList();
    }

    public static async Task<long> ScalarAsync(ReliabilityDb db, string sql)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>(sql);
    }

    public static async Task<string?> ScalarTextAsync(ReliabilityDb db, string sql)
    {
        await using var c = await db.Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<string?>(sql);
    }

    /// <summary>Shipments BRU → STO of loose stored aliquots of consenting patients, built, packed and dispatched as staff do it.</summary>
    public static async Task<List<Shipment>> DispatchShipmentsAsync(ReliabilityDb db, int count, int tubesEach)
    {
        var staff = await db.CallerAsync("staff.bru");
        var build = db.Get<BuildShipment>();
        var move = db.Get<MoveShipment>();
        var sto = await ScalarAsync(db, "SELECT id FROM site WHERE code = 'STO'");
        var candidates = (await QueryAsync<string>(db, $"""
            SELECT t.barcode FROM tube t JOIN site s ON s.id = t.site_id JOIN patient p ON p.id = t.patient_id
            WHERE s.code = 'BRU' AND t.status = 'in_storage' AND t.kind = 'aliquot' AND p.consent_status = 'given'
            ORDER BY t.id DESC LIMIT {count * tubesEach}
            """)).ToList();
        candidates.Count.ShouldBe(count * tubesEach, "the demo has enough stored BRU aliquots");
        var shipments = new List<Shipment>();
        foreach (var chunk in candidates.Chunk(tubesEach))
        {
            var barcode = (await build.CreateAsync(staff, sto, default)).Value!;
            foreach (var tube in chunk)
            {
                var added = await build.AddAsync(staff, barcode, tube, default);
                added.Ok.ShouldBeTrue($"{tube}: {added.Problem?.Message}");
            }
            (await build.PackAsync(staff, barcode, new PackInput("World Courier", $"REL{shipments.Count:D4}", 5m, null, 1, staff.UserName, "+32 2 555 01 00"), default)).Ok.ShouldBeTrue();
            (await move.DispatchAsync(staff, barcode, default)).Ok.ShouldBeTrue();
            shipments.Add(new Shipment(barcode, [.. chunk]));
        }
        return shipments;
    }

    public static async Task<List<Protein>> PlasmaProteinsAsync(ReliabilityDb db) =>
        (await QueryAsync<Protein>(db, "SELECT code AS Code, name AS Name FROM analyte WHERE biomarker_class = 'plasma_protein' ORDER BY code")).ToList();

    /// <summary>A long NPX file: every aliquot × every protein; <paramref name="salt"/> varies the values, so each file has its own SHA-256.</summary>
    public static byte[] NpxFile(IReadOnlyList<string> aliquots, IReadOnlyList<Protein> proteins, int salt)
    {
        var sb = new StringBuilder(string.Join(",", AssayFormats.NpxHeader)).Append('\n');
        var i = 0;
        foreach (var a in aliquots)
        {
            foreach (var p in proteins)
            {
                var npx = (2 + (i++ * 7 + salt * 13) % 900 / 100.0).ToString("0.00", CultureInfo.InvariantCulture);
                sb.Append(string.Join(',', a, "1", "OID00001", p.Code, p.Name, "0", "Olink Target 96 Inflammation", "v.3022", "PLATE1", "Pass", "0.5", npx)).Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
