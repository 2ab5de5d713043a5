using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Rendering;

public sealed class LabelLayoutTests : IDisposable
{
    private const string Long = "Saliva supernatant from a Salivette tube, centrifuged twice";
    private readonly TextMeasurer measurer = new();

    public void Dispose() => measurer.Dispose();

    [Fact]
    public void Shrink_reduces_the_font_until_the_text_fits()
    {
        var lines = Text("""{ "type": "text", "text": "{v}", "x": 1, "y": 1, "fontSizePt": 8, "maxWidthMm": 30, "overflow": "shrink", "minFontSizePt": 3 }""", "PSN-BE-000000042-X");

        var line = lines.ShouldHaveSingleItem();
        line.Text.ShouldBe("PSN-BE-000000042-X");
        line.SizePt.ShouldBeLessThan(8);
        line.SizePt.ShouldBeGreaterThanOrEqualTo(3);
        measurer.WidthMm(line.Text, line.SizePt, false).ShouldBeLessThanOrEqualTo(30);
    }

    [Fact]
    public void Shrink_stops_at_the_minimum_and_then_truncates()
    {
        var line = Text("""{ "type": "text", "text": "{v}", "x": 1, "y": 1, "fontSizePt": 8, "maxWidthMm": 15, "overflow": "shrink", "minFontSizePt": 5 }""", Long)
            .ShouldHaveSingleItem();

        line.SizePt.ShouldBe(5);
        line.Text.ShouldEndWith(LabelLayout.Ellipsis);
        measurer.WidthMm(line.Text, 5, false).ShouldBeLessThanOrEqualTo(15);
    }

    [Fact]
    public void Truncate_cuts_with_an_ellipsis()
    {
        var line = Text("""{ "type": "text", "text": "{v}", "x": 1, "y": 1, "fontSizePt": 6, "maxWidthMm": 15 }""", Long).ShouldHaveSingleItem();

        line.Text.ShouldStartWith("Saliva");
        line.Text.ShouldEndWith(LabelLayout.Ellipsis);
        measurer.WidthMm(line.Text, 6, false).ShouldBeLessThanOrEqualTo(15);
    }

    [Fact]
    public void Wrap_breaks_at_spaces_and_truncates_the_last_allowed_line()
    {
        var lines = Text("""{ "type": "text", "text": "{v}", "x": 1, "y": 1, "fontSizePt": 6, "maxWidthMm": 22, "overflow": "wrap", "maxLines": 2 }""", Long);

        lines.Count.ShouldBe(2);
        lines[0].Text.ShouldBe("Saliva supernatant");
        lines[1].Text.ShouldEndWith(LabelLayout.Ellipsis);
        lines[1].Top.ShouldBeGreaterThan(lines[0].Top);
        lines.ShouldAllBe(l => measurer.WidthMm(l.Text, 6, false) <= 22);
    }

    [Fact]
    public void Wrap_keeps_line_breaks_from_the_data()
    {
        var lines = Text("""{ "type": "text", "text": "{v}", "x": 1, "y": 1, "fontSizePt": 6, "maxWidthMm": 40, "overflow": "wrap", "maxLines": 4 }""", "Central Biobank\r\n171 76 Stockholm");

        lines.Select(l => l.Text).ShouldBe(["Central Biobank", "171 76 Stockholm"]);
    }

    [Fact]
    public void Centre_and_right_alignment_place_the_line_around_x()
    {
        var centre = Text("""{ "type": "text", "text": "{v}", "x": 12.5, "y": 1, "align": "center" }""", "AB").ShouldHaveSingleItem();
        var right = Text("""{ "type": "text", "text": "{v}", "x": 24, "y": 1, "align": "right" }""", "AB").ShouldHaveSingleItem();
        var width = measurer.WidthMm("AB", 8, false);

        centre.Left.ShouldBe(12.5 - width / 2, 1e-9);
        right.Left.ShouldBe(24 - width, 1e-9);
    }

    [Theory]
    [InlineData("5.0", false, true)]
    [InlineData("", false, false)]
    [InlineData("  ", false, false)]
    [InlineData("", true, true)]
    [InlineData("5.0", true, false)]
    public void Condition_shows_an_element_by_whether_a_field_is_empty(string value, bool whenEmpty, bool shown)
    {
        var json = $$"""{ "type": "text", "text": "Dry Ice", "x": 1, "y": 1, "condition": { "field": "dry_ice_kg", "empty": {{(whenEmpty ? "true" : "false")}} } }""";
        var template = Template(json);

        var primitives = new LabelLayout(template, measurer).Lay(new Dictionary<string, string> { ["dry_ice_kg"] = value }, 1);

        primitives.Count.ShouldBe(shown ? 1 : 0);
    }

    [Fact]
    public void Cryovial_prints_realistic_codes_in_full()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var layout = new LabelLayout(template, measurer);

        foreach (var code in (string[])["AL-00012345", "BE042-T1-PL-07", "DK-0007-SAL-0012"])
        {
            var texts = layout.Lay(Rows.Cryovial(code), 1).OfType<TextPrimitive>().Select(t => t.Text).ToList();
            texts.ShouldContain(code);
        }
    }

    private List<TextPrimitive> Text(string element, string value) =>
        [.. new LabelLayout(Template(element), measurer).Lay(new Dictionary<string, string> { ["v"] = value }, 1).Cast<TextPrimitive>()];

    private static LabelTemplate Template(string element) =>
        LabelTemplate.Parse($$"""{ "widthMm": 50, "heightMm": 20, "elements": [ {{element}} ] }""", "test");
}
