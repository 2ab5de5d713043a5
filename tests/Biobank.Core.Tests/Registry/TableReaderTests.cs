using System.Text;
using Biobank.Core.Registry;
using Biobank.Core.Tests.Support;

namespace Biobank.Core.Tests.Registry;

public sealed class TableReaderTests
{
    private static async Task<(TableFileInfo Info, List<TableRow> Rows)> ReadAsync(byte[] bytes)
    {
        var stream = new MemoryStream(bytes);
        var info = await TableReader.InspectAsync(stream, default);
        return (info, TableReader.Read(stream, info).ToList());
    }

    private static Task<(TableFileInfo Info, List<TableRow> Rows)> ReadAsync(string text, Encoding? encoding = null) =>
        ReadAsync((encoding ?? new UTF8Encoding(false)).GetBytes(text));

    [Fact]
    public async Task Reads_a_comma_separated_file_with_quoted_values_and_numbers_each_row_with_its_line()
    {
        var (info, rows) = await ReadAsync("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,z,\n");
        info.Format.ShouldBe(TableFormat.Csv);
        info.Separator.ShouldBe(',');
        rows.Select(r => r.Number).ShouldBe([1, 2, 4], "the blank line 3 is skipped but still counted");
        rows[1].Cells.ShouldBe(["1", "x, y", "say \"hi\""]);
        rows[2].Cells.ShouldBe(["2", "z", ""]);
    }

    [Fact]
    public async Task Reads_a_semicolon_separated_file_as_European_Excel_writes_it()
    {
        var (info, rows) = await ReadAsync("pseudonym;value_gy\r\nBRU-0001;3,5\r\n");
        info.Separator.ShouldBe(';');
        rows[1].Cells.ShouldBe(["BRU-0001", "3,5"]);
    }

    [Fact]
    public async Task A_byte_order_mark_is_not_part_of_the_first_header()
    {
        var (_, rows) = await ReadAsync(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("pseudonym,site\nBRU-0001,BRU\n")).ToArray());
        rows[0].Cells[0].ShouldBe("pseudonym");
    }

    [Fact]
    public async Task A_Windows_1252_file_is_recognised_and_its_accents_read()
    {
        TableReader.EnsureCodePages();
        var (info, rows) = await ReadAsync("diagnosis\nnéphroblastome\n", Encoding.GetEncoding(1252));
        info.Encoding.CodePage.ShouldBe(1252);
        rows[1].Cells[0].ShouldBe("néphroblastome");
    }

    [Fact]
    public async Task A_stray_quote_is_reported_on_its_row()
    {
        var (_, rows) = await ReadAsync("a,b\n1,ab\"c\n2,ok\n");
        rows[1].Defect.ShouldNotBeNull();
        rows[1].Number.ShouldBe(2);
        rows[2].Defect.ShouldBeNull();
    }

    [Fact]
    public async Task The_file_hash_is_its_SHA256()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\n");
        var (info, _) = await ReadAsync(bytes);
        info.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        info.Length.ShouldBe(bytes.Length);
    }

    [Fact]
    public async Task Reads_the_first_sheet_of_a_workbook_with_numbers_and_dates_as_invariant_text()
    {
        var workbook = XlsxWriter.Write(
            [
                ["pseudonym", "age", "rt_start", "dose", "note"],
                ["BRU-0001", 7.5, new DateOnly(2025, 1, 10), 19.8, null],
                [],
                ["BRU-0002", 12, new DateOnly(2024, 12, 31), 0.00001, "é ü ø"],
            ],
            [["second sheet"], ["not read"]]);
        var (info, rows) = await ReadAsync(workbook);
        info.Format.ShouldBe(TableFormat.Xlsx);
        rows[0].Cells.ShouldBe(["pseudonym", "age", "rt_start", "dose", "note"]);
        rows[1].Cells.ShouldBe(["BRU-0001", "7.5", "2025-01-10", "19.8", ""]);
        rows[1].Number.ShouldBe(2);
        rows[2].IsBlank.ShouldBeTrue();
        rows[3].Number.ShouldBe(4);
        rows[3].Cells.ShouldBe(["BRU-0002", "12", "2024-12-31", "0.00001", "é ü ø"]);
        rows.Count.ShouldBe(4, "only the first sheet is read");
    }

    [Fact]
    public async Task A_damaged_workbook_is_a_format_error_not_a_crash()
    {
        var bytes = XlsxWriter.FromCsv("a,b\n1,2");
        var stream = new MemoryStream(bytes[..(bytes.Length / 2)]);
        var info = await TableReader.InspectAsync(stream, default);
        info.Format.ShouldBe(TableFormat.Xlsx);
        Should.Throw<TableFormatException>(() => TableReader.Read(stream, info).ToList()).Message.ShouldContain("workbook cannot be opened");
    }

    [Fact]
    public async Task Rows_are_streamed_not_loaded_whole()
    {
        // A 200,000-row file: the reader hands out the first rows without having read the rest.
        var text = new StringBuilder("a,b\n");
        for (var i = 0; i < 200_000; i++)
        {
            text.Append(i).Append(",x\n");
        }
        var stream = new CountingStream(Encoding.UTF8.GetBytes(text.ToString()));
        var info = await TableReader.InspectAsync(stream, default);
        stream.BytesRead = 0;
        var first = TableReader.Read(stream, info).Take(3).ToList();
        first[2].Cells[0].ShouldBe("1");
        stream.BytesRead.ShouldBeLessThan(stream.Length / 4);
    }

    [Theory]
    [InlineData("a,b,c", ',')]
    [InlineData("a;b;c", ';')]
    [InlineData("\"a;b\",c", ',')]
    [InlineData("\"a,b\";c;d", ';')]
    public void Detects_the_separator_from_the_header_line(string header, char separator) =>
        TableReader.DetectSeparator(header).ShouldBe(separator);

    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = base.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += n;
            return n;
        }
    }
}
