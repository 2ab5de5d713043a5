using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using ExcelDataReader;

namespace Biobank.Core.Registry;

/// <summary>
/// One row of an uploaded table: its number as the user sees it (the line of a CSV file, the row of a
/// spreadsheet; the header is row 1), its cells as text, and what was wrong with its quoting, if anything.
/// </summary>
public sealed record TableRow(int Number, IReadOnlyList<string> Cells, string? Defect = null)
{
    public bool IsBlank => Cells.All(string.IsNullOrWhiteSpace);
}

public enum TableFormat
{
    Csv,
    Xlsx,
    Xls,
}

/// <summary>A file that cannot be read as a table at all (a damaged workbook, a binary file).</summary>
public sealed class TableFormatException(string message, int row = 0) : Exception(message)
{
    public int Row => row;
}

/// <summary>What the first pass over a file learnt: its SHA-256, its format and (for CSV) its encoding and separator.</summary>
public sealed record TableFileInfo(string Sha256, long Length, TableFormat Format, Encoding Encoding, char Separator);

/// <summary>
/// Streams the rows of a CSV (comma or semicolon) or spreadsheet (first sheet) file one at a time, so a
/// 100,000-row registry export is never held in memory as text. The stream must be seekable: the first pass
/// hashes it and sniffs its format, the second reads it.
/// </summary>
public static class TableReader
{
    private static int _codePagesRegistered;

    /// <summary>Hashes the file and finds its format, encoding and separator; leaves the stream at its start.</summary>
    public static async Task<TableFileInfo> InspectAsync(Stream file, CancellationToken ct)
    {
        if (!file.CanSeek)
        {
            throw new ArgumentException("The file stream must be seekable (copy an upload to a temporary file first).", nameof(file));
        }
        file.Position = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var validUtf8 = true;
        var buffer = new byte[81920];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var head = new List<byte>(4096);
        long length = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
            if (head.Count < 65536)
            {
                head.AddRange(buffer.AsSpan(0, Math.Min(read, 65536 - head.Count)).ToArray());
            }
            if (validUtf8)
            {
                try
                {
                    utf8.GetChars(buffer, 0, read, chars, 0, flush: false);
                }
                catch (DecoderFallbackException)
                {
                    validUtf8 = false;
                }
            }
        }
        file.Position = 0;
        var bytes = head.ToArray();
        var format = bytes switch
        {
            [0x50, 0x4B, 0x03, 0x04, ..] => TableFormat.Xlsx,
            [0xD0, 0xCF, 0x11, 0xE0, ..] => TableFormat.Xls,
            _ => TableFormat.Csv,
        };
        // Excel on a European desktop saves CSV in Windows-1252 unless told otherwise; UTF-8 is tried first.
        var encoding = validUtf8 ? Encoding.UTF8 : Windows1252();
        var separator = format == TableFormat.Csv ? DetectSeparator(FirstLine(bytes, encoding)) : ',';
        return new TableFileInfo(Convert.ToHexStringLower(sha.GetHashAndReset()), length, format, encoding, separator);
    }

    /// <summary>Comma unless the header line has more semicolons than commas (outside quotes).</summary>
    public static char DetectSeparator(string headerLine)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        foreach (var ch in headerLine)
        {
            switch (ch)
            {
                case '"':
                    quoted = !quoted;
                    break;
                case ',' when !quoted:
                    commas++;
                    break;
                case ';' when !quoted:
                    semicolons++;
                    break;
            }
        }
        return semicolons > commas ? ';' : ',';
    }

    /// <summary>The rows of the file, the header first. Throws <see cref="TableFormatException"/> for an unreadable file.</summary>
    public static IEnumerable<TableRow> Read(Stream file, TableFileInfo info) => info.Format switch
    {
        TableFormat.Csv => ReadCsv(file, info.Encoding, info.Separator),
        TableFormat.Xlsx => ReadXlsx(file),
        _ => ReadWorkbook(file),
    };

    // The same zip-bomb check as the assay upload, before ExcelDataReader inflates anything.
    private static IEnumerable<TableRow> ReadXlsx(Stream file)
    {
        if (Common.XlsxZip.Refusal(file, Common.XlsxLimits.Default) is { } why)
        {
            throw new TableFormatException($"The workbook is {why}. Export the table as CSV instead.");
        }
        foreach (var row in ReadWorkbook(file))
        {
            yield return row;
        }
    }

    public static IEnumerable<TableRow> ReadCsv(Stream file, Encoding encoding, char separator)
    {
        string? defect = null;
        var options = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = false,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            Encoding = encoding.CodePage == Encoding.UTF8.CodePage ? null : encoding,
            // Values may be personal data a user pasted by mistake: keep them out of exception messages.
            IncludeValuesInExceptions = false,
            OnMalformedRecord = m => defect = m.Reason switch
            {
                CsvMalformedReason.UnterminatedQuote => "a quoted value is never closed: every quote must be doubled inside a quoted value",
                CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a quoted value",
                CsvMalformedReason.StrayQuote => "a quote inside an unquoted value",
                _ => $"malformed CSV ({m.Reason})",
            },
        };
        using var csv = CsvReader.Create(file, options, leaveOpen: true);
        while (true)
        {
            bool more;
            try
            {
                more = csv.Read();
            }
            catch (CsvFormatException e)
            {
                throw new TableFormatException($"The CSV file cannot be read: {e.Message}", (int)Math.Max(e.LineNumber, e.RecordNumber));
            }
            if (!more)
            {
                yield break;
            }
            var cells = new string[csv.FieldCount];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = csv.GetString(i);
            }
            yield return new TableRow((int)csv.LineNumber, cells, defect);
            defect = null;
        }
    }

    /// <summary>The first sheet of an XLSX (or legacy XLS) workbook; numbers and dates come back as invariant text.</summary>
    public static IEnumerable<TableRow> ReadWorkbook(Stream file)
    {
        EnsureCodePages();
        IExcelDataReader reader;
        try
        {
            reader = ExcelReaderFactory.CreateReader(file, new ExcelReaderConfiguration { LeaveOpen = true });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TableFormatException($"The workbook cannot be opened ({e.Message}). Save it again as .xlsx or export it as CSV.");
        }
        using (reader)
        {
            var number = 0;
            while (true)
            {
                bool more;
                try
                {
                    more = reader.Read();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new TableFormatException($"The workbook cannot be read after row {number} ({e.Message}).", number + 1);
                }
                if (!more)
                {
                    yield break;
                }
                number++;
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = CellText(reader.GetValue(i));
                }
                yield return new TableRow(number, cells);
            }
        }
    }

    public static string CellText(object? value) => value switch
    {
        null or DBNull => "",
        string s => s,
        // A date cell reads as a date: written back as the ISO date the import expects, the time kept if there is one.
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        // Via decimal: 70.2 stays "70.2" instead of "70.2000000000000028" and never turns into "1E-05".
        double x when Math.Abs(x) < 7.9e27 && double.IsFinite(x) => ((decimal)x).ToString(CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static void EnsureCodePages()
    {
        // ExcelDataReader needs code page 1252 for legacy workbooks; registering twice is harmless but once is enough.
        if (Interlocked.Exchange(ref _codePagesRegistered, 1) == 0)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        }
    }

    private static Encoding Windows1252()
    {
        EnsureCodePages();
        return Encoding.GetEncoding(1252);
    }

    private static string FirstLine(byte[] head, Encoding encoding)
    {
        var text = encoding.GetString(head);
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
