using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Biobank.Labels.Tests.Support;

namespace Biobank.Labels.Tests.Rendering;

public sealed partial class ZplLabelRendererTests
{
    [Fact]
    public void Ten_cryovials_give_ten_labels_with_a_data_matrix_each()
    {
        var zpl = Render("cryovial-2d", Rows.AliquotCodes(10, 3).Select(Rows.Cryovial));

        Count(zpl, "^XA").ShouldBe(10);
        Count(zpl, "^XZ").ShouldBe(10);
        Count(zpl, "^BX").ShouldBe(10);
        Count(zpl, "^CI28").ShouldBe(10);
        zpl.ShouldStartWith("^XA");
        zpl.TrimEnd().ShouldEndWith("^XZ");
    }

    [Fact]
    public void Data_matrix_carries_the_size_our_encoder_chose_and_the_module_in_dots()
    {
        var at203 = Render("cryovial-2d", [Rows.Cryovial("AL-00000001")], dpi: 203);
        var at300 = Render("cryovial-2d", [Rows.Cryovial("AL-00000001")], dpi: 300);

        // "AL-00000001" needs 7 codewords: a 14×14 symbol. 0.3 mm is 2.4 dots at 203 dpi, 3.5 at 300.
        at203.ShouldContain("^FO8,23^BXN,2,200,14,14,6,_,1^FH_^FDAL-00000001^FS");
        at300.ShouldContain("^BXN,4,200,14,14,6,_,1");
        at203.ShouldContain("^PW200\n^LL104\n");
        at300.ShouldContain("^PW295\n^LL154\n");
    }

    [Fact]
    public void Code128_uses_bc_with_the_module_width()
    {
        var zpl = Render("tube-code128", [Rows.Cryovial("BB-PT-00012345")], dpi: 300);

        zpl.ShouldContain("^FO47,18^BY3^BCN,106,N,N,N,A^FH_^FDBB-PT-00012345^FS");
        Count(zpl, "^BX").ShouldBe(0);
    }

    [Fact]
    public void Field_data_is_hex_escaped_so_no_text_can_break_the_format()
    {
        var row = Rows.Cryovial("AL-^XZ~JA_1");
        row["pseudonym"] = "P^FS~DG_é";
        row["sample_type"] = "Plasma\tµl ✓";

        var zpl = Render("cryovial-2d", [row]);

        // Only the label's own commands start with ^ or ~: the data cannot end the field or the label.
        Count(zpl, "^XZ").ShouldBe(1);
        zpl.ShouldNotContain("~JA");
        zpl.ShouldNotContain("~DG");
        zpl.ShouldContain("^FDP_5EFS_7EDG_5F_C3_A9^FS");
        zpl.ShouldContain("^FDPlasma _C2_B5l _E2_9C_93^FS");

        // The Data Matrix field doubles the escape character before hex escaping.
        zpl.ShouldContain("^FDAL-_5EXZ_7EJA_5F_5F1^FS");

        // Every ^FD…^FS decodes back (hex, then UTF-8) to the text that was asked for.
        var decoded = FieldData().Matches(zpl).Select(m => Unescape(m.Groups[1].Value)).ToList();
        decoded.ShouldContain("P^FS~DG_é");
        decoded.ShouldContain("AL-^XZ~JA__1");
        decoded.ShouldContain("Plasma µl ✓");
    }

    [Fact]
    public void Shipment_label_draws_the_marks_and_prints_dry_ice_only_when_present()
    {
        var with = Render("shipment-package", [Rows.Shipment("SHP-1", "5.0")]);
        var without = Render("shipment-package", [Rows.Shipment("SHP-2", "")]);

        with.ShouldContain("^FDUN3373^FS");
        with.ShouldContain("^FDUN1845^FS");
        with.ShouldContain("^FDDry Ice^FS");
        with.ShouldContain("^FDNet 5.0 kg^FS");
        Count(with, "^GD").ShouldBe(12);     // UN3373 diamond (4 sides) and the class 9 label's two outlines
        without.ShouldContain("^FDUN3373^FS");
        without.ShouldNotContain("UN1845");
        Count(without, "^GD").ShouldBe(4);
        with.ShouldContain("^BCN,");
    }

    [Fact]
    public void Sheet_template_prints_single_labels()
    {
        var zpl = Render("sheet-a4-cryovial", Rows.AliquotCodes(3, 9).Select(Rows.Cryovial));

        Count(zpl, "^XA").ShouldBe(3);
        zpl.ShouldContain("^PW200\n");
    }

    [Fact]
    public void Missing_field_names_the_label_and_field_and_earlier_labels_are_already_written()
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var rows = Rows.AliquotCodes(3, 1).Select(Rows.Cryovial).ToList();
        rows[1].Remove("date");
        using var output = new MemoryStream();

        var error = Should.Throw<LabelDataException>(() => new ZplLabelRenderer().Render(template, rows, output));

        (error.LabelNumber, error.Field).ShouldBe((2, "date"));
    }

    [Fact]
    public void Non_ascii_barcode_value_is_refused_for_zpl_naming_label_and_field()
    {
        // Data Matrix itself takes Latin-1 (the PDF prints it); the ZPL path does not.
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, "cryovial-2d");
        var rows = new[] { Rows.Cryovial("AL-1"), Rows.Cryovial("AL-É2") };

        new PdfLabelRenderer().Render(template, rows, Stream.Null).ShouldBe(2);
        var error = Should.Throw<LabelDataException>(() => new ZplLabelRenderer().Render(template, rows, Stream.Null));

        (error.LabelNumber, error.Field).ShouldBe((2, "barcode"));
        error.Message.ShouldContain("outside ASCII");
    }

    [Fact]
    public void Only_real_printer_resolutions_are_accepted()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ZplLabelRenderer(150));
    }

    private static string Render(string name, IEnumerable<IReadOnlyDictionary<string, string>> rows, int dpi = 203)
    {
        var template = LabelTemplate.LoadByName(Repository.LabelsFolder, name);
        using var output = new MemoryStream();
        new ZplLabelRenderer(dpi).Render(template, rows, output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static int Count(string text, string what) => Regex.Count(text, Regex.Escape(what));

    private static string Unescape(string field)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '_')
            {
                bytes.Add(byte.Parse(field.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.Add((byte)field[i]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex(@"\^FH_\^FD(.*?)\^FS")]
    private static partial Regex FieldData();
}
