using System.Text;

namespace Biobank.Core.Registry;

/// <summary>
/// Recognises column headers that carry identifying data — names, birth dates, addresses, national IDs,
/// e-mail, phone — in English, French, German, Danish and Swedish. A file with such a column is refused
/// whole: this system holds registry pseudonyms only, and a name must not reach the database even once.
/// </summary>
public static class IdentifyingColumns
{
    public const string PseudonymsOnly =
        "this system holds pseudonyms only: remove identifying columns (names, dates of birth, addresses, national IDs, e-mail, phone) and export the file again";

    // Matched anywhere in the header with separators removed ("Date of birth" -> "dateofbirth").
    private static readonly (string Stem, string What)[] Stems =
    [
        ("surname", "a name"), ("firstname", "a name"), ("lastname", "a name"), ("forename", "a name"),
        ("givenname", "a name"), ("familyname", "a name"), ("fullname", "a name"), ("maidenname", "a name"),
        ("middlename", "a name"), ("patientname", "a name"), ("childname", "a name"),
        ("prenom", "a name"), ("nomdefamille", "a name"), ("nomdenaissance", "a name"), ("nomdusage", "a name"),
        ("vorname", "a name"), ("nachname", "a name"), ("familienname", "a name"), ("geburtsname", "a name"), ("rufname", "a name"),
        ("fornavn", "a name"), ("efternavn", "a name"), ("mellemnavn", "a name"), ("slaegtsnavn", "a name"),
        ("fornamn", "a name"), ("efternamn", "a name"), ("mellannamn", "a name"), ("tilltalsnamn", "a name"),
        ("birth", "a date of birth"), ("naissance", "a date of birth"), ("geburt", "a date of birth"),
        ("fodsel", "a date of birth"), ("fodelse", "a date of birth"),
        ("personnummer", "a national ID"), ("personnr", "a national ID"), ("cprnummer", "a national ID"), ("cprnr", "a national ID"),
        ("socialsecurity", "a national ID"), ("securitesociale", "a national ID"), ("numerosecu", "a national ID"),
        ("sozialversicherung", "a national ID"), ("versichertennummer", "a national ID"), ("steuerid", "a national ID"),
        ("rijksregister", "a national ID"), ("registrenational", "a national ID"), ("nationalid", "a national ID"),
        ("nationalnumber", "a national ID"), ("nationalidentity", "a national ID"), ("nationalinsurance", "a national ID"),
        ("passport", "a national ID"), ("idcard", "a national ID"), ("identitycard", "a national ID"),
        ("email", "an e-mail address"), ("mailadres", "an e-mail address"), ("courriel", "an e-mail address"), ("epost", "an e-mail address"),
        ("phone", "a phone number"), ("telephone", "a phone number"), ("telefon", "a phone number"), ("mobilnummer", "a phone number"),
        ("handynummer", "a phone number"), ("portable", "a phone number"),
        ("address", "an address"), ("adresse", "an address"), ("adress", "an address"), ("anschrift", "an address"),
        ("street", "an address"), ("strasse", "an address"), ("hausnummer", "an address"), ("gatuadress", "an address"),
        ("postcode", "an address"), ("postalcode", "an address"), ("zipcode", "an address"), ("codepostal", "an address"),
        ("postleitzahl", "an address"), ("postnummer", "an address"), ("wohnort", "an address"),
    ];

    // Matched only as a whole word of the header ("dob", "zip"): as stems they would hit harmless words.
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["name"] = "a name", ["names"] = "a name", ["nom"] = "a name", ["noms"] = "a name", ["navn"] = "a name",
        ["namn"] = "a name", ["initials"] = "a name", ["initiales"] = "a name", ["initialer"] = "a name",
        ["dob"] = "a date of birth", ["ddn"] = "a date of birth", ["born"] = "a date of birth", ["nee"] = "a date of birth",
        ["ssn"] = "a national ID", ["nir"] = "a national ID", ["cpr"] = "a national ID", ["niss"] = "a national ID",
        ["insee"] = "a national ID", ["bsn"] = "a national ID", ["svnr"] = "a national ID",
        ["mail"] = "an e-mail address", ["tel"] = "a phone number", ["tlf"] = "a phone number", ["mobile"] = "a phone number",
        ["mobil"] = "a phone number", ["handy"] = "a phone number", ["gsm"] = "a phone number", ["fax"] = "a phone number",
        ["zip"] = "an address", ["plz"] = "an address", ["rue"] = "an address", ["vej"] = "an address", ["gade"] = "an address",
        ["gata"] = "an address", ["postnr"] = "an address",
    };

    // "site name", "organ name": a name word next to one of these is not a person's name.
    private static readonly HashSet<string> NotAPerson = new(StringComparer.Ordinal)
    {
        "site", "organ", "metric", "file", "sample", "study", "diagnosis", "drug", "protocol", "hospital", "centre",
        "center", "institution", "plan", "structure", "roi", "source", "version", "software", "tool", "device", "machine",
        "technique", "field", "beam", "treatment", "unit", "department", "service", "project", "cohort", "trial", "host",
    };

    /// <summary>What the header looks like it holds ("a name", "a date of birth", …), or null when it looks harmless.</summary>
    public static string? Check(string header)
    {
        var words = SplitWords(header);
        if (words.Count == 0)
        {
            return null;
        }
        var compact = string.Concat(words);
        // Where each word starts in the compact text and which word each character belongs to.
        var wordOf = new int[compact.Length];
        var starts = new HashSet<int>();
        for (int w = 0, at = 0; w < words.Count; at += words[w].Length, w++)
        {
            starts.Add(at);
            Array.Fill(wordOf, w, at, words[w].Length);
        }
        foreach (var (stem, what) in Stems)
        {
            for (var at = compact.IndexOf(stem, StringComparison.Ordinal); at >= 0; at = compact.IndexOf(stem, at + 1, StringComparison.Ordinal))
            {
                // "first name" and "Geburtsdatum" match; "dose post" does not hide an "epost".
                if (starts.Contains(at) || wordOf[at] == wordOf[at + stem.Length - 1])
                {
                    return what;
                }
            }
        }
        foreach (var word in words)
        {
            if (Words.TryGetValue(word, out var what))
            {
                if (what == "a name" && words.Any(NotAPerson.Contains))
                {
                    continue;
                }
                return what;
            }
        }
        return null;
    }

    /// <summary>Lower-case ASCII words of a header: accents dropped, ø/æ/ß spelt out, camelCase split.</summary>
    private static List<string> SplitWords(string header)
    {
        // Folded by table: the application runs with invariant globalization, where Unicode normalisation is not available.
        var folded = new StringBuilder(header.Length + 8);
        var previousLower = false;
        foreach (var ch in header)
        {
            if (char.IsUpper(ch) && previousLower)
            {
                folded.Append(' ');
            }
            previousLower = char.IsLower(ch);
            var lower = char.ToLowerInvariant(ch);
            folded.Append(lower switch
            {
                _ when char.IsAsciiLetterOrDigit(lower) => lower.ToString(),
                'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' => "a",
                'ç' => "c",
                'è' or 'é' or 'ê' or 'ë' => "e",
                'ì' or 'í' or 'î' or 'ï' => "i",
                'ñ' => "n",
                'ò' or 'ó' or 'ô' or 'õ' or 'ö' or 'ø' => "o",
                'ù' or 'ú' or 'û' or 'ü' => "u",
                'ý' or 'ÿ' => "y",
                'æ' => "ae",
                'œ' => "oe",
                'ß' => "ss",
                _ => " ",
            });
        }
        return folded.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
