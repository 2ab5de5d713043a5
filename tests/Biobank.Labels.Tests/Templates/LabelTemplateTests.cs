using Biobank.Labels.Barcodes;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Templates;

public sealed class LabelTemplateTests
{
    private const string Minimal = """{ "widthMm": 25, "heightMm": 13, "elements": [ ELEMENTS ] }""";

    [Fact]
    public void Ships_exactly_the_five_templates_and_all_load()
    {
        var names = LabelTemplate.List(Repository.LabelsFolder);

        names.ShouldBe(["box", "cryovial-2d", "sheet-a4-cryovial", "shipment-package", "tube-code128"]);
        foreach (var name in names)
        {
            var template = LabelTemplate.LoadByName(Repository.LabelsFolder, name);
            template.Name.ShouldBe(name);
            template.Elements.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public void Lists_the_fields_a_template_needs()
    {
        LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d").RequiredFields()
            .ShouldBe(["barcode", "pseudonym", "sample_type", "timepoint", "date"]);
        LabelTemplate.LoadByName(Repository.LabelsFolder, "shipment-package").RequiredFields()
            .ShouldBe(["dry_ice_kg", "shipper", "consignee", "responsible_name", "responsible_phone", "shipment_id"], ignoreOrder: true);
    }

    [Fact]
    public void Cryovial_template_is_about_25_by_13_mm_with_a_scannable_module()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");

        template.WidthMm.ShouldBe(25);
        template.HeightMm.ShouldBe(13);
        var barcode = template.Elements.OfType<BarcodeElement>().Single();
        barcode.Symbology.ShouldBe(BarcodeFormat.DataMatrix);
        barcode.ModuleMm.ShouldBeGreaterThanOrEqualTo(0.25);
    }

    [Fact]
    public void Shipment_template_has_a_large_enough_un3373_mark_and_conditional_dry_ice()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "shipment-package");

        (template.WidthMm, template.HeightMm).ShouldBe((100, 150));
        template.Elements.OfType<Un3373Element>().Single().SideMm.ShouldBeGreaterThanOrEqualTo(50);
        template.Elements.OfType<Class9Element>().Single().Condition.ShouldBe(new ElementCondition("dry_ice_kg", false));
        template.Elements.OfType<TextElement>().Where(t => t.Text.Source is "UN1845" or "Dry Ice").ShouldAllBe(t => t.Condition != null);
    }

    [Fact]
    public void Sheet_layout_comes_from_the_json()
    {
        var sheet = LabelTemplate.LoadByName(Repository.LabelsFolder, "sheet-a4-cryovial").Sheet!;

        (sheet.PageWidthMm, sheet.PageHeightMm).ShouldBe((210, 297));
        sheet.LabelsPerPage.ShouldBe(sheet.Rows * sheet.Columns);
        sheet.Origin(sheet.Columns + 1, 25, 13).ShouldBe((sheet.MarginLeftMm + 25 + sheet.GapXMm, sheet.MarginTopMm + 13 + sheet.GapYMm));
    }

    [Fact]
    public void Reports_every_problem_with_element_index_and_property()
    {
        var json = Minimal.Replace("ELEMENTS", """
            { "type": "text", "text": "{barcode}", "x": 1, "y": 1 },
            { "type": "barcode", "symbology": "qr", "x": "left", "y": 1, "moduleMm": 0.3, "data": "{barcode}" },
            { "type": "text", "text": "{unclosed", "x": 1, "y": 40, "colour": "red" },
            { "type": "sticker" },
            { "type": "text", "text": "x", "x": 1, "y": 1, "overflow": "squash", "maxWidthMm": 5 },
            { "type": "barcode", "symbology": "datamatrix", "x": 1, "y": 1, "moduleMm": 0.2, "data": "{barcode}", "size": "11x11" }
            """);

        var error = Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse(json, "broken"));

        error.Template.ShouldBe("broken");
        error.Problems.ShouldContain(p => p.StartsWith("elements[1].symbology: 'qr' is not allowed", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[1].x: must be a number, not the text \"left\"", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[2].text: '{' at position 1 has no closing '}'", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[2].y: 40 is out of range", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[2].colour: is not a known property", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[3].type: 'sticker' is not known", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[4].overflow: 'squash' is not allowed", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[5].moduleMm: 0.2 mm is too small", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.StartsWith("elements[5].size: '11x11' is not a Data Matrix ECC 200 size", StringComparison.Ordinal));
        error.Problems.ShouldNotContain(p => p.StartsWith("elements[0]", StringComparison.Ordinal));
        error.Message.ShouldContain("Label template 'broken' is not valid");
    }

    [Fact]
    public void Refuses_a_un3373_mark_smaller_than_50_mm()
    {
        var json = """{ "widthMm": 100, "heightMm": 150, "elements": [ { "type": "un3373", "x": 2, "y": 2, "sideMm": 40 } ] }""";

        var error = Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse(json, "small"));

        error.Problems.ShouldHaveSingleItem().ShouldStartWith("elements[0].sideMm: 40 mm is too small: the UN3373 mark must have sides of at least 50 mm");
    }

    [Fact]
    public void Refuses_a_sheet_that_does_not_fit_the_page()
    {
        var json = """
            { "widthMm": 25, "heightMm": 13,
              "sheet": { "rows": 30, "columns": 8, "marginLeftMm": 10, "marginTopMm": 10 },
              "elements": [ { "type": "text", "text": "x", "x": 1, "y": 1 } ] }
            """;

        var error = Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse(json, "sheet"));

        error.Problems.ShouldNotContain(p => p.StartsWith("sheet.columns", StringComparison.Ordinal)); // 10 + 8 × 25 = 210 mm: exactly fits
        error.Problems.ShouldContain(p => p.StartsWith("sheet.rows: 30 labels of 13 mm", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_bad_json_and_missing_sizes()
    {
        Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse("{ \"widthMm\": ", "cut"))
            .Problems.ShouldHaveSingleItem().ShouldStartWith("the file is not valid JSON");
        var error = Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse("{ }", "empty"));
        error.Problems.ShouldBe(["widthMm: is required", "heightMm: is required", "elements: is required: a list of the things to draw"]);
    }

    [Fact]
    public void Condition_needs_a_field()
    {
        var json = Minimal.Replace("ELEMENTS", """{ "type": "text", "text": "x", "x": 1, "y": 1, "condition": { "empty": true } }""");

        Should.Throw<LabelTemplateException>(() => LabelTemplate.Parse(json, "c"))
            .Problems.ShouldContain("elements[0].condition.field: is required: the name of the field to test");
    }

    [Theory]
    [InlineData("../secrets")]
    [InlineData("Cryovial")]
    [InlineData("")]
    public void Template_names_cannot_leave_the_folder(string name)
    {
        Should.Throw<LabelTemplateException>(() => LabelTemplate.LoadByName(Repository.LabelsFolder, name))
            .Problems.ShouldHaveSingleItem().ShouldContain("is not a template name");
    }

    [Fact]
    public void Unknown_template_lists_the_available_ones()
    {
        Should.Throw<LabelTemplateException>(() => LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-3d"))
            .Problems.ShouldHaveSingleItem().ShouldContain("available: box, cryovial-2d, sheet-a4-cryovial, shipment-package, tube-code128");
    }

    [Fact]
    public void Placeholders_resolve_and_braces_escape()
    {
        var text = FieldText.TryParse("{{{pseudonym}}} at {timepoint}", out var error)!;

        error.ShouldBeNull();
        text.Fields.ShouldBe(["pseudonym", "timepoint"]);
        text.Resolve(new Dictionary<string, string> { ["pseudonym"] = "P-1", ["timepoint"] = "T0" }, 1).ShouldBe("{P-1} at T0");
    }
}
