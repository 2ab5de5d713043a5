using Biobank.Core.Common;

namespace Biobank.Core.Tests.Common;

public sealed class CsvOutputTests
{
    [Theory]
    [InlineData("BRUA00000042N", "BRUA00000042N")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+41-CMD", "'+41-CMD")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("PL1-PED-A-A-N-A-A", "PL1-PED-A-A-N-A-A")]
    public void A_field_is_neutralised_then_quoted(string? value, string expected) => CsvOutput.Field(value).ShouldBe(expected);

    [Fact]
    public async Task A_row_ends_in_CRLF_and_reads_back_with_the_apostrophe_kept()
    {
        var row = CsvOutput.Row(["=cmd|' /C calc'!A0", "x,y", null, "plain"]);
        row.ShouldEndWith("\r\n");
        var back = (await new CsvRecords(new StringReader(row), ',').ReadAsync())!.Value.Fields;
        back.ShouldBe(["'=cmd|' /C calc'!A0", "x,y", "", "plain"]);
    }
}
