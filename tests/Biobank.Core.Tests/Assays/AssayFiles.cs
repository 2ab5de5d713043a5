using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;
using Biobank.Core.Assays;
using Biobank.Core.Common;
using Biobank.Core.Tests.Support;
using Dapper;

namespace Biobank.Core.Tests.Assays;

/// <summary>Result files as instruments and spreadsheets write them, and a snapshot of what an import may change.</summary>
public static class AssayFiles
{
    public static readonly string NpxHeader = string.Join(",", AssayFormats.NpxHeader);

    /// <summary>Demo catalogue analytes used by the test files: (UniProt, assay name, panel).</summary>
    public static readonly (string UniProt, string Assay, string Panel)[] Proteins =
    [
        ("P05231", "IL6", "INF"), ("P01375", "TNF", "INF"), ("P16860", "NPPB", "CVD"),
    ];

    public static string NpxRow(string sample, string uniprot, string assay, string npx, string lod = "0.5", string qc = "Pass", string plate = "PLATE1", char d = ',') =>
        string.Join(d, sample, "1", "OID00001", uniprot, assay, "0", "Olink Target 96 Inflammation", "v.3022", plate, qc, lod, npx);

    /// <summary>A well-formed long NPX file: every aliquot × every protein, plus one plate control per protein.</summary>
    public static string Npx(IReadOnlyList<string> aliquots, char d = ',', bool decimalComma = false, bool control = true)
    {
        var sb = new StringBuilder(string.Join(d, AssayFormats.NpxHeader)).Append('\n');
        var i = 0;
        foreach (var a in aliquots)
        {
            foreach (var (uniprot, assay, _) in Proteins)
            {
                var v = (1.25 + i++ * 0.5).ToString("0.00", CultureInfo.InvariantCulture);
                sb.Append(NpxRow(a, uniprot, assay, decimalComma ? v.Replace('.', ',') : v, decimalComma ? "0,5" : "0.5", d: d)).Append('\n');
            }
        }
        if (control)
        {
            foreach (var (uniprot, assay, _) in Proteins)
            {
                sb.Append(NpxRow("CONTROL_SAMPLE_AS 1", uniprot, assay, decimalComma ? "3,5" : "3.5", d: d)).Append('\n');
            }
        }
        return sb.ToString();
    }

    public static async Task<string> WriteAsync(string dir, string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(dir, name);
        await File.WriteAllTextAsync(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    public static async Task<string> WriteAsync(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    /// <summary>
    /// A minimal XLSX (inline strings, one sheet), as small as the format allows; a cell text starting with '='
    /// becomes a formula cell with a cached value, as Excel saves one.
    /// </summary>
    public static void WriteXlsx(string path, IReadOnlyList<IReadOnlyList<string>> rows, string? bombEntry = null, int bombBytes = 0)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Part(string name, string xml)
        {
            using var w = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
            w.Write(xml);
        }
        Part("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
            <Default Extension="xml" ContentType="application/xml"/>
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
            </Types>
            """);
        Part("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
            </Relationships>
            """);
        Part("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <sheets><sheet name="Results" sheetId="1" r:id="rId1"/></sheets>
            </workbook>
            """);
        Part("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
            </Relationships>
            """);
        var sheet = new StringBuilder("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
        for (var r = 0; r < rows.Count; r++)
        {
            sheet.Append(CultureInfo.InvariantCulture, $"<row r=\"{r + 1}\">");
            for (var c = 0; c < rows[r].Count; c++)
            {
                var text = rows[r][c];
                var cell = $"{(char)('A' + c)}{r + 1}";
                if (text.StartsWith('='))
                {
                    sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{cell}\"><f>{SecurityElement.Escape(text[1..])}</f><v>1</v></c>");
                }
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{cell}\"><v>{text}</v></c>");
                }
                else
                {
                    sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{cell}\" t=\"inlineStr\"><is><t>{SecurityElement.Escape(text)}</t></is></c>");
                }
            }
            sheet.Append("</row>");
        }
        sheet.Append("</sheetData></worksheet>");
        if (bombEntry == "xl/worksheets/sheet1.xml")
        {
            // The sheet itself expands hugely: valid XML padded with whitespace, which deflate squeezes ~1000:1.
            using var s = zip.CreateEntry(bombEntry, CompressionLevel.SmallestSize).Open();
            var head = Encoding.UTF8.GetBytes(sheet.ToString().Replace("</sheetData>", "", StringComparison.Ordinal).Replace("</worksheet>", "", StringComparison.Ordinal));
            s.Write(head);
            var blank = new byte[1 << 20];
            Array.Fill(blank, (byte)' ');
            for (var written = 0; written < bombBytes; written += blank.Length)
            {
                s.Write(blank);
            }
            s.Write("</sheetData></worksheet>"u8);
        }
        else
        {
            Part("xl/worksheets/sheet1.xml", sheet.ToString());
        }
    }

    public static string[][] Table(string csv) =>
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();
}

/// <summary>Everything an import can change, counted: equal before and after means nothing was written.</summary>
public sealed record Footprint(long Results, long Runs, long Files, long Controls, long RunAliquots, long Analytes, long Audit, long Custody, decimal Remaining)
{
    public static async Task<Footprint> TakeAsync(TestDatabase db)
    {
        await using var c = await db.Db.OpenAsync(default);
        async Task<long> Count(string table) => await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
        var remaining = await c.ExecuteScalarAsync<decimal>("SELECT COALESCE(SUM(remaining_ul), 0) FROM tube");
        return new Footprint(await Count("assay_result"), await Count("assay_run"), await Count("assay_file"), await Count("assay_control"),
            await Count("assay_run_aliquot"), await Count("analyte"), await Count("audit_log"), await Count("custody_event"), remaining);
    }
}

/// <summary>One seeded database per provider, shared by the tests of a class (refused imports leave it as it was).</summary>
public sealed class AssayWorlds : IAsyncLifetime
{
    private readonly Dictionary<string, Task<AssayWorld>> _worlds = [];
    private readonly Lock _lock = new();

    public Task<AssayWorld> GetAsync(string provider)
    {
        lock (_lock)
        {
            if (!_worlds.TryGetValue(provider, out var world))
            {
                _worlds[provider] = world = AssayWorld.CreateAsync(provider);
            }
            return world;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var w in _worlds.Values)
        {
            await (await w).DisposeAsync();
        }
    }
}

public sealed class AssayWorld : IAsyncDisposable
{
    private AssayWorld(TestDatabase db, Caller biologist, IReadOnlyList<string> aliquots, string withdrawn, string primary, string dir)
    {
        Db = db;
        Biologist = biologist;
        Aliquots = aliquots;
        WithdrawnAliquot = withdrawn;
        PrimaryTube = primary;
        Dir = dir;
    }

    public TestDatabase Db { get; }
    public Caller Biologist { get; }
    public IReadOnlyList<string> Aliquots { get; }
    public string WithdrawnAliquot { get; }
    public string PrimaryTube { get; }
    public string Dir { get; }

    public static async Task<AssayWorld> CreateAsync(string provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await LabData.SeedAsync(db);
        var tech = await LabData.CallerAsync(db, "tech.bru");
        var aliquots = await LabData.NewAliquotsAsync(db, tech, 12);
        var withdrawn = await LabData.NewAliquotsAsync(db, tech, 1, withdrawnPatient: true);
        await using var c = await db.Db.OpenAsync(default);
        var primary = await c.ExecuteScalarAsync<string>("SELECT barcode FROM tube WHERE kind = 'primary' ORDER BY id LIMIT 1");
        var biologist = await LabData.CallerAsync(db, "biologist");
        return new AssayWorld(db, biologist, aliquots, withdrawn[0], primary!, Directory.CreateTempSubdirectory("biobank-assays-").FullName);
    }

    public async Task<ImportAssayOutcome> ImportAsync(string path, AssayFileFormat format, string run, Func<ImportAssayCommand, ImportAssayCommand>? tweak = null)
    {
        var cmd = new ImportAssayCommand { FilePath = path, Format = format, RunCode = run, ConsumeUl = 2m };
        if (tweak is not null)
        {
            cmd = tweak(cmd);
        }
        return await Db.Get<ImportAssay>().ExecuteAsync(Biologist, cmd, null, default);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
