using System.Text;
using Biobank.Core.Registry;
using Biobank.Core.Tests.Support;
using static Biobank.Core.Tests.Registry.RegistryFiles;

namespace Biobank.Core.Tests.Registry;

/// <summary>A bad file and where its problem must be reported.</summary>
public sealed record BadInput(string Kind, Func<byte[]> File, int Row, string Column, string Reason, string Label = "v-bad", string User = "central");

/// <summary>
/// Every kind of bad input is refused whole: the problem is named by row and column, and the database is exactly as
/// before (patients, doses, versions, batches and the audit trail).
/// </summary>
public sealed class BadInputTests(RegistryDatabases databases) : IClassFixture<RegistryDatabases>
{
    private static byte[] Text(string csv) => new UTF8Encoding(false).GetBytes(csv);

    /// <summary>A valid workbook of these rows whose sheet is padded to expand 64 MiB at ~1000:1, as the assay refusal tests build it.</summary>
    private static byte[] Bomb(string csv)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bomb-{Guid.NewGuid():N}.xlsx");
        try
        {
            Assays.AssayFiles.WriteXlsx(path, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (IReadOnlyList<string>)l.Split(',')).ToList(), "xl/worksheets/sheet1.xml", 64 << 20);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static BadInput R(string csv, int row, string column, string reason) => new("registry", () => Text(csv), row, column, reason);

    private static BadInput D(string csv, int row, string column, string reason, string label = "v-bad", string user = "central") =>
        new("doses", () => Text(csv), row, column, reason, label, user);

    public static readonly IReadOnlyDictionary<string, BadInput> Cases = new Dictionary<string, BadInput>
    {
        // Identifying data: the whole file is refused at its header.
        ["a first-name column"] = R(RegistryHeader + ",first_name\n" + Patient() + ",Marie\n", 1, "first_name", "pseudonyms only"),
        ["a French date-of-birth column"] = R(RegistryHeader + ",date_de_naissance\n" + Patient() + ",2015-03-02\n", 1, "date_de_naissance", "date of birth"),
        ["a Swedish national-ID column"] = R(RegistryHeader + ",personnummer\n" + Patient() + ",20150302-1234\n", 1, "personnummer", "national ID"),
        ["an e-mail column"] = R(RegistryHeader + ",E-mail\n" + Patient() + ",x@example.org\n", 1, "E-mail", "e-mail"),
        ["a German phone column"] = R(RegistryHeader + ",Telefon\n" + Patient() + ",0201 123\n", 1, "Telefon", "phone"),
        ["a Danish address column"] = R(RegistryHeader + ",Adresse\n" + Patient() + ",Vestergade 1\n", 1, "Adresse", "address"),
        ["a name column in a dose file"] = D(DoseHeader + ",patient_name\n" + Dose() + ",Marie Curie\n", 1, "patient_name", "pseudonyms only"),

        // The shape of the file.
        ["an empty file"] = R("", 0, "", "the file is empty"),
        ["a header and no rows"] = R(RegistryHeader + "\n", 0, "", "no data rows"),
        ["a required column missing"] = R(RegistryHeader.Replace(",fractions", "") + "\n" + Patient().Replace(",54,30,", ",54,") + "\n", 1, "fractions", "required column missing"),
        ["an extra column"] = R(RegistryHeader + ",ward\n" + Patient() + ",B4\n", 1, "ward", "unexpected column"),
        ["a column twice"] = R(RegistryHeader + ",site\n" + Patient() + ",BRU\n", 1, "site", "appears twice"),
        ["a row with more values than the header"] = R(RegistryCsv(Patient(), Patient("BRU-0101", diagnosis: "glioma, low grade")), 3, "", "the header has 12 columns"),
        ["a row with fewer values than the header"] = R(RegistryCsv(Patient(), Patient("BRU-0101").Replace(",medulloblastoma,", ",")), 3, "", "the header has 12 columns"),
        ["a stray quote"] = R(RegistryCsv(Patient(diagnosis: "medullo\"blastoma")), 2, "", "quote"),
        ["a value in a column without a header"] = R(RegistryHeader + ",\n" + Patient() + ",stray\n", 2, "M (no header)", "without a header"),
        ["a damaged workbook"] = new("registry", () => XlsxWriter.FromCsv(RegistryCsv(Patient()))[..300], 0, "", "workbook"),
        ["a zip-bomb workbook"] = new("registry", () => Bomb(RegistryCsv(Patient())), 0, "", "zip bomb"),
        ["a zip-bomb workbook of doses"] = new("doses", () => Bomb(DosesCsv(Dose())), 0, "", "zip bomb"),
        ["a missing organ column in a dose file"] = D(DoseHeader.Replace("organ,", "") + "\nBRU-0001,mean,3.2,0.3,TPS,2025-06-01\n", 1, "organ", "required column missing"),

        // Registry values.
        ["an unknown site"] = R(RegistryCsv(Patient(site: "XYZ")), 2, "site", "no site has this code"),
        ["a site that treats no patients"] = R(RegistryCsv(Patient(site: "STO")), 2, "site", "not a hospital site"),
        ["a duplicate pseudonym"] = R(RegistryCsv(Patient("BRU-0100"), Patient("BRU-0101"), Patient("BRU-0100", sex: "M")), 4, "pseudonym", "already on row 2"),
        ["a name in the pseudonym column"] = R(RegistryCsv(Patient("Jean Dupont")), 2, "pseudonym", "pseudonyms only"),
        ["an empty pseudonym"] = R(RegistryCsv(Patient("")), 2, "pseudonym", "required"),
        ["a sex that is not F or M"] = R(RegistryCsv(Patient(sex: "female")), 2, "sex", "F or M"),
        ["an age that is not a number"] = R(RegistryCsv(Patient(age: "nine")), 2, "age_at_rt_years", "not a number"),
        ["an age outside the paediatric range"] = R(RegistryCsv(Patient(age: "34")), 2, "age_at_rt_years", "0 to 25"),
        ["an unknown modality"] = R(RegistryCsv(Patient(modality: "electron")), 2, "modality", "photon, proton or both"),
        ["a date that does not exist"] = R(RegistryCsv(Patient(start: "2025-02-30")), 2, "rt_start", "not a real calendar date"),
        ["a date written day/month/year"] = R(RegistryCsv(Patient(end: "13/06/2025")), 2, "rt_end", "YYYY-MM-DD"),
        ["a date with a time"] = R(RegistryCsv(Patient(start: "2025-05-05T08:30")), 2, "rt_start", "without a time"),
        ["radiotherapy ending before it starts"] = R(RegistryCsv(Patient(start: "2025-06-13", end: "2025-05-05")), 2, "rt_end", "ends before it starts"),
        ["a negative prescribed dose"] = R(RegistryCsv(Patient(dose: "-54")), 2, "prescribed_dose_gy", "cannot be negative"),
        ["a prescribed dose with its unit"] = R(RegistryCsv(Patient(dose: "54 Gy")), 2, "prescribed_dose_gy", "not a number"),
        ["a fraction count that is not whole"] = R(RegistryCsv(Patient(fractions: "30.5")), 2, "fractions", "whole number"),
        ["an unknown consent status"] = R(RegistryCsv(Patient(consent: "yes")), 2, "consent_status", "given or withdrawn"),
        ["an empty consent status"] = R(RegistryCsv(Patient(consent: "")), 2, "consent_status", "required"),
        ["a consent date in the future"] = R(RegistryCsv(Patient(consentDate: "2027-01-04")), 2, "consent_date", "in the future"),
        ["a patient of another site"] = R(RegistryCsv(Patient("BRU-0001", site: "AAR")), 2, "site", "registered at site BRU"),
        ["a pseudonym differing only in case"] = R(RegistryCsv(Patient("bru-0001")), 2, "pseudonym", "upper/lower case"),
        ["a row of another site from a site user"] = new("registry", () => Text(RegistryCsv(Patient("AAR-0100", site: "AAR"))), 2, "site", "your own site", User: "staff.bru"),

        // Dose values.
        ["an unknown organ"] = D(DosesCsv(Dose(organ: "spleen")), 2, "organ", "unknown organ"),
        ["an organ written with a space"] = D(DosesCsv(Dose(organ: "parotid glands")), 2, "organ", "did you mean parotid_glands"),
        ["an unknown metric"] = D(DosesCsv(Dose(metric: "D95%")), 2, "metric", "unknown metric"),
        ["a negative dose"] = D(DosesCsv(Dose(value: "-1.2")), 2, "value_gy", "cannot be negative"),
        ["a dose that is not a number"] = D(DosesCsv(Dose(value: "n/a")), 2, "value_gy", "not a number"),
        ["a missing dose"] = D(DosesCsv(Dose(value: "")), 2, "value_gy", "required"),
        ["an impossible dose"] = D(DosesCsv(Dose(value: "540")), 2, "value_gy", "more than 200 Gy"),
        ["a volume share above 100 %"] = D(DosesCsv(Dose(metric: "V20Gy", value: "120")), 2, "value_gy", "percentage"),
        ["a negative uncertainty"] = D(DosesCsv(Dose(sd: "-0.1")), 2, "uncertainty_sd_gy", "cannot be negative"),
        ["the same organ and metric twice for a patient"] = D(DosesCsv(Dose(), Dose("BRU-0002"), Dose(value: "3.3")), 4, "metric", "already on row 2"),
        ["a computed date that is not ISO"] = D(DosesCsv(Dose(date: "2025-6-1")), 2, "computed_date", "YYYY-MM-DD"),
        ["an unregistered pseudonym"] = D(DosesCsv(Dose(), Dose("BRU-9999")), 3, "pseudonym", "no registered patient"),
        ["a version label in use"] = D(DosesCsv(Dose()), 0, "version label", "exists already", label: "v1"),
        ["no version label"] = D(DosesCsv(Dose()), 0, "version label", "required", label: " "),
        ["a dose file imported before"] = D(FirstDoses, 0, "", "already imported as dose version 'v1'"),
        ["a dose file from a site user"] = D(DosesCsv(Dose()), 0, "", "only a central user", user: "staff.bru"),
    };

    private static readonly string[] OnlySqlite = ["Sqlite"];
    private static readonly string[] BothProviders = ["Sqlite", "Postgres"];

    public static IEnumerable<object[]> CaseNames() =>
        from provider in TestEnvironment.Postgres is null ? OnlySqlite : BothProviders
        from name in Cases.Keys
        select new object[] { provider, name };

    [Fact]
    public void At_least_twenty_kinds_of_bad_input_are_covered() => Cases.Count.ShouldBeGreaterThanOrEqualTo(20);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Is_refused_naming_row_and_column_and_changes_nothing(string provider, string name)
    {
        var bad = Cases[name];
        var db = await databases.GetAsync(provider);
        var caller = bad.User == "central" ? Callers.Central : await Callers.SiteUserAsync(db, bad.User);
        var before = await DatabaseSnapshot.TakeAsync(db);

        ImportResult result = bad.Kind == "registry"
            ? await db.Get<ImportRegistry>().ExecuteAsync(caller, new RegistryImportCommand(Stream(bad.File()), "bad.csv"), default)
            : await db.Get<ImportDoses>().ExecuteAsync(caller, new DoseImportCommand(Stream(bad.File()), "bad.csv", bad.Label), default);

        result.Imported.ShouldBeFalse();
        result.ProblemCount.ShouldBeGreaterThan(0);
        result.Problems.ShouldContain(p => p.Row == bad.Row && p.Column == bad.Column && p.Reason.Contains(bad.Reason, StringComparison.Ordinal),
            $"expected row {bad.Row}, column '{bad.Column}', reason with '{bad.Reason}'; got:\n{string.Join("\n", result.Problems)}");
        before.ShouldEqual(await DatabaseSnapshot.TakeAsync(db));
    }

    [Theory, Providers]
    public async Task Identifying_values_are_never_echoed_in_the_problem_list(string provider)
    {
        var db = await databases.GetAsync(provider);
        var result = await db.Get<ImportRegistry>().ExecuteAsync(Callers.Central, new RegistryImportCommand(
            Stream(RegistryHeader + ",surname\n" + Patient(sex: "bad") + ",Curie\n"), "bad.csv"), default);
        result.Problems.ShouldHaveSingleItem().Column.ShouldBe("surname");
        string.Join("\n", result.Problems).ShouldNotContain("Curie");
    }
}
