using System.Text;
using Biobank.Core.Tests.Support;
using static Biobank.Core.Tests.Registry.RegistryFiles;
using static Biobank.Web.Tests.Reliability.BadInputBench;

namespace Biobank.Web.Tests.Reliability;

/// <summary>
/// One malformed input: where it goes, the words that must name its place in the answer (every fragment, in one
/// message), and the tables a refusal may legitimately write to, each with the reason.
/// </summary>
public sealed record BadInput(string Surface, string Name, string Place, Func<BadInputBench, Bench, Task<Refusal>> Submit)
{
    public IReadOnlyDictionary<string, string> Writes { get; init; } = new Dictionary<string, string>();

    /// <summary>Why this input is not refused as it should be yet; such an input is listed, not asserted.</summary>
    public string? Gap { get; init; }

    public IReadOnlyList<string> Fragments => Place.Split(" & ");
}

/// <summary>The malformed inputs, by surface: file imports (web and CLI), page forms, the JSON API.</summary>
public static class BadInputCorpus
{
    public const string Rtl = "\u202E";
    public const string Combining = "\u0301";
    public const string Sql = "'; DROP TABLE tube; --";
    public const string Script = "<script>alert(1)</script>";

    private static byte[] Utf8(string s) => new UTF8Encoding(false).GetBytes(s);

    private static string Long(int n) => new('x', n);

    public static IReadOnlyList<BadInput> All { get; } = [.. Imports(), .. Forms(), .. Api()];

    public static IReadOnlyList<BadInput> Asserted { get; } = [.. All.Where(c => c.Gap is null)];

    private const string NulInForm = "a NUL in a posted form field is answered 400 with an empty body before the page runs: refused and nothing written, but no message names the field";

    public static IReadOnlyDictionary<string, BadInput> ByName { get; } = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    private static IEnumerable<BadInput> Imports()
    {
        // Registry file through /Registry/ImportRegistry.
        BadInput Reg(string name, string place, Func<byte[]> file, string fileName = "registry.csv") =>
            new("import", $"registry page: {name}", place, async (_, b) => await UploadPageAsync(b.Admin, "/Registry/ImportRegistry", "#import-registry", fileName, file()));
        BadInput RegRow(string name, string column, string row) => Reg(name, $"row 2, column {column}", () => Utf8(RegistryCsv(row)));

        yield return RegRow("a NUL inside the diagnosis", "diagnosis_group", Patient("BRU-X0100", diagnosis: "medullo\0blastoma"));
        yield return RegRow("an escape character in the pseudonym", "pseudonym", Patient("BRU-X\u001B[2J0101"));
        yield return RegRow("a right-to-left override in the pseudonym", "pseudonym", Patient("BRU-X" + Rtl + "0102"));
        yield return RegRow("a combining accent on the site code", "site", Patient("BRU-X0103", site: "BRU" + Combining));
        yield return RegRow("a combining diaeresis on the sex", "sex", Patient("BRU-X0104", sex: "F\u0308"));
        yield return RegRow("a zero-width space after the sex", "sex", Patient("BRU-X0105", sex: "M\u200B"));
        yield return RegRow("SQL in the pseudonym", "pseudonym", Patient("BRU-X0106" + Sql.Replace(",", "")));
        yield return RegRow("a script tag as diagnosis", "diagnosis_group", Patient("BRU-X0107", diagnosis: Script));
        yield return RegRow("a spreadsheet formula as diagnosis", "diagnosis_group", Patient("BRU-X0108", diagnosis: "=cmd|' /C calc'!A0"));
        yield return RegRow("an age of 1e308", "age_at_rt_years", Patient("BRU-X0109", age: "1e308"));
        yield return RegRow("an age of NaN", "age_at_rt_years", Patient("BRU-X0110", age: "NaN"));
        yield return RegRow("an age of Infinity", "age_at_rt_years", Patient("BRU-X0111", age: "Infinity"));
        yield return RegRow("a hexadecimal age", "age_at_rt_years", Patient("BRU-X0112", age: "0x10"));
        yield return RegRow("a 30-digit age", "age_at_rt_years", Patient("BRU-X0113", age: new string('9', 30)));
        yield return RegRow("fractions beyond a 32-bit integer", "fractions", Patient("BRU-X0114", fractions: "2147483648"));
        yield return RegRow("negative fractions", "fractions", Patient("BRU-X0115", fractions: "-1"));
        yield return RegRow("fractions in exponent notation", "fractions", Patient("BRU-X0116", fractions: "3e1"));
        yield return RegRow("a dose followed by SQL", "prescribed_dose_gy", Patient("BRU-X0117", dose: "54;DROP TABLE patient"));
        yield return RegRow("a consent date with a time zone", "consent_date", Patient("BRU-X0118", consentDate: "2025-04-01T00:00Z"));
        yield return RegRow("a consent date in year 0", "consent_date", Patient("BRU-X0119", consentDate: "0000-01-01"));
        yield return RegRow("a radiotherapy start followed by a right-to-left override", "rt_start", Patient("BRU-X0120", start: "2025-05-05" + Rtl));
        yield return RegRow("a 10,000-character pseudonym", "pseudonym", Patient("BRU-" + Long(10_000)));
        yield return RegRow("a modality in another script", "modality", Patient("BRU-X0121", modality: "рhoton"));
        yield return Reg("a file cut inside a quoted value", "row 3", () => Utf8(RegistryCsv(Patient("BRU-X0122")) + "\"BRU-X0123,BRU,F"));
        yield return Reg("a file cut in the middle of the header", "row 1", () => Utf8(RegistryHeader[..40]));
        yield return Reg("consent_status twice in the header", "row 1 & column consent_status", () => Utf8(RegistryHeader + ",consent_status\n" + Patient("BRU-X0124") + ",given\n"));
        yield return Reg("a file of only a byte-order mark", "file", () => [0xEF, 0xBB, 0xBF]);
        yield return Reg("a UTF-16 file", "row 1", () => Encoding.Unicode.GetBytes(RegistryCsv(Patient("BRU-X0125"))));
        yield return Reg("a tab-separated file", "row 1", () => Utf8(RegistryCsv(Patient("BRU-X0126")).Replace(',', '\t')));
        yield return Reg("a NUL byte in the header", "row 1", () => Utf8(RegistryHeader.Replace("sex", "s\0x") + "\n" + Patient("BRU-X0127") + "\n"));
        yield return Reg("a PDF named .csv", "row 1", () => Utf8("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj << /Type /Catalog >> endobj\n"));
        yield return Reg("a workbook cut short", "workbook", () => XlsxWriter.FromCsv(RegistryCsv(Patient("BRU-X0129")))[..400], "registry.xlsx");
        yield return new BadInput("import", "registry page: an upload over 50 MB", "50 MB",
            async (_, b) => await UploadPageAsync(b.Admin, "/Registry/ImportRegistry", "#import-registry", "huge.csv", new byte[Web.Pages.Registry.RegistryDisplay.MaxUploadBytes + 1]));

        // Dose file through /Registry/ImportDoses.
        BadInput Dose_(string name, string place, string file, string? label = null, string? note = null) =>
            new("import", $"dose page: {name}", place, async (_, b) => await UploadPageAsync(b.Admin, "/Registry/ImportDoses", "#import-doses", "doses.csv", Utf8(file),
                new() { ["VersionLabel"] = label ?? $"bad-{Guid.NewGuid():N}"[..20], ["Note"] = note ?? "" }));
        var patient = "BRU-0001";
        yield return Dose_("a version label with a control character", "version label", DosesCsv(Dose(patient)), "v\u00071");
        yield return Dose_("a version label with a right-to-left override", "version label", DosesCsv(Dose(patient)), "v1" + Rtl + "cod.exe");
        yield return Dose_("a 61-character version label", "VersionLabel", DosesCsv(Dose(patient)), Long(61));
        yield return Dose_("a blank version label", "VersionLabel", DosesCsv(Dose(patient)), "   ");
        yield return Dose_("a 5,000-character note", "Note", DosesCsv(Dose(patient)), note: Long(5_000));
        yield return Dose_("a dose of 1e400", "row 2, column value_gy", DosesCsv(Dose(patient, value: "1e400")));
        yield return Dose_("a dose of NaN", "row 2, column value_gy", DosesCsv(Dose(patient, value: "NaN")));
        yield return Dose_("an organ with a NUL", "row 2, column organ", DosesCsv(Dose(patient, organ: "heart\0")));
        yield return Dose_("a metric with a right-to-left override", "row 2, column metric", DosesCsv(Dose(patient, metric: "D2%" + Rtl)));
        yield return Dose_("SQL as pseudonym", "row 2, column pseudonym", DosesCsv(Dose("BRU-0001" + Sql.Replace(",", ""))));
        yield return Dose_("a script tag as source", "row 2, column source", DosesCsv(Dose(patient, source: Script)));
        yield return Dose_("a formula as source", "row 2, column source", DosesCsv(Dose(patient, source: "=SUM(A1)")));
        yield return Dose_("a computed date with SQL", "row 2, column computed_date", DosesCsv(Dose(patient, date: "2025-06-01' OR '1'='1")));
        yield return Dose_("an uncertainty that is text", "row 2, column uncertainty_sd_gy", DosesCsv(Dose(patient, sd: "about 0.3")));
        yield return Dose_("a file cut inside a quoted value", "row 3", DosesCsv(Dose(patient)) + "\"BRU-0001,heart");
        yield return Dose_("value_gy twice in the header", "row 1 & column value_gy", DoseHeader + ",value_gy\n" + Dose(patient) + ",3.3\n");

        // The CLI verbs on the same files.
        BadInput Cli(string verb, string name, string place, string file, params string[] extra) =>
            new("import", $"CLI {verb}: {name}", place, async (app, b) => await app.CliAsync(b.CliFolder, $"{Guid.NewGuid():N}.csv", Utf8(file), [verb, .. extra]));
        yield return Cli("import-registry", "an age that is a word", "row 2, column age_at_rt_years", RegistryCsv(Patient("BRU-X0200", age: "nine")));
        yield return Cli("import-registry", "a right-to-left override in the pseudonym", "row 2, column pseudonym", RegistryCsv(Patient("BRU-X" + Rtl + "0201")));
        yield return Cli("import-registry", "a control character in the diagnosis", "row 2, column diagnosis_group", RegistryCsv(Patient("BRU-X0202", diagnosis: "glioma\u0008")));
        yield return Cli("import-registry", "SQL as site", "row 2, column site", RegistryCsv(Patient("BRU-X0203", site: "BRU' OR 1=1 --")));
        yield return Cli("import-registry", "a script tag as modality", "row 2, column modality", RegistryCsv(Patient("BRU-X0204", modality: Script)));
        yield return Cli("import-registry", "a pseudonym twice", "row 3, column pseudonym", RegistryCsv(Patient("BRU-X0205"), Patient("BRU-X0205")));
        yield return Cli("import-registry", "a file cut inside a quoted value", "row 3", RegistryCsv(Patient("BRU-X0206")) + "\"BRU-X0207,BRU");
        yield return Cli("import-registry", "an empty file", "empty", "");
        yield return Cli("import-doses", "a dose of 1e400", "row 2, column value_gy", DosesCsv(Dose(patient, value: "1e400")), "--version", "cli-bad-1");
        yield return Cli("import-doses", "a combining accent on the organ", "row 2, column organ", DosesCsv(Dose(patient, organ: "heart" + Combining)), "--version", "cli-bad-2");
        yield return Cli("import-doses", "a version label with a control character", "version", DosesCsv(Dose(patient)), "--version", "v\u001B1");
        yield return Cli("import-doses", "an unknown pseudonym", "row 2, column pseudonym", DosesCsv(Dose("ZZZ-" + Long(200))), "--version", "cli-bad-3");
        yield return Cli("import-doses", "a header without rows", "no data rows", DoseHeader + "\n", "--version", "cli-bad-4");

        // Assay files through /Assays: the background job refuses them. The job row is the refusal's record.
        const string npxHeader = "SampleID,Index,OlinkID,UniProt,Assay,MissingFreq,Panel,Panel_Version,PlateID,QC_Warning,LOD,NPX\n";
        static string Npx(string sample = "{a}", string lod = "0.5", string npx = "3.1", string plate = "PLATE-B1") =>
            $"{sample},1,OID01,P16860,NPPB,0,CARDIOMETABOLIC,v1,{plate},PASS,{lod},{npx}\n";
        var jobWrites = new Dictionary<string, string>
        {
            ["import_job"] = "the refused job stays listed with its problems, so the user can read why",
        };
        BadInput Assay(string name, string place, Func<Bench, string> file, string fileName = "results.csv", Dictionary<string, string>? fields = null) =>
            new("import", $"assay upload: {name}", place, async (_, b) => await AssayAsync(b.Biologist, fileName, Utf8(file(b)),
                fields ?? new() { ["Format"] = "npx", ["RunCode"] = $"RUN-BAD-{Guid.NewGuid():N}"[..20], ["AddAnalytes"] = "true", ["ConsumeUl"] = "0" }))
            { Writes = jobWrites };
        yield return Assay("an NPX of 1e400", "NPX", b => npxHeader + Npx(b.Aliquots[0], npx: "1e400"));
        yield return Assay("an NPX of NaN", "NPX", b => npxHeader + Npx(b.Aliquots[0], npx: "NaN"));
        yield return Assay("a LOD that is a word", "LOD", b => npxHeader + Npx(b.Aliquots[0], lod: "low"));
        yield return Assay("a sample ID with a NUL", "SampleID", b => npxHeader + Npx(b.Aliquots[0] + "\0"));
        yield return Assay("a sample ID with a right-to-left override", "SampleID", b => npxHeader + Npx(b.Aliquots[0] + Rtl));
        yield return Assay("a sample ID that is a formula", "SampleID", _ => npxHeader + Npx("=HYPERLINK(\"x\")"));
        yield return Assay("a sample ID that is SQL", "SampleID", _ => npxHeader + Npx(Sql.Replace(",", "")));
        yield return Assay("NPX twice in the header", "NPX", b => npxHeader.TrimEnd() + ",NPX\n" + Npx(b.Aliquots[0]).TrimEnd() + ",3.2\n");
        yield return Assay("a file cut in the header", "row 1", _ => npxHeader[..30]);
        yield return Assay("a workbook cut short", "XLSX", b => "PK\u0003\u0004garbage", "results.xlsx");
        BadInput AssayForm(string name, string place, Dictionary<string, string> fields) =>
            new("import", $"assay upload form: {name}", place, async (_, b) => await UploadPageAsync(b.Biologist, "/Assays", "#import-form", "r.csv", Utf8(npxHeader + Npx(b.Aliquots[0])), fields));
        yield return AssayForm("a 61-character run code", "RunCode", new() { ["Format"] = "npx", ["RunCode"] = Long(61) });
        yield return AssayForm("an unknown format", "Format", new() { ["Format"] = "exe", ["RunCode"] = "RUN-BAD-F" });
        yield return AssayForm("a consumed volume that is a word", "ConsumeUl", new() { ["Format"] = "npx", ["RunCode"] = "RUN-BAD-C", ["ConsumeUl"] = "lots" });

        // Rack scanner file on the box page.
        BadInput Rack(string name, string place, Func<Bench, byte[]> file) =>
            new("import", $"rack file: {name}", place, async (_, b) => await UploadPageAsync(b.Tech, $"/Storage/Box/{b.Box}", "#rack-import", "rack.csv", file(b)));
        BadInput RackText(string name, string place, Func<Bench, string> text) => Rack(name, place, b => Utf8(text(b)));
        yield return RackText("a barcode with a wrong check character", "row 1, column barcode", b => $"A1,{b.Aliquots[0][..^1]}{(b.Aliquots[0][^1] == 'A' ? 'B' : 'A')}\n");
        yield return RackText("a position outside the box", "row 2, column position", b => $"A1,{b.Aliquots[0]}\nZ99,{b.Aliquots[1]}\n");
        yield return RackText("a position twice", "row 2, column position", b => $"A1,{b.Aliquots[0]}\nA1,{b.Aliquots[1]}\n");
        yield return RackText("a barcode twice", "row 2, column barcode", b => $"A1,{b.Aliquots[0]}\nA2,{b.Aliquots[0]}\n");
        yield return RackText("a third column", "row 1, column line", b => $"A1,{b.Aliquots[0]},extra\n");
        yield return RackText("a position only", "row 1, column line", _ => "A1\n");
        yield return RackText("a barcode with a NUL", "row 1, column barcode", b => $"A1,{b.Aliquots[0]}\0\n");
        yield return RackText("a barcode with a right-to-left override", "row 1, column barcode", b => $"A1,{b.Aliquots[0]}{Rtl}\n");
        yield return RackText("a position with a combining accent", "row 1, column position", b => $"A1{Combining},{b.Aliquots[0]}\n");
        yield return RackText("SQL as barcode", "row 1, column barcode", _ => $"A1,\"{Sql}\"\n");
        yield return RackText("a script tag as barcode", "row 1, column barcode", _ => $"A1,{Script}\n");
        yield return RackText("a file cut inside a quoted barcode", "row 1", b => $"A1,\"{b.Aliquots[0]}");
        yield return RackText("an unread tube", "row 1, column barcode", _ => "A1,NOREAD\n");
        yield return RackText("2,001 rows", "row 2001", b => string.Concat(Enumerable.Repeat($"A1,{b.Aliquots[0]}\n", 2001)));
        yield return RackText("a tube stored in another box", "row 1, column barcode", b => $"A1,{b.Aliquots[3]}\n");
        yield return RackText("a 10,000-character barcode", "row 1, column barcode", _ => $"A1,{Long(10_000)}\n");
        yield return RackText("a position A0", "row 1, column position", b => $"A0,{b.Aliquots[0]}\n");
        yield return RackText("a position with a minus", "row 1, column position", b => $"A-1,{b.Aliquots[0]}\n");
        yield return Rack("a file over 1 MB", "1 MB", b => Utf8(string.Concat(Enumerable.Repeat($"A1,{b.Aliquots[0]}\n", 80_000))));
        yield return Rack("binary noise", "row 1", _ => [0x00, 0xFF, 0xFE, 0x01, 0x80, 0x81, 0x0A, 0x00, 0x2C, 0xC3]);

        // External shipment manifests, CSV or JSON.
        const string manifestHeader = "barcode,pseudonym,sample_type,timepoint,volume_ul,collected_date\n";
        static string Line(string barcode = "EXT-LYO-BAD01", string pseudonym = "LYO-0001", string type = "PLASMA", string timepoint = "BASELINE", string volume = "250", string date = "2026-10-01") =>
            $"{barcode},{pseudonym},{type},{timepoint},{volume},{date}\n";
        BadInput Manifest(string name, string place, string fileName, string content, string from = "LYO") =>
            new("import", $"manifest: {name}", place, async (_, b) =>
                await UploadPageAsync(b.Receiver, "/Shipments/ImportManifest", "#import-manifest", fileName, Utf8(content), new() { ["FromSite"] = from }));
        BadInput Csv(string name, string place, string rows, string from = "LYO") => Manifest(name, place, "manifest.csv", manifestHeader + rows, from);
        yield return Csv("a volume that is a word", "row 2 & volume_ul", Line(volume: "abc"));
        yield return Csv("a negative volume", "row 2 & volume_ul", Line(volume: "-1"));
        yield return Csv("a volume of 1e308", "row 2 & volume_ul", Line(volume: "1e308"));
        yield return Csv("a volume of NaN", "row 2 & volume_ul", Line(volume: "NaN"));
        yield return Csv("an unknown pseudonym", "row 2 & pseudonym", Line(pseudonym: "NOBODY-1"));
        yield return Csv("SQL as pseudonym", "row 2 & pseudonym", Line(pseudonym: "LYO-0001' OR '1'='1"));
        yield return Csv("a pseudonym with a right-to-left override", "row 2 & pseudonym", Line(pseudonym: "LYO-" + Rtl + "0001"));
        yield return Csv("a script tag as sample type", "row 2 & sample_type", Line(type: Script));
        yield return Csv("an unknown timepoint", "row 2 & timepoint", Line(timepoint: "M99"));
        yield return Csv("a barcode with a NUL", "row 2 & barcode", Line(barcode: "EXT-LYO-\0BAD02"));
        yield return Csv("a barcode with a combining accent", "row 2 & barcode", Line(barcode: "EXT-LYO-BAD03" + Combining));
        yield return Csv("an empty barcode", "row 2 & barcode", Line(barcode: ""));
        yield return Csv("a 10,000-character barcode", "row 2 & barcode", Line(barcode: Long(10_000)));
        yield return Csv("a collection date that does not exist", "row 2 & collected_date", Line(date: "2026-02-30"));
        yield return Csv("a collection date with SQL", "row 2 & collected_date", Line(date: "2026-10-01; DELETE FROM tube"));
        yield return Csv("a barcode twice", "row 3 & barcode", Line("EXT-LYO-BAD04") + Line("EXT-LYO-BAD04"));
        yield return Csv("a file cut inside a quoted value", "row 3", Line("EXT-LYO-BAD05") + "\"EXT-LYO-BAD06,LYO-0001");
        yield return Csv("a sender that is a script tag", "FromSite", Line("EXT-LYO-BAD07"), from: Script);
        yield return Csv("no sender", "FromSite", Line("EXT-LYO-BAD08"), from: "");
        yield return Manifest("an empty file", "Upload", "manifest.csv", "");
        yield return Manifest("JSON with a volume that is text", "volume_ul",
            "manifest.json", """{"tubes":[{"barcode":"EXT-ESS-BAD1","pseudonym":"ESS-0001","sampleType":"PLASMA","timepoint":"BASELINE","volumeUl":"lots"}]}""", "ESS");
        yield return Manifest("JSON whose tubes are not a list", "tubes",
            "manifest.json", """{"tubes":{"barcode":"EXT-ESS-BAD2"}}""", "ESS");
        yield return Manifest("JSON cut short", "json",
            "manifest.json", """{"tubes":[{"barcode":"EXT-ESS-BAD3","pseudonym":"ESS-""", "ESS");
        yield return Manifest("JSON with a key twice", "barcode",
            "manifest.json", """{"tubes":[{"barcode":"EXT-ESS-BAD4","barcode":"EXT-ESS-BAD5","pseudonym":"ESS-0001","sampleType":"PLASMA","timepoint":"BASELINE","volumeUl":250}]}""", "ESS");
        yield return Manifest("JSON with a control character in a barcode", "barcode",
            "manifest.json", """{"tubes":[{"barcode":"EXT-ESS-\u0007BAD6","pseudonym":"ESS-0001","sampleType":"PLASMA","timepoint":"BASELINE","volumeUl":250}]}""", "ESS");
    }

    private static IEnumerable<BadInput> Forms()
    {
        // New box, freezer and rack on /Storage.
        BadInput Storage(string handler, string form, string name, string place, Func<Bench, Dictionary<string, string>> fields) =>
            new("form", $"storage {handler.ToLowerInvariant()}: {name}", place, async (app, b) => await FormAsync(b.Tech, $"/Storage?handler={handler}", fields(b), form, "/Storage"));
        Dictionary<string, string> Box(string name = "bad box", string rows = "10", string cols = "10", string? site = null, string rack = "", string barcode = "") =>
            new() { ["SiteId"] = site ?? "__SITE__", ["Name"] = name, ["Rows"] = rows, ["Cols"] = cols, ["RackId"] = rack, ["ExternalBarcode"] = barcode };
        BadInput NewBox(string name, string place, Dictionary<string, string> fields) =>
            new("form", $"new box: {name}", place, async (app, b) =>
            {
                var bru = (await Samples.SampleSteps.SiteIdAsync(app, "BRU")).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var f = fields.ToDictionary(kv => kv.Key, kv => kv.Value == "__SITE__" ? bru : kv.Value);
                return await FormAsync(b.Tech, "/Storage?handler=Box", f, "#new-box", "/Storage");
            });
        yield return NewBox("rows written as a word", "Rows", Box(rows: "ten"));
        yield return NewBox("negative rows", "Rows", Box(rows: "-1"));
        yield return NewBox("rows beyond a 32-bit integer", "Rows", Box(rows: "99999999999"));
        yield return NewBox("columns in exponent notation", "Cols", Box(cols: "1e3"));
        yield return NewBox("27 columns", "column", Box(cols: "27"));
        yield return NewBox("an empty name", "Name", Box(name: ""));
        yield return NewBox("a 61-character name", "Name", Box(name: Long(61)));
        yield return NewBox("a name with a NUL", "Name", Box(name: "box\0one")) with { Gap = NulInForm };
        yield return NewBox("a name with a right-to-left override", "Name", Box(name: "box" + Rtl + "txt.exe"));
        yield return NewBox("a site that is a word", "SiteId", Box(site: "abc"));
        yield return NewBox("a rack that is a word", "RackId", Box(rack: "x"));
        yield return NewBox("a rack that does not exist", "rack", Box(rack: "987654321"));
        yield return NewBox("a pre-printed barcode that is a script tag", "pre-printed box code", Box(barcode: Script));
        yield return NewBox("a pre-printed barcode that is SQL", "pre-printed box code", Box(barcode: Sql));
        BadInput Freezer(string name, string place, string freezer, string temperature) =>
            new("form", $"storage freezer: {name}", place, async (app, b) => await FormAsync(b.Tech, "/Storage?handler=Freezer", new()
            {
                ["SiteId"] = (await Samples.SampleSteps.SiteIdAsync(app, "BRU")).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Name"] = freezer, ["TemperatureC"] = temperature,
            }, "#new-freezer", "/Storage"));
        yield return Freezer("a temperature that is a word", "TemperatureC", "F-bad", "cold");
        yield return Freezer("an empty name", "Name", "", "-80");
        yield return Freezer("a name with an escape sequence", "Name", "F\u001B[31mred", "-80");
        yield return Storage("Rack", "#new-rack", "a freezer that is a word", "FreezerId", _ => new() { ["FreezerId"] = "abc", ["Name"] = "R-bad" });

        // Tube page: consume, destroy, and a code that cannot be a barcode.
        BadInput Tube(string handler, string form, string name, string place, Dictionary<string, string> fields) =>
            new("form", $"tube {handler.ToLowerInvariant()}: {name}", place, async (_, b) =>
                await FormAsync(b.Tech, $"/Samples/Tube/{b.Aliquots[0]}?handler={handler}", fields, form, $"/Samples/Tube/{b.Aliquots[0]}"));
        yield return Tube("Consume", "#consume", "a volume that is a word", "ConsumeVolumeUl", new() { ["ConsumeVolumeUl"] = "abc" });
        yield return Tube("Consume", "#consume", "a negative volume", "ConsumeVolumeUl", new() { ["ConsumeVolumeUl"] = "-5" });
        yield return Tube("Consume", "#consume", "a volume of 1e30", "ConsumeVolumeUl", new() { ["ConsumeVolumeUl"] = "1e30" });
        yield return Tube("Consume", "#consume", "more than the tube holds", "ConsumeVolumeUl", new() { ["ConsumeVolumeUl"] = "99999999" });
        yield return Tube("Consume", "#consume", "a reason of 5,000 characters", "ConsumeReason", new() { ["ConsumeVolumeUl"] = "1", ["ConsumeReason"] = Long(5_000) });
        yield return Tube("Destroy", "#destroy", "no reason", "DestroyReason", new() { ["DestroyReason"] = "" });
        yield return Tube("Destroy", "#destroy", "a reason with control characters", "DestroyReason", new() { ["DestroyReason"] = "broken\u0000\u0007" }) with { Gap = NulInForm };
        yield return new BadInput("form", "tube check-out: a barcode with a wrong check character", "check character", async (_, b) =>
        {
            var wrong = b.Aliquots[0][..^1] + (b.Aliquots[0][^1] == 'A' ? 'B' : 'A');
            var token = await TokenAsync(b.Tech, $"/Samples/Tube/{b.Aliquots[0]}");
            return await PageAsync(await b.Tech.PostAsync($"/Samples/Tube/{wrong}?handler=CheckOut", Form(token, [])));
        });

        // Collection registration.
        BadInput Visit(string name, string place, Func<Dictionary<string, string>, Dictionary<string, string>> change) =>
            new("form", $"new collection: {name}", place, async (app, b) =>
            {
                var fields = new Dictionary<string, string>
                {
                    ["Input.TimepointId"] = (await Samples.SampleSteps.TimepointIdAsync(app, "BASELINE")).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Input.CollectedDate"] = "2026-01-10", ["Input.CollectedTime"] = "08:00", ["Input.Notes"] = "",
                    ["Input.Tubes[0].SampleTypeId"] = (await Samples.SampleSteps.TypeIdAsync(app, "EDTA")).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Input.Tubes[0].ExternalBarcode"] = "", ["Input.Tubes[0].VolumeUl"] = "",
                };
                return await FormAsync(b.Tech, $"/Samples/Collections/New?patientId={b.PatientId}", change(fields), "#new-collection");
            });
        Func<Dictionary<string, string>, Dictionary<string, string>> Set(string key, string value) => f => { f[key] = value; return f; };
        yield return Visit("a date that does not exist", "CollectedDate", Set("Input.CollectedDate", "2025-13-45"));
        yield return Visit("a date written as a word", "CollectedDate", Set("Input.CollectedDate", "yesterday"));
        yield return Visit("a date with SQL", "CollectedDate", Set("Input.CollectedDate", "2026-01-10'; --"));
        yield return Visit("a time of 25:99", "time", Set("Input.CollectedTime", "25:99"));
        yield return Visit("a time written 8am", "CollectedTime", Set("Input.CollectedTime", "8am"));
        yield return Visit("a timepoint that is a word", "TimepointId", Set("Input.TimepointId", "abc"));
        yield return Visit("no timepoint", "TimepointId", Set("Input.TimepointId", "0"));
        yield return Visit("a sample type that is a word", "SampleTypeId", Set("Input.Tubes[0].SampleTypeId", "x"));
        yield return Visit("a negative tube volume", "VolumeUl", Set("Input.Tubes[0].VolumeUl", "-1"));
        yield return Visit("a tube volume that is a word", "VolumeUl", Set("Input.Tubes[0].VolumeUl", "abc"));
        yield return Visit("notes of 1,001 characters", "Notes", Set("Input.Notes", Long(1_001)));
        yield return Visit("a pre-printed barcode with a right-to-left override", "ExternalBarcode", Set("Input.Tubes[0].ExternalBarcode", "TUBE-1" + Rtl));
        yield return Visit("a pre-printed barcode that is a script tag", "ExternalBarcode", Set("Input.Tubes[0].ExternalBarcode", Script));

        // Patient registration on the bench.
        BadInput NewPatient(string name, string place, Dictionary<string, string> change) =>
            new("form", $"new patient: {name}", place, async (app, b) =>
            {
                var fields = new Dictionary<string, string>
                {
                    ["Input.Pseudonym"] = "BRU-X0900", ["Input.SiteId"] = (await Samples.SampleSteps.SiteIdAsync(app, "BRU")).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Input.Sex"] = "F", ["Input.AgeAtRtYears"] = "9.5", ["Input.ConsentStatus"] = "given", ["Input.ConsentDate"] = "2026-01-10",
                };
                foreach (var (k, v) in change)
                {
                    fields[k] = v;
                }
                return await FormAsync(b.Tech, "/Samples/Patients", fields, "#create-patient");
            });
        yield return NewPatient("an empty pseudonym", "Pseudonym", new() { ["Input.Pseudonym"] = "" });
        yield return NewPatient("a 41-character pseudonym", "Pseudonym", new() { ["Input.Pseudonym"] = "BRU-" + Long(37) });
        yield return NewPatient("a script tag as pseudonym", "Pseudonym", new() { ["Input.Pseudonym"] = "<b>x</b>" });
        yield return NewPatient("a pseudonym with a right-to-left override", "Pseudonym", new() { ["Input.Pseudonym"] = "BRU-" + Rtl + "X0901" });
        yield return NewPatient("a site that is a word", "SiteId", new() { ["Input.SiteId"] = "abc" });
        yield return NewPatient("an age that is a word", "AgeAtRtYears", new() { ["Input.AgeAtRtYears"] = "old" });
        yield return NewPatient("a consent status that is SQL", "ConsentStatus", new() { ["Input.ConsentStatus"] = "given' OR 1=1 --" });

        // Shipment packing.
        BadInput Pack(string name, string place, Dictionary<string, string> change) =>
            new("form", $"shipment pack: {name}", place, async (_, b) =>
            {
                var fields = new Dictionary<string, string>
                {
                    ["Courier"] = "World Courier", ["TrackingNumber"] = "TRK-1", ["DryIceKg"] = "5", ["LoggerId"] = "LOG-1", ["Packages"] = "1",
                    ["ResponsibleName"] = "A. Tech", ["ResponsiblePhone"] = "+32 2 555 0100",
                };
                foreach (var (k, v) in change)
                {
                    fields[k] = v;
                }
                return await FormAsync(b.Tech, $"/Shipments/{b.Shipment}?handler=Pack", fields, "#pack-form", $"/Shipments/{b.Shipment}");
            });
        yield return Pack("packages written as a word", "Packages", new() { ["Packages"] = "two" });
        yield return Pack("no packages", "packages", new() { ["Packages"] = "0" });
        yield return Pack("101 packages", "packages", new() { ["Packages"] = "101" });
        yield return Pack("dry ice written as a word", "DryIceKg", new() { ["DryIceKg"] = "lots" });
        yield return Pack("negative dry ice", "Dry ice", new() { ["DryIceKg"] = "-1" });
        yield return Pack("no courier", "Courier", new() { ["Courier"] = "" });
        yield return Pack("a 101-character courier", "Courier", new() { ["Courier"] = Long(101) });
        yield return Pack("a phone that is a script tag", "Phone", new() { ["ResponsiblePhone"] = Script });
        yield return Pack("a 101-character responsible person", "Responsible person", new() { ["ResponsibleName"] = Long(101) });
        yield return Pack("a 101-character tracking number", "Tracking number", new() { ["TrackingNumber"] = Long(101) });
        yield return Pack("a courier with control characters", "Courier", new() { ["Courier"] = "DHL\u0000\u001B" }) with { Gap = NulInForm };

        // Administration: users, sites, printers, protocol, tokens.
        BadInput Admin(string page, string form, string name, string place, Dictionary<string, string> fields, string? url = null) =>
            new("form", $"{page.Trim('/').ToLowerInvariant().Replace('/', ' ')}: {name}", place, async (_, b) => await FormAsync(b.Admin, url ?? page, fields, form, page));
        Dictionary<string, string> User(string user = "bad.user", string display = "Bad User", string password = "a-long-enough-password-1", string site = "", string role = "technician") =>
            new() { ["Input.UserName"] = user, ["Input.DisplayName"] = display, ["Input.Password"] = password, ["Input.SiteId"] = site, ["Input.Roles"] = role };
        yield return Admin("/Admin/Users", "#create-user", "a one-letter user name", "UserName", User(user: "x"));
        yield return Admin("/Admin/Users", "#create-user", "a user name that is a script tag", "UserName", User(user: Script));
        yield return Admin("/Admin/Users", "#create-user", "a user name with a right-to-left override", "UserName", User(user: "adm" + Rtl + "in"));
        yield return Admin("/Admin/Users", "#create-user", "a short password", "Password", User(password: "short"));
        yield return Admin("/Admin/Users", "#create-user", "a site that is a word", "SiteId", User(site: "abc"));
        yield return Admin("/Admin/Users", "#create-user", "an unknown role", "Roles", User(role: "superuser"));
        yield return Admin("/Admin/Users", "#create-user", "a 101-character display name", "DisplayName", User(display: Long(101)));
        Dictionary<string, string> Site(string code = "BAD", string name = "Bad site", string country = "BE", string kind = "collection", string prefix = "BD") =>
            new() { ["Input.Code"] = code, ["Input.Name"] = name, ["Input.Country"] = country, ["Input.Kind"] = kind, ["Input.BarcodePrefix"] = prefix };
        yield return Admin("/Admin/Sites", "#create-site", "an 11-character code", "Code", Site(code: "ABCDEFGHIJK"));
        yield return Admin("/Admin/Sites", "#create-site", "a three-letter country", "Country", Site(country: "FRA"));
        yield return Admin("/Admin/Sites", "#create-site", "a one-letter barcode prefix", "BarcodePrefix", Site(prefix: "X"));
        yield return Admin("/Admin/Sites", "#create-site", "an unknown kind", "Kind", Site(kind: "castle"));
        yield return Admin("/Admin/Sites", "#create-site", "a code that is SQL", "Code", Site(code: "X';--"));
        yield return Admin("/Admin/Sites", "#create-site", "a name with a NUL", "Name", Site(name: "Bad\0site")) with { Gap = NulInForm };
        Dictionary<string, string> Printer(string port = "9100", string dpi = "203", string host = "10.0.0.9", string name = "bad printer") =>
            new() { ["Input.SiteId"] = "1", ["Input.Name"] = name, ["Input.Host"] = host, ["Input.Port"] = port, ["Input.Dpi"] = dpi };
        yield return Admin("/Admin/Printers", "#add-printer", "port 99999", "Port", Printer(port: "99999"));
        yield return Admin("/Admin/Printers", "#add-printer", "a port that is a word", "Port", Printer(port: "http"));
        yield return Admin("/Admin/Printers", "#add-printer", "a resolution that is a word", "Dpi", Printer(dpi: "abc"));
        yield return Admin("/Admin/Printers", "#add-printer", "a resolution of 1 dpi", "dpi", Printer(dpi: "1"));
        yield return Admin("/Admin/Printers", "#add-printer", "a host that is a shell command", "Host", Printer(host: "; rm -rf /"));
        yield return Admin("/Admin/Printers", "#add-printer", "no host", "Host", Printer(host: ""));
        yield return Admin("/Admin/Protocol", "#add-timepoint", "a sort order that is a word", "SortOrder",
            new() { ["NewTimepoint.Code"] = "BADTP", ["NewTimepoint.Name"] = "bad", ["NewTimepoint.SortOrder"] = "first" }, "/Admin/Protocol?handler=Timepoint");
        yield return Admin("/Admin/Protocol", "#add-timepoint", "an empty code", "Code",
            new() { ["NewTimepoint.Code"] = "", ["NewTimepoint.Name"] = "bad", ["NewTimepoint.SortOrder"] = "9" }, "/Admin/Protocol?handler=Timepoint");
        yield return Admin("/Admin/Tokens", "#create-token", "a user that is a word", "UserId", new() { ["UserId"] = "abc", ["Name"] = "bad" }, "/Admin/Tokens?handler=Create");
        yield return Admin("/Admin/Tokens", "#create-token", "a 101-character purpose", "Name", new() { ["UserId"] = "1", ["Name"] = Long(101) }, "/Admin/Tokens?handler=Create");
        yield return new BadInput("form", "admin users edit: a site that is a word", "SiteId", async (_, b) =>
            await FormAsync(b.Admin, $"/Admin/Users/Edit/{b.UserId}", new() { ["Input.DisplayName"] = "x", ["Input.SiteId"] = "abc", ["Input.Roles"] = "technician" }, "#edit-user"));
        yield return new BadInput("form", "admin sites edit: a one-letter country", "Country", async (_, b) =>
            await FormAsync(b.Admin, $"/Admin/Sites/Edit/{b.SiteId}", new() { ["Input.Code"] = "AAR", ["Input.Name"] = "Aarhus", ["Input.Country"] = "D", ["Input.Kind"] = "collection", ["Input.BarcodePrefix"] = "AAR" }, "#edit-site"));

        // Label printing.
        BadInput Labels(string name, string place, Dictionary<string, string> fields) =>
            new("form", $"labels: {name}", place, async (_, b) =>
            {
                var token = await TokenAsync(b.Tech, "/Labels");
                var all = new Dictionary<string, string> { ["Output"] = "pdf" };
                foreach (var (k, v) in fields)
                {
                    all[k] = v == "X" ? b.Aliquots[0] : v;
                }
                return await PageAsync(await b.Tech.PostAsync("/Labels?handler=Preview", Form(token, all)));
            });
        yield return Labels("a resolution that is a word", "Dpi", new() { ["Source"] = "aliquots", ["Barcodes"] = "X", ["Dpi"] = "abc" });
        yield return Labels("a template that climbs folders", "Template", new() { ["Source"] = "aliquots", ["Barcodes"] = "X", ["Template"] = "../../etc/passwd" });
        yield return Labels("a script tag as barcode", "Barcodes", new() { ["Source"] = "aliquots", ["Barcodes"] = Script });
        yield return Labels("an unknown source", "Source", new() { ["Source"] = "everything", ["Barcodes"] = "X" });
        yield return Labels("a printer that is a word", "PrinterId", new() { ["Source"] = "aliquots", ["Barcodes"] = "X", ["PrinterId"] = "abc" });

        // Analysis parameters (a GET that runs the scan, and the save form that repeats them).
        BadInput Analysis(string name, string place, string query) =>
            new("form", $"analysis: {name}", place, async (_, b) => await PageAsync(await b.Biologist.GetAsync(AnalysisQuery(query))));
        yield return Analysis("a minimum n that is a word", "MinN", "MinN=many");
        yield return Analysis("a negative minimum n", "MinN", "MinN=-1");
        yield return Analysis("a minimum age that is a word", "MinAge", "MinAge=young");
        yield return Analysis("an organ that is a script tag", "Organ", "Organ=" + Uri.EscapeDataString(Script));
        yield return Analysis("an unknown metric", "Metric", "Metric=D95%25");
        yield return Analysis("an unknown timepoint", "From", "From=M99");
        yield return Analysis("a below-LOD mode that is SQL", "BelowLodMode", "BelowLodMode=" + Uri.EscapeDataString(Sql));
        yield return Analysis("a minimum age above the maximum", "MinAge", "MinAge=20&MaxAge=5");
        yield return new BadInput("form", "analysis save: a name of 1,000 characters", "Name", async (_, b) =>
        {
            var token = await TokenAsync(b.Biologist, "/Assays");
            return await PageAsync(await b.Biologist.PostAsync("" + AnalysisQuery("MinN=5").Replace("/Analysis?", "/Analysis?handler=Save&"), Form(token, new() { ["Name"] = Long(1_000) })));
        });
        yield return new BadInput("form", "analysis save: a minimum n that is a word", "MinN", async (_, b) =>
        {
            var token = await TokenAsync(b.Biologist, "/Assays");
            return await PageAsync(await b.Biologist.PostAsync("" + AnalysisQuery("MinN=many").Replace("/Analysis?", "/Analysis?handler=Save&"), Form(token, new() { ["Name"] = "bad" })));
        });
    }

    private static IEnumerable<BadInput> Api()
    {
        BadInput Json(string name, string place, string url, Func<Bench, string> body, bool central = false, string mediaType = "application/json") =>
            new("api", $"POST {url}: {name}", place, async (_, b) =>
            {
                var client = central ? b.CentralApi : b.Api;
                using var content = new StringContent(body(b), Encoding.UTF8, mediaType);
                return await ProblemAsync(await client.PostAsync(url.Replace("{box}", b.Box).Replace("{full}", b.FullBox), content));
            });
        const string boxes = "/api/v1/boxes";
        BadInput NewBox(string name, string place, string body) => Json(name, place, boxes, _ => body);
        yield return NewBox("a body that is not JSON", "body", "name=box");
        yield return NewBox("an empty body", "name", "");
        yield return NewBox("a name that is a number", "name", """{"name": 5}""");
        yield return NewBox("a name that is a list", "name", """{"name": ["a"]}""");
        yield return NewBox("rows written as a word", "rows", """{"name": "b", "rows": "ten"}""");
        yield return NewBox("rows that are a fraction", "rows", """{"name": "b", "rows": 1.5}""");
        yield return NewBox("rows beyond a 32-bit integer", "rows", """{"name": "b", "rows": 99999999999}""");
        yield return NewBox("rows that are true", "rows", """{"name": "b", "rows": true}""");
        yield return NewBox("negative rows", "rows", """{"name": "b", "rows": -1}""");
        yield return NewBox("27 columns", "columns", """{"name": "b", "columns": 27}""");
        yield return NewBox("the name twice", "name", """{"name": "a", "name": "b"}""");
        yield return NewBox("rows twice", "rows", """{"name": "a", "rows": 10, "rows": 11}""");
        yield return NewBox("rows twice in different case", "rows", """{"name": "a", "Rows": 10, "rows": 11}""");
        yield return NewBox("an empty name", "name", """{"name": ""}""");
        yield return NewBox("a blank name", "name", """{"name": "   "}""");
        yield return NewBox("a 61-character name", "name", $$"""{"name": "{{Long(61)}}"}""");
        yield return NewBox("a name with a NUL", "name", """{"name": "box\u0000one"}""");
        yield return NewBox("a name with a right-to-left override", "name", """{"name": "box\u202Egnp.exe"}""");
        yield return NewBox("a name with a lone surrogate", "name", """{"name": "box\uD800"}""");
        yield return NewBox("a barcode that is SQL", "barcode", $$"""{"name": "b", "barcode": "{{Sql}}"}""");
        yield return NewBox("a barcode that is a script tag", "barcode", """{"name": "b", "barcode": "<script>alert(1)</script>"}""");
        yield return NewBox("a barcode with a combining accent", "barcode", """{"name": "b", "barcode": "BOX-1\u0301"}""");
        yield return NewBox("a list instead of an object", "body", "[1, 2, 3]");
        yield return NewBox("JSON cut short", "rows", """{"name": "b", "rows": 1""");
        yield return NewBox("a trailing comma", "body", """{"name": "b",}""");
        yield return NewBox("a comment", "body", """{"name": "b" /* hi */}""");
        yield return Json("a plain-text body", "Content-Type", boxes, _ => """{"name": "b"}""", mediaType: "text/plain");
        yield return Json("a central account without a site", "site", boxes, _ => """{"name": "b"}""", central: true);
        yield return new BadInput("api", "POST /api/v1/boxes: invalid UTF-8", "name", async (_, b) =>
        {
            using var content = new ByteArrayContent([.. Utf8("{\"name\": \"b"), 0xC3, 0x28, .. Utf8("\"}")]);
            content.Headers.ContentType = new("application/json");
            return await ProblemAsync(await b.Api.PostAsync(boxes, content));
        });
        yield return new BadInput("api", "POST /api/v1/boxes: a 2 MB body", "too large", async (_, b) =>
        {
            using var content = new StringContent($$"""{"name": "{{Long(2 * 1024 * 1024)}}"}""", Encoding.UTF8, "application/json");
            return await ProblemAsync(await b.Api.PostAsync(boxes, content));
        });
        yield return new BadInput("api", "POST /api/v1/boxes: JSON nested 10,000 deep", "name & depth", async (_, b) =>
        {
            using var content = new StringContent("{\"name\":" + new string('[', 10_000) + new string(']', 10_000) + "}", Encoding.UTF8, "application/json");
            return await ProblemAsync(await b.Api.PostAsync(boxes, content));
        });

        const string store = "/api/v1/boxes/{box}/tubes";
        BadInput Store(string name, string place, Func<Bench, string> body, string url = store) => Json(name, place, url, body);
        string A(Bench b) => b.Aliquots[1];
        yield return Store("an empty object", "barcode", _ => "{}");
        yield return Store("a barcode that is a number", "barcode", _ => """{"barcode": 123}""");
        yield return Store("a barcode with a wrong check character", "barcode", b => $$"""{"barcode": "{{A(b)[..^1]}}{{(A(b)[^1] == 'A' ? 'B' : 'A')}}"}""");
        yield return Store("a barcode that is SQL", "barcode", _ => $$"""{"barcode": "{{Sql}}"}""");
        yield return Store("a barcode that is a script tag", "barcode", _ => """{"barcode": "<script>alert(1)</script>"}""");
        yield return Store("a barcode with a right-to-left override", "barcode", b => $$"""{"barcode": "{{A(b)}}\u202E"}""");
        yield return Store("a barcode with a combining accent", "barcode", b => $$"""{"barcode": "{{A(b)}}\u0301"}""");
        yield return Store("a barcode with a NUL", "barcode", b => $$"""{"barcode": "{{A(b)}}\u0000"}""");
        yield return Store("a barcode of 100,000 characters", "body", _ => $$"""{"barcode": "{{Long(100_000)}}"}""");
        yield return Store("a position outside the box", "position", b => $$"""{"barcode": "{{A(b)}}", "position": "Z99"}""");
        yield return Store("a position with SQL", "position", b => $$"""{"barcode": "{{A(b)}}", "position": "A1'; --"}""");
        yield return Store("a position that is a number", "position", b => $$"""{"barcode": "{{A(b)}}", "position": 7}""");
        yield return Store("move written as a word", "move", b => $$"""{"barcode": "{{A(b)}}", "move": "yes"}""");
        yield return Store("the barcode twice", "barcode", b => $$"""{"barcode": "{{A(b)}}", "barcode": "{{b.Aliquots[2]}}"}""");
        yield return Store("a tube stored in another box", "barcode", b => $$"""{"barcode": "{{b.Aliquots[3]}}"}""");
        yield return Store("into a full box", "box & full", b => $$"""{"barcode": "{{A(b)}}"}""", "/api/v1/boxes/{full}/tubes");
        yield return Store("into a box named by SQL", "box", b => $$"""{"barcode": "{{A(b)}}"}""", "/api/v1/boxes/" + Uri.EscapeDataString(Sql) + "/tubes");
        yield return Store("into a box named by a script tag", "box", b => $$"""{"barcode": "{{A(b)}}"}""", "/api/v1/boxes/" + Uri.EscapeDataString(Script) + "/tubes");
        yield return Store("JSON cut short", "barcode", b => $$"""{"barcode": "{{A(b)}}""");

        BadInput Get(string name, string place, string url) =>
            new("api", $"GET {name}", place, async (_, b) => await ProblemAsync(await b.Api.GetAsync(url)));
        yield return Get("tubes with limit=-1", "limit", "/api/v1/tubes?limit=-1");
        yield return Get("tubes with limit=0", "limit", "/api/v1/tubes?limit=0");
        yield return Get("tubes with limit=abc", "limit", "/api/v1/tubes?limit=abc");
        yield return Get("tubes with a 20-digit limit", "limit", "/api/v1/tubes?limit=99999999999999999999");
        yield return Get("tubes with after=abc", "after", "/api/v1/tubes?after=abc");
        yield return Get("tubes with status=<script>", "status", "/api/v1/tubes?status=" + Uri.EscapeDataString(Script));
        yield return Get("tubes with a status that is SQL", "status", "/api/v1/tubes?status=" + Uri.EscapeDataString("in_storage" + Sql));
        yield return Get("tubes with a site that is a script tag", "site", "/api/v1/tubes?site=" + Uri.EscapeDataString(Script));
        yield return Get("boxes with a site that is SQL", "site", "/api/v1/boxes?site=" + Uri.EscapeDataString(Sql));
        yield return Get("shipments with state=<script>", "state", "/api/v1/shipments?state=" + Uri.EscapeDataString(Script));
        yield return Get("a tube with a wrong check character", "barcode", "/api/v1/tubes/BRUA00000042X");
        yield return Get("a tube named by a script tag", "barcode", "/api/v1/tubes/" + Uri.EscapeDataString(Script));
        yield return Get("a tube named with a right-to-left override", "barcode", "/api/v1/tubes/BRUA" + Uri.EscapeDataString(Rtl) + "00000042K");
        yield return Get("a patient named by SQL", "patient", "/api/v1/patients/" + Uri.EscapeDataString(Sql));
        yield return Get("a box named by a script tag", "box", "/api/v1/boxes/" + Uri.EscapeDataString(Script));
        yield return Get("the manifest of a shipment named by SQL", "shipment", "/api/v1/shipments/" + Uri.EscapeDataString(Sql) + "/manifest");
    }

    /// <summary>The analysis page's link with every parameter as the page writes it, then the bad one in its place.</summary>
    private static string AnalysisQuery(string bad)
    {
        var q = new Dictionary<string, string>
        {
            ["Biomarkers"] = "all", ["ResponseKind"] = "change", ["From"] = "BASELINE", ["To"] = "M3", ["Organ"] = "heart", ["Metric"] = "mean",
            ["BelowLodMode"] = "exclude", ["Sort"] = "q", ["MinN"] = "5", ["Run"] = "true",
        };
        foreach (var kv in bad.Split('&').Select(p => p.Split('=', 2)))
        {
            q[kv[0]] = kv[1];
        }
        return "/Analysis?" + string.Join("&", q.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    /// <summary>The antiforgery token of the first form on a page (the token is per user, not per form).</summary>
    private static async Task<string> TokenAsync(HttpClient client, string page) =>
        (await Support.BiobankWebFactory.HtmlAsync(await client.GetAsync(page))).QuerySelector("form[method=post] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

    private static FormUrlEncodedContent Form(string token, Dictionary<string, string> fields) =>
        new([new("__RequestVerificationToken", token), .. fields]);
}
