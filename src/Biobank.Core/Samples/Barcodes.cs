using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;

namespace Biobank.Core.Samples;

public enum BarcodeKind
{
    Sample,
    Aliquot,
    Box,
    Shipment,
}

public enum BarcodeCheck
{
    /// <summary>One of ours, and its check character is right.</summary>
    Valid,

    /// <summary>Not in our format: a pre-printed code from a 2D tube, looked up as is.</summary>
    External,

    /// <summary>In our format but the check character is wrong: a mistyped or misread code.</summary>
    WrongCheckCharacter,

    /// <summary>Empty, too long or with characters no barcode of ours or a tube maker's has.</summary>
    Malformed,
}

/// <summary>
/// Our codes: site prefix (2–3 letters), kind letter (S sample, A aliquot, B box, H shipment), 8 digits and an
/// ISO/IEC 7064 MOD 37-2 check character, e.g. <c>BRUA00000042K</c>. A mistyped code is refused before any lookup.
/// </summary>
public static partial class Barcodes
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

    [GeneratedRegex("^[A-Z]{2,3}[SABH][0-9]{8}[0-9A-Z*]$", RegexOptions.CultureInvariant)]
    private static partial Regex OursPattern();

    [GeneratedRegex("^[A-Za-z0-9._/+-]{4,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalPattern();

    public static char KindLetter(BarcodeKind kind) => kind switch
    {
        BarcodeKind.Sample => 'S',
        BarcodeKind.Aliquot => 'A',
        BarcodeKind.Box => 'B',
        BarcodeKind.Shipment => 'H',
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string KindName(BarcodeKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>ISO/IEC 7064 MOD 37-2 (pure system, radix 2) over the alphabet 0–9, A–Z, *.</summary>
    public static char CheckCharacter(string data)
    {
        var p = 0;
        foreach (var ch in data)
        {
            var v = Alphabet.IndexOf(ch, StringComparison.Ordinal);
            if (v < 0)
            {
                throw new ArgumentException($"'{ch}' cannot be part of a MOD 37-2 code.", nameof(data));
            }
            p = (p + v) * 2 % 37;
        }
        return Alphabet[(38 - p) % 37];
    }

    public static string Format(string prefix, BarcodeKind kind, long number)
    {
        var body = $"{prefix}{KindLetter(kind)}{number:D8}";
        return body + CheckCharacter(body);
    }

    /// <summary>Trims what scanners add (spaces, CR/LF) and upper-cases our format; external codes keep their case.</summary>
    public static string Normalize(string? raw) => (raw ?? "").Trim().Trim('\r', '\n', '\t');

    public static BarcodeCheck Check(string code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 40)
        {
            return BarcodeCheck.Malformed;
        }
        var upper = code.ToUpperInvariant();
        if (OursPattern().IsMatch(upper))
        {
            return CheckCharacter(upper[..^1]) == upper[^1] ? BarcodeCheck.Valid : BarcodeCheck.WrongCheckCharacter;
        }
        return ExternalPattern().IsMatch(code) ? BarcodeCheck.External : BarcodeCheck.Malformed;
    }

    /// <summary>The code as stored: ours upper-case, external as scanned.</summary>
    public static string Canonical(string code) => OursPattern().IsMatch(code.ToUpperInvariant()) ? code.ToUpperInvariant() : code;

    public static string? Explain(BarcodeCheck check, string code) => check switch
    {
        BarcodeCheck.WrongCheckCharacter => $"'{code}' has a wrong check character: it was mistyped or misread. Scan it again.",
        BarcodeCheck.Malformed => string.IsNullOrEmpty(code) ? "No barcode was scanned." : $"'{Shorten(code)}' is not a barcode this system uses (4–40 letters, digits, . _ / + -).",
        _ => null,
    };

    private static string Shorten(string s) => s.Length > 44 ? s[..40] + "…" : s;
}

/// <summary>Allocates the next codes of a kind for a site, in the caller's write transaction.</summary>
public static class BarcodeAllocator
{
    private const string Ensure = """
        INSERT INTO barcode_sequence (site_id, kind, next_value) VALUES (@SiteId, @Kind, 1)
        ON CONFLICT (site_id, kind) DO NOTHING
        """;

    private const string Take = """
        UPDATE barcode_sequence SET next_value = next_value + @Count
        WHERE site_id = @SiteId AND kind = @Kind
        RETURNING next_value - @Count
        """;

    private const string Prefix = "SELECT barcode_prefix FROM site WHERE id = @SiteId";

    private const string Register = """
        INSERT INTO barcode (code, kind, external, site_id, created_utc) VALUES (@Code, @Kind, @External, @SiteId, @Now)
        """;

    public static async Task<IReadOnlyList<string>> AllocateAsync(DbConnection c, DbTransaction tx, long siteId, BarcodeKind kind, int count, DateTime now, CancellationToken ct)
    {
        var kindName = Barcodes.KindName(kind);
        await c.ExecuteAsync(new CommandDefinition(Ensure, new { SiteId = siteId, Kind = kindName }, tx, cancellationToken: ct));
        var first = await c.ExecuteScalarAsync<long>(new CommandDefinition(Take, new { SiteId = siteId, Kind = kindName, Count = count }, tx, cancellationToken: ct));
        var prefix = await c.ExecuteScalarAsync<string>(new CommandDefinition(Prefix, new { SiteId = siteId }, tx, cancellationToken: ct));
        var codes = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var code = Barcodes.Format(prefix!, kind, first + i);
            await c.ExecuteAsync(new CommandDefinition(Register, new { Code = code, Kind = kindName, External = false, SiteId = siteId, Now = now }, tx, cancellationToken: ct));
            codes.Add(code);
        }
        return codes;
    }

    /// <summary>Registers a pre-printed code; a code already known anywhere in the system is a unique violation.</summary>
    public static Task RegisterExternalAsync(DbConnection c, DbTransaction tx, string code, BarcodeKind kind, long siteId, DateTime now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(Register, new { Code = code, Kind = Barcodes.KindName(kind), External = true, SiteId = siteId, Now = now }, tx, cancellationToken: ct));
}
