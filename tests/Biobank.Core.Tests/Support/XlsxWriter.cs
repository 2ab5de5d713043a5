using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace Biobank.Core.Tests.Support;

/// <summary>
/// Writes a minimal XLSX workbook by hand (no writer package is referenced): the OpenXML parts Excel itself needs,
/// strings inline, numbers as numbers, <see cref="DateOnly"/> as date serials with a date format — the three kinds of
/// cell a registry export holds. Each sheet is a list of rows; null leaves a cell out.
/// </summary>
public static class XlsxWriter
{
    public static byte[] Write(params IReadOnlyList<IReadOnlyList<object?>>[] sheets)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "[Content_Types].xml", ContentTypes(sheets.Length));
            Add(zip, "_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
                </Relationships>
                """);
            Add(zip, "xl/workbook.xml", Workbook(sheets.Length));
            Add(zip, "xl/_rels/workbook.xml.rels", WorkbookRels(sheets.Length));
            Add(zip, "xl/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
                <fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
                <fills count="1"><fill><patternFill patternType="none"/></fill></fills>
                <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
                </styleSheet>
                """);
            for (var i = 0; i < sheets.Length; i++)
            {
                Add(zip, $"xl/worksheets/sheet{i + 1}.xml", Sheet(sheets[i]));
            }
        }
        return buffer.ToArray();
    }

    /// <summary>A one-sheet workbook from CSV-like text: numbers become number cells, ISO dates date cells, the rest strings.</summary>
    public static byte[] FromCsv(string csv, bool typed = true)
    {
        var rows = csv.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')
            .Select((line, i) => (IReadOnlyList<object?>)line.Split(',').Select(v => i == 0 || !typed ? v : Typed(v)).ToList())
            .ToList();
        return Write(rows);
    }

    private static object? Typed(string v) =>
        v.Length == 0 ? null
        : DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
        : v;

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }

    private static string ContentTypes(int sheets)
    {
        var overrides = string.Concat(Enumerable.Range(1, sheets).Select(i =>
            $"""<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"""));
        return $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
            <Default Extension="xml" ContentType="application/xml"/>
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
            {overrides}
            </Types>
            """;
    }

    private static string Workbook(int sheets) => $"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
        <sheets>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"""<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>"""))}</sheets>
        </workbook>
        """;

    private static string WorkbookRels(int sheets) => $"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        {string.Concat(Enumerable.Range(1, sheets).Select(i => $"""<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"""))}
        <Relationship Id="rId{sheets + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
        </Relationships>
        """;

    private static string Sheet(IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        var xml = new StringBuilder("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
        for (var r = 0; r < rows.Count; r++)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<row r="{r + 1}">""");
            for (var c = 0; c < rows[r].Count; c++)
            {
                var at = Column(c) + (r + 1).ToString(CultureInfo.InvariantCulture);
                switch (rows[r][c])
                {
                    case null:
                        break;
                    case DateOnly d:
                        // Excel's serial day: days since 1899-12-30 (the 1900 leap-year bug folded in).
                        var serial = d.DayNumber - new DateOnly(1899, 12, 30).DayNumber;
                        xml.Append(CultureInfo.InvariantCulture, $"""<c r="{at}" s="1"><v>{serial}</v></c>""");
                        break;
                    case double or int or decimal or long:
                        xml.Append(CultureInfo.InvariantCulture, $"""<c r="{at}"><v>{Convert.ToString(rows[r][c], CultureInfo.InvariantCulture)}</v></c>""");
                        break;
                    case var text:
                        xml.Append(CultureInfo.InvariantCulture, $"""<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{SecurityElement.Escape(text.ToString())}</t></is></c>""");
                        break;
                }
            }
            xml.Append("</row>");
        }
        return xml.Append("</sheetData></worksheet>").ToString();
    }

    private static string Column(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }
        return name;
    }
}
