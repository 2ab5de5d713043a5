using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Biobank.Labels.Barcodes;

namespace Biobank.Labels.Templates;

/// <summary>
/// A label design read from a JSON file in <c>labels/</c> (the schema is in docs/labels.md).
/// Loading checks everything that can be checked without data and reports each problem with the
/// element index and property name, so an administrator can fix a template without reading code.
/// </summary>
public sealed partial class LabelTemplate
{
    private LabelTemplate(string name, string? description, double widthMm, double heightMm, SheetLayout? sheet, IReadOnlyList<LabelElement> elements)
    {
        Name = name;
        Description = description;
        WidthMm = widthMm;
        HeightMm = heightMm;
        Sheet = sheet;
        Elements = elements;
        Fields = [.. elements.SelectMany(e => e.Fields).Distinct()];
    }

    public string Name { get; }

    public string? Description { get; }

    public double WidthMm { get; }

    public double HeightMm { get; }

    /// <summary>Null for one label per page; set for sheets of labels.</summary>
    public SheetLayout? Sheet { get; }

    public IReadOnlyList<LabelElement> Elements { get; }

    /// <summary>Every field a data row must have (possibly empty) to print this template, in order of first use.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>The fields a template needs — the list the web app and CLI show before printing.</summary>
    public IReadOnlyList<string> RequiredFields() => Fields;

    /// <summary>Loads <c>{folder}/{name}.json</c>.</summary>
    public static LabelTemplate LoadByName(string folder, string name)
    {
        if (!TemplateName().IsMatch(name))
        {
            throw new LabelTemplateException(name, [$"'{name}' is not a template name: use lower-case letters, digits and hyphens."]);
        }

        var path = Path.Combine(folder, name + ".json");
        if (!File.Exists(path))
        {
            var known = Directory.Exists(folder)
                ? string.Join(", ", Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order())
                : "(the folder does not exist)";
            throw new LabelTemplateException(name, [$"there is no template '{name}' in {folder}; available: {known}"]);
        }

        return Load(path);
    }

    /// <summary>Names of the templates in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> List(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Where(n => TemplateName().IsMatch(n)).Order()]
            : [];

    public static LabelTemplate Load(string path) =>
        Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));

    /// <summary>Parses and validates template JSON; <paramref name="fallbackName"/> is used when the JSON has no "name".</summary>
    public static LabelTemplate Parse(string json, string fallbackName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new LabelTemplateException(fallbackName, [$"the file is not valid JSON: {e.Message}"]);
        }

        using (document)
        {
            var reader = new Reader();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LabelTemplateException(fallbackName, ["the file must hold one JSON object"]);
            }

            var name = reader.OptionalString(root, "", "name") ?? fallbackName;
            var description = reader.OptionalString(root, "", "description");
            var width = reader.Number(root, "", "widthMm", min: 5, max: 1000);
            var height = reader.Number(root, "", "heightMm", min: 5, max: 1000);
            var sheet = root.TryGetProperty("sheet", out var sheetJson) ? ReadSheet(reader, sheetJson, width, height) : null;
            reader.Unknown(root, "", ["name", "description", "widthMm", "heightMm", "sheet", "elements"]);

            var elements = new List<LabelElement>();
            if (!root.TryGetProperty("elements", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                reader.Problem("", "elements", "is required: a list of the things to draw");
            }
            else
            {
                var index = 0;
                foreach (var item in array.EnumerateArray())
                {
                    var element = ReadElement(reader, item, index, width, height);
                    if (element is not null)
                    {
                        elements.Add(element);
                    }

                    index++;
                }
            }

            if (reader.Problems.Count > 0)
            {
                throw new LabelTemplateException(name, reader.Problems);
            }

            return new LabelTemplate(name, description, width, height, sheet, elements);
        }
    }

    private static SheetLayout? ReadSheet(Reader reader, JsonElement json, double width, double height)
    {
        const string at = "sheet";
        if (json.ValueKind != JsonValueKind.Object)
        {
            reader.Problem("", at, "must be an object");
            return null;
        }

        var sheet = new SheetLayout(
            reader.Number(json, at, "pageWidthMm", 20, 2000, 210),
            reader.Number(json, at, "pageHeightMm", 20, 2000, 297),
            (int)reader.Number(json, at, "rows", 1, 500, integer: true),
            (int)reader.Number(json, at, "columns", 1, 500, integer: true),
            reader.Number(json, at, "marginLeftMm", 0, 500, 0),
            reader.Number(json, at, "marginTopMm", 0, 500, 0),
            reader.Number(json, at, "gapXMm", 0, 500, 0),
            reader.Number(json, at, "gapYMm", 0, 500, 0));
        reader.Unknown(json, at, ["pageWidthMm", "pageHeightMm", "rows", "columns", "marginLeftMm", "marginTopMm", "gapXMm", "gapYMm"]);

        var usedWidth = sheet.MarginLeftMm + sheet.Columns * width + (sheet.Columns - 1) * sheet.GapXMm;
        var usedHeight = sheet.MarginTopMm + sheet.Rows * height + (sheet.Rows - 1) * sheet.GapYMm;
        if (sheet.Columns > 0 && usedWidth > sheet.PageWidthMm + 0.01)
        {
            reader.Problem(at, "columns", $"{sheet.Columns} labels of {width} mm with the margin and gaps need {usedWidth:0.##} mm, but the page is {sheet.PageWidthMm} mm wide");
        }

        if (sheet.Rows > 0 && usedHeight > sheet.PageHeightMm + 0.01)
        {
            reader.Problem(at, "rows", $"{sheet.Rows} labels of {height} mm with the margin and gaps need {usedHeight:0.##} mm, but the page is {sheet.PageHeightMm} mm high");
        }

        return sheet;
    }

    private static LabelElement? ReadElement(Reader reader, JsonElement json, int index, double width, double height)
    {
        var at = $"elements[{index}]";
        if (json.ValueKind != JsonValueKind.Object)
        {
            reader.Problem("", at, "must be an object with a \"type\"");
            return null;
        }

        var type = reader.OptionalString(json, at, "type");
        var condition = ReadCondition(reader, json, at);
        string[] common = ["type", "condition"];
        switch (type)
        {
            case "barcode":
            {
                var symbology = reader.Choice(json, at, "symbology", ["code128", "datamatrix"], null);
                var shape = reader.Choice(json, at, "shape", ["square", "rectangle", "any"], "square");
                DataMatrixSize? size = null;
                var sizeText = reader.OptionalString(json, at, "size");
                if (sizeText is not null && !DataMatrixSize.TryParse(sizeText, out size))
                {
                    reader.Problem(at, "size", $"'{sizeText}' is not a Data Matrix ECC 200 size (10x10 … 144x144, 8x18 … 16x48)");
                }

                var element = new BarcodeElement
                {
                    Index = index,
                    Condition = condition,
                    Symbology = symbology == "code128" ? BarcodeFormat.Code128 : BarcodeFormat.DataMatrix,
                    X = reader.Number(json, at, "x", 0, width),
                    Y = reader.Number(json, at, "y", 0, height),
                    ModuleMm = reader.Number(json, at, "moduleMm", 0.1, 5),
                    Data = reader.Field(json, at, "data"),
                    HeightMm = reader.Number(json, at, "heightMm", 1, height, 10),
                    Shape = shape switch { "rectangle" => DataMatrixShape.Rectangle, "any" => DataMatrixShape.Any, _ => DataMatrixShape.Square },
                    Size = size,
                    MaxWidthMm = reader.OptionalNumber(json, at, "maxWidthMm", 1, width),
                    MaxHeightMm = reader.OptionalNumber(json, at, "maxHeightMm", 1, height),
                };
                reader.Unknown(json, at, [.. common, "symbology", "x", "y", "moduleMm", "data", "heightMm", "shape", "size", "maxWidthMm", "maxHeightMm"]);
                if (element.Symbology == BarcodeFormat.DataMatrix && element.ModuleMm < 0.25)
                {
                    reader.Problem(at, "moduleMm", $"{element.ModuleMm} mm is too small to scan reliably on a cryovial; use at least 0.25 mm");
                }

                return element;
            }

            case "text":
            {
                var overflow = reader.Choice(json, at, "overflow", ["truncate", "shrink", "wrap"], "truncate");
                var align = reader.Choice(json, at, "align", ["left", "center", "right"], "left");
                var element = new TextElement
                {
                    Index = index,
                    Condition = condition,
                    Text = reader.Field(json, at, "text"),
                    X = reader.Number(json, at, "x", 0, width),
                    Y = reader.Number(json, at, "y", 0, height),
                    FontSizePt = reader.Number(json, at, "fontSizePt", 2, 200, 8),
                    Bold = reader.Boolean(json, at, "bold"),
                    MaxWidthMm = reader.OptionalNumber(json, at, "maxWidthMm", 1, width),
                    Overflow = Enum.Parse<TextOverflow>(overflow ?? "truncate", ignoreCase: true),
                    Align = Enum.Parse<TextAlign>(align ?? "left", ignoreCase: true),
                    MaxLines = (int)reader.Number(json, at, "maxLines", 1, 50, 3, integer: true),
                    MinFontSizePt = reader.Number(json, at, "minFontSizePt", 2, 200, 4),
                    LineSpacing = reader.Number(json, at, "lineSpacing", 0.8, 3, 1.15),
                };
                reader.Unknown(json, at, [.. common, "text", "x", "y", "fontSizePt", "bold", "maxWidthMm", "overflow", "align", "maxLines", "minFontSizePt", "lineSpacing"]);
                if (element.Overflow != TextOverflow.Truncate && element.MaxWidthMm is null && json.TryGetProperty("overflow", out _))
                {
                    reader.Problem(at, "maxWidthMm", $"is needed for overflow '{overflow}'");
                }

                return element;
            }

            case "line":
            {
                var element = new LineElement
                {
                    Index = index,
                    Condition = condition,
                    X1 = reader.Number(json, at, "x1", 0, width),
                    Y1 = reader.Number(json, at, "y1", 0, height),
                    X2 = reader.Number(json, at, "x2", 0, width),
                    Y2 = reader.Number(json, at, "y2", 0, height),
                    ThicknessMm = reader.Number(json, at, "thicknessMm", 0.05, 20, 0.3),
                };
                reader.Unknown(json, at, [.. common, "x1", "y1", "x2", "y2", "thicknessMm"]);
                return element;
            }

            case "rect":
            {
                var element = new RectElement
                {
                    Index = index,
                    Condition = condition,
                    X = reader.Number(json, at, "x", 0, width),
                    Y = reader.Number(json, at, "y", 0, height),
                    WidthMm = reader.Number(json, at, "widthMm", 0.1, width),
                    HeightMm = reader.Number(json, at, "heightMm", 0.1, height),
                    ThicknessMm = reader.Number(json, at, "thicknessMm", 0.05, 20, 0.3),
                    Fill = reader.Boolean(json, at, "fill"),
                };
                reader.Unknown(json, at, [.. common, "x", "y", "widthMm", "heightMm", "thicknessMm", "fill"]);
                reader.Inside(at, "widthMm", element.X + element.WidthMm, width);
                reader.Inside(at, "heightMm", element.Y + element.HeightMm, height);
                return element;
            }

            case "un3373":
            {
                var element = new Un3373Element
                {
                    Index = index,
                    Condition = condition,
                    X = reader.Number(json, at, "x", 0, width),
                    Y = reader.Number(json, at, "y", 0, height),
                    SideMm = reader.Number(json, at, "sideMm", 10, 500),
                };
                reader.Unknown(json, at, [.. common, "x", "y", "sideMm"]);
                if (element.SideMm < Un3373Element.MinimumSideMm)
                {
                    reader.Problem(at, "sideMm", $"{element.SideMm} mm is too small: the UN3373 mark must have sides of at least {Un3373Element.MinimumSideMm} mm (IATA packing instruction 650)");
                }

                reader.Inside(at, "sideMm", element.X + element.BoundingMm, width, "the diamond (side × 1.414)");
                reader.Inside(at, "sideMm", element.Y + element.BoundingMm, height, "the diamond (side × 1.414)");
                return element;
            }

            case "class9":
            {
                var element = new Class9Element
                {
                    Index = index,
                    Condition = condition,
                    X = reader.Number(json, at, "x", 0, width),
                    Y = reader.Number(json, at, "y", 0, height),
                    SideMm = reader.Number(json, at, "sideMm", 10, 500),
                };
                reader.Unknown(json, at, [.. common, "x", "y", "sideMm"]);
                reader.Inside(at, "sideMm", element.X + element.BoundingMm, width, "the diamond (side × 1.414)");
                reader.Inside(at, "sideMm", element.Y + element.BoundingMm, height, "the diamond (side × 1.414)");
                return element;
            }

            case null:
                reader.Problem(at, "type", "is required: one of barcode, text, line, rect, un3373, class9");
                return null;

            default:
                reader.Problem(at, "type", $"'{type}' is not known: use barcode, text, line, rect, un3373 or class9");
                return null;
        }
    }

    private static ElementCondition? ReadCondition(Reader reader, JsonElement json, string at)
    {
        if (!json.TryGetProperty("condition", out var c))
        {
            return null;
        }

        var where = at + ".condition";
        if (c.ValueKind != JsonValueKind.Object)
        {
            reader.Problem(at, "condition", "must be an object such as { \"field\": \"dry_ice_kg\" } or { \"field\": \"x\", \"empty\": true }");
            return null;
        }

        var field = reader.OptionalString(c, where, "field");
        var empty = reader.Boolean(c, where, "empty");
        reader.Unknown(c, where, ["field", "empty"]);
        if (field is null || !FieldText.FieldName().IsMatch(field))
        {
            reader.Problem(where, "field", "is required: the name of the field to test");
            return null;
        }

        return new ElementCondition(field, empty);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex TemplateName();

    /// <summary>Reads properties and collects every problem instead of stopping at the first.</summary>
    private sealed class Reader
    {
        public List<string> Problems { get; } = [];

        public void Problem(string at, string property, string message) =>
            Problems.Add(at.Length == 0 ? $"{property}: {message}" : $"{at}.{property}: {message}");

        public string? OptionalString(JsonElement json, string at, string property)
        {
            if (!json.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Problem(at, property, "must be a string");
                return null;
            }

            return value.GetString();
        }

        public double Number(JsonElement json, string at, string property, double min, double max, double? fallback = null, bool integer = false)
        {
            if (!json.TryGetProperty(property, out var value))
            {
                if (fallback is null)
                {
                    Problem(at, property, "is required");
                }

                return fallback ?? 0;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
            {
                Problem(at, property, $"must be a number, not {Describe(value)}");
                return fallback ?? 0;
            }

            if (integer && number != Math.Floor(number))
            {
                Problem(at, property, $"must be a whole number, not {number.ToString(CultureInfo.InvariantCulture)}");
            }

            if (number < min || number > max)
            {
                Problem(at, property, $"{number.ToString(CultureInfo.InvariantCulture)} is out of range: allowed {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            }

            return number;
        }

        public double? OptionalNumber(JsonElement json, string at, string property, double min, double max) =>
            json.TryGetProperty(property, out _) ? Number(json, at, property, min, max) : null;

        public bool Boolean(JsonElement json, string at, string property)
        {
            if (!json.TryGetProperty(property, out var value))
            {
                return false;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Problem(at, property, $"must be true or false, not {Describe(value)}");
                return false;
            }

            return value.GetBoolean();
        }

        public string? Choice(JsonElement json, string at, string property, string[] allowed, string? fallback)
        {
            var value = OptionalString(json, at, property);
            if (value is null)
            {
                if (fallback is null && !json.TryGetProperty(property, out _))
                {
                    Problem(at, property, $"is required: one of {string.Join(", ", allowed)}");
                }

                return fallback;
            }

            var lower = value.ToLowerInvariant();
            if (!allowed.Contains(lower))
            {
                Problem(at, property, $"'{value}' is not allowed: use one of {string.Join(", ", allowed)}");
                return fallback;
            }

            return lower;
        }

        public FieldText Field(JsonElement json, string at, string property)
        {
            var source = OptionalString(json, at, property);
            if (source is null)
            {
                if (!json.TryGetProperty(property, out _))
                {
                    Problem(at, property, "is required: literal text and/or a {field} placeholder");
                }

                return FieldText.TryParse("", out _)!;
            }

            var parsed = FieldText.TryParse(source, out var error);
            if (parsed is null)
            {
                Problem(at, property, error!);
                return FieldText.TryParse("", out _)!;
            }

            return parsed;
        }

        public void Unknown(JsonElement json, string at, string[] known)
        {
            foreach (var property in json.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    Problem(at, property.Name, $"is not a known property here (known: {string.Join(", ", known)})");
                }
            }
        }

        public void Inside(string at, string property, double end, double limit, string what = "the element")
        {
            if (end > limit + 0.01)
            {
                Problem(at, property, $"{what} ends at {end.ToString("0.##", CultureInfo.InvariantCulture)} mm, outside the {limit.ToString(CultureInfo.InvariantCulture)} mm label");
            }
        }

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => $"the text \"{value.GetString()}\"",
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            JsonValueKind.Null => "null",
            _ => value.GetRawText(),
        };
    }
}
