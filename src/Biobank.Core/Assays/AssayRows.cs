using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Biobank.Core.Common;
using Biobank.Core.Storage;
using Biobank.Core.Assays.Formats;
using ExcelDataReader;

namespace Biobank.Core.Assays;

/// <summary>
/// One record at a time from a result file, CSV or XLSX alike: its 1-based row number and its fields. The fields
/// array belongs to the source and is valid until the next read.
/// </summary>
internal abstract class AssayRowSource : IDisposable
{
    public int Line { get; protected set; }

    public string[] Fields { get; protected set; } = [];

    /// <summary>',' ';' or '\t' for text files; 'x' for a spreadsheet, 'p' for Parquet (numbers arrive with a decimal point).</summary>
    public abstract char Delimiter { get; }

    /// <summary>The file's key/value metadata (Parquet); empty for the others.</summary>
    public virtual IReadOnlyDictionary<string, string> Metadata => EmptyMetadata;

    private static readonly Dictionary<string, string> EmptyMetadata = [];

    public abstract long BytesRead { get; }

    public abstract ValueTask<bool> ReadAsync(CancellationToken ct);

    public abstract void Dispose();

    public static bool IsXlsx(string path) => KindOf(path) == FileKind.Xlsx;

    /// <summary>By content, not by name: an XLSX is a zip ("PK\x03\x04"), a Parquet file starts with "PAR1".</summary>
    public static FileKind KindOf(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        if (f.Read(head) != 4)
        {
            return FileKind.Text;
        }
        if (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
        {
            return FileKind.Xlsx;
        }
        return head.SequenceEqual("PAR1"u8) ? FileKind.Parquet : FileKind.Text;
    }

    public static AssayRowSource Open(string path, FileKind kind, IncrementalHash? hash, char? delimiter = null) => kind switch
    {
        FileKind.Xlsx => new XlsxRowSource(path),
        FileKind.Parquet => new ParquetRowSource(path),
        _ => new CsvRowSource(path, hash, delimiter),
    };
}

internal sealed class CsvRowSource : AssayRowSource
{
    private readonly FileStream _file;
    private readonly HashingStream _hashing;
    private readonly StreamReader _reader;
    private readonly CsvRecords _records;

    public CsvRowSource(string path, IncrementalHash? hash, char? delimiter = null)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _hashing = new HashingStream(_file, hash);
        // Invalid UTF-8 becomes U+FFFD, which the field check reports with its row instead of failing the whole read.
        _reader = new StreamReader(_hashing, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        _records = new CsvRecords(_reader, delimiter);
    }

    public override char Delimiter => _records.Delimiter;

    public override long BytesRead => _file.Position;

    public override async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        var record = await _records.ReadAsync();
        if (record is null)
        {
            return false;
        }
        Line = record.Value.Line;
        Fields = record.Value.Fields;
        return true;
    }

    /// <summary>Reads what is left so the hash covers the whole file even when validation stopped early.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        while (await _hashing.ReadAsync(buffer, ct) > 0)
        {
        }
    }

    public override void Dispose()
    {
        _reader.Dispose();
        _file.Dispose();
    }
}

/// <summary>The first sheet of an XLSX through ExcelDataReader; cells become text the way a CSV would hold them.</summary>
internal sealed class XlsxRowSource : AssayRowSource
{
    private static readonly object Once = new();
    private static bool _registered;
    private readonly FileStream _file;
    private readonly IExcelDataReader _reader;
    private int _width = -1;

    public XlsxRowSource(string path)
    {
        lock (Once)
        {
            if (!_registered)
            {
                // ExcelDataReader needs the legacy code pages even for XLSX (it shares code with the XLS reader).
                Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
                _registered = true;
            }
        }
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            _reader = ExcelReaderFactory.CreateOpenXmlReader(_file);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public override char Delimiter => 'x';

    public override long BytesRead => _file.Position;

    public override ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        if (!_reader.Read())
        {
            return ValueTask.FromResult(false);
        }
        Line++;
        var count = _reader.FieldCount;
        var last = -1;
        for (var i = count - 1; i >= 0; i--)
        {
            if (_reader.GetValue(i) is not null and not "")
            {
                last = i;
                break;
            }
        }
        // The sheet's width comes from its widest row; a data row is as wide as the header unless it holds more.
        var width = _width < 0 ? last + 1 : Math.Max(_width, last + 1);
        if (_width < 0)
        {
            _width = width;
        }
        var fields = new string[width];
        for (var i = 0; i < width; i++)
        {
            fields[i] = i < count ? Text(_reader.GetValue(i)) : "";
        }
        Fields = fields;
        return ValueTask.FromResult(true);
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s.Trim(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public override void Dispose()
    {
        _reader.Dispose();
        _file.Dispose();
    }
}

/// <summary>
/// A Parquet file through Parquet.Net, one row group at a time (memory holds one row group's columns, whatever the
/// file's size): row 1 is the column names, then one row per record; values become text the way a CSV holds them
/// (numbers with a decimal point, null as empty).
/// </summary>
internal sealed class ParquetRowSource(string path) : AssayRowSource
{
    private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    private Parquet.ParquetReader? _reader;
    private Parquet.Schema.DataField[] _fields = [];
    private Array[] _columns = [];
    private int _group = -1;
    private long _rows;
    private long _next;
    private Dictionary<string, string> _metadata = [];

    public override char Delimiter => 'p';

    public override long BytesRead => _file.Position;

    public override IReadOnlyDictionary<string, string> Metadata => _metadata;

    public override async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        if (_reader is null)
        {
            _reader = await Parquet.ParquetReader.CreateAsync(_file, null, leaveStreamOpen: true, ct);
            _fields = _reader.Schema.GetDataFields();
            _metadata = new Dictionary<string, string>(_reader.CustomMetadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            Line = 1;
            Fields = _fields.Select(f => f.Name).ToArray();
            return true;
        }
        while (_next >= _rows)
        {
            if (++_group >= _reader.RowGroupCount)
            {
                return false;
            }
            using var group = _reader.OpenRowGroupReader(_group);
            _rows = group.RowCount;
            _next = 0;
            _columns = new Array[_fields.Length];
            for (var i = 0; i < _fields.Length; i++)
            {
                _columns[i] = await ReadColumnAsync(group, _fields[i], (int)_rows, ct);
            }
        }
        var fields = new string[_fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Text(_columns[i].GetValue(_next));
        }
        _next++;
        Line++;
        Fields = fields;
        return true;
    }

    private static async Task<Array> ReadColumnAsync(Parquet.ParquetRowGroupReader group, Parquet.Schema.DataField field, int rows, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        // Parquet.Net 6 types text columns as ReadOnlyMemory<char>; they are read as strings.
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[rows];
            await group.ReadAsync(field, strings.AsMemory(), null, ct);
            return strings;
        }
        if (type == typeof(double))
        {
            return await ReadAsync<double>(group, field, rows, ct);
        }
        if (type == typeof(float))
        {
            return await ReadAsync<float>(group, field, rows, ct);
        }
        if (type == typeof(int))
        {
            return await ReadAsync<int>(group, field, rows, ct);
        }
        if (type == typeof(long))
        {
            return await ReadAsync<long>(group, field, rows, ct);
        }
        if (type == typeof(bool))
        {
            return await ReadAsync<bool>(group, field, rows, ct);
        }
        throw new NotSupportedException($"the Parquet column {field.Name} has the type {type.Name}, which the importer does not read");
    }

    private static async Task<T?[]> ReadAsync<T>(Parquet.ParquetRowGroupReader group, Parquet.Schema.DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var values = new T?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, ct);
        return values;
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s.Trim(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public override void Dispose()
    {
        // Parquet.Net's reader only disposes asynchronously; it holds no more than the open stream, closed below.
        _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file.Dispose();
    }
}

/// <summary>
/// Looks inside an XLSX before ExcelDataReader does: refuses a zip bomb (<see cref="XlsxZip"/>, the check every
/// XLSX upload shares) and lists every formula cell of the first sheet, streaming its XML.
/// </summary>
internal static class XlsxInspector
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    public static void Inspect(string path, XlsxLimits limits, ImportProblems problems)
    {
        using var file = File.OpenRead(path);
        using var zip = OpenZip(file);
        if (zip is null)
        {
            problems.Add(0, "file", "", "not a readable XLSX file (its zip structure is broken)");
            return;
        }
        if (XlsxZip.Refusal(zip, limits) is { } refused)
        {
            problems.Add(0, "file", refused.Part, refused.Reason);
            return;
        }
        var sheet = FirstSheet(zip);
        if (sheet is null)
        {
            problems.Add(0, "file", "", "the XLSX has no worksheet");
            return;
        }
        ScanFormulas(sheet, problems);
    }

    private static ZipArchive? OpenZip(Stream file)
    {
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        Async = false,
    };

    private static ZipArchiveEntry? FirstSheet(ZipArchive zip)
    {
        var workbook = zip.GetEntry("xl/workbook.xml");
        string? relId = null;
        if (workbook is not null)
        {
            using var r = XmlReader.Create(workbook.Open(), Settings);
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "sheet")
                {
                    relId = r.GetAttribute("id", RelNs);
                    break;
                }
            }
        }
        string? target = null;
        var rels = zip.GetEntry("xl/_rels/workbook.xml.rels");
        if (relId is not null && rels is not null)
        {
            using var r = XmlReader.Create(rels.Open(), Settings);
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship" && r.GetAttribute("Id") == relId)
                {
                    target = r.GetAttribute("Target");
                    break;
                }
            }
        }
        if (target is not null)
        {
            var name = target.StartsWith('/') ? target[1..] : "xl/" + target;
            if (zip.GetEntry(name) is { } entry)
            {
                return entry;
            }
        }
        return zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal))
            .OrderBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault();
    }

    private static void ScanFormulas(ZipArchiveEntry sheet, ImportProblems problems)
    {
        using var r = XmlReader.Create(sheet.Open(), Settings);
        string? cell = null;
        var rowNumber = 0;
        while (r.Read())
        {
            if (r.NodeType != XmlNodeType.Element || r.NamespaceURI != MainNs)
            {
                continue;
            }
            switch (r.LocalName)
            {
                case "row":
                    rowNumber = int.TryParse(r.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : rowNumber + 1;
                    break;
                case "c":
                    cell = r.GetAttribute("r");
                    break;
                case "f":
                    var formula = r.ReadElementContentAsString();
                    var column = cell is null ? "?" : new string(cell.TakeWhile(char.IsAsciiLetter).ToArray());
                    var row = cell is not null && int.TryParse(cell.AsSpan(column.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var cr) ? cr : rowNumber;
                    problems.Add(row, column, AssayText.Show("=" + formula), "a formula cell: export values only (paste as values), formulas are not accepted");
                    break;
            }
        }
    }
}

/// <summary>Passes reads through and feeds every byte to a hash, so the file is hashed by the pass that parses it.</summary>
internal sealed class HashingStream(Stream inner, IncrementalHash? hash) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        hash?.AppendData(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        hash?.AppendData(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Every problem of a file, capped: the first <c>cap</c> are kept with row, column, value and reason, the rest counted.
/// A problem that repeats for one key (an unknown aliquot on every one of its rows) is listed once with its row count.
/// </summary>
public sealed class ImportProblems(int cap = 1000)
{
    private readonly List<RowProblem> _list = [];
    private readonly Dictionary<string, (int Index, int Rows)> _grouped = new(StringComparer.Ordinal);

    public long Total { get; private set; }

    public bool Any => Total > 0;

    public void Add(int row, string column, string value, string reason)
    {
        Total++;
        if (_list.Count < cap)
        {
            _list.Add(new RowProblem(row, column, value, reason));
        }
    }

    /// <summary>Counts a repeat of the problem <paramref name="key"/> instead of listing it again.</summary>
    public void AddOnce(string key, int row, string column, string value, string reason)
    {
        if (_grouped.TryGetValue(key, out var seen))
        {
            _grouped[key] = (seen.Index, seen.Rows + 1);
            return;
        }
        if (_list.Count >= cap)
        {
            Total++;
            if (_grouped.Count < cap * 10)
            {
                _grouped[key] = (-1, 1);
            }
            return;
        }
        _grouped[key] = (_list.Count, 1);
        Add(row, column, value, reason);
    }

    public IReadOnlyList<RowProblem> List()
    {
        var list = _list.ToList();
        foreach (var (index, rows) in _grouped.Values)
        {
            if (index >= 0 && rows > 1)
            {
                var p = list[index];
                list[index] = p with { Reason = $"{p.Reason} ({rows:N0} rows; the first is shown)" };
            }
        }
        return list.OrderBy(p => p.Row).ToList();
    }
}
