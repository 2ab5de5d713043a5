using Biobank.Labels.Barcodes;

namespace Biobank.Labels.Templates;

public enum TextOverflow
{
    /// <summary>Cut the text and end it with "…".</summary>
    Truncate,

    /// <summary>Reduce the font size until the text fits (not below the element's minimum).</summary>
    Shrink,

    /// <summary>Break at spaces onto further lines (up to the element's maximum number of lines).</summary>
    Wrap,
}

public enum TextAlign
{
    Left,
    Center,
    Right,
}

/// <summary>Shows an element only when a field is non-empty (or, with <see cref="WhenEmpty"/>, only when it is empty).</summary>
public sealed record ElementCondition(string Field, bool WhenEmpty)
{
    public bool IsMet(IReadOnlyDictionary<string, string> row, int labelNumber) =>
        string.IsNullOrWhiteSpace(FieldText.Lookup(row, Field, labelNumber)) == WhenEmpty;
}

/// <summary>One thing drawn on a label. Positions and sizes are in millimetres from the label's top-left corner.</summary>
public abstract record LabelElement
{
    /// <summary>0-based position in the template's "elements" array, for messages.</summary>
    public required int Index { get; init; }

    public ElementCondition? Condition { get; init; }

    public virtual IEnumerable<string> Fields => Condition is null ? [] : [Condition.Field];
}

/// <summary>A Code 128 or Data Matrix symbol; <see cref="X"/>, <see cref="Y"/> is the symbol's top-left corner (quiet zone outside it).</summary>
public sealed record BarcodeElement : LabelElement
{
    public required BarcodeFormat Symbology { get; init; }

    public required double X { get; init; }

    public required double Y { get; init; }

    public required double ModuleMm { get; init; }

    public required FieldText Data { get; init; }

    /// <summary>Bar height for Code 128.</summary>
    public double HeightMm { get; init; } = 10;

    public DataMatrixShape Shape { get; init; } = DataMatrixShape.Square;

    public DataMatrixSize? Size { get; init; }

    /// <summary>Refuse a label whose symbol would be wider than this (so it never runs into other elements).</summary>
    public double? MaxWidthMm { get; init; }

    public double? MaxHeightMm { get; init; }

    public override IEnumerable<string> Fields => base.Fields.Concat(Data.Fields);
}

/// <summary>Text; <see cref="Y"/> is the top of the first line, <see cref="X"/> its left edge, centre or right edge by <see cref="Align"/>.</summary>
public sealed record TextElement : LabelElement
{
    public required FieldText Text { get; init; }

    public required double X { get; init; }

    public required double Y { get; init; }

    public double FontSizePt { get; init; } = 8;

    public bool Bold { get; init; }

    public double? MaxWidthMm { get; init; }

    public TextOverflow Overflow { get; init; } = TextOverflow.Truncate;

    public TextAlign Align { get; init; } = TextAlign.Left;

    /// <summary>Lines allowed when wrapping; the last one is truncated with "…".</summary>
    public int MaxLines { get; init; } = 3;

    /// <summary>The smallest size <see cref="TextOverflow.Shrink"/> may use; below it the text is truncated.</summary>
    public double MinFontSizePt { get; init; } = 4;

    /// <summary>Line height as a multiple of the font size.</summary>
    public double LineSpacing { get; init; } = 1.15;

    public override IEnumerable<string> Fields => base.Fields.Concat(Text.Fields);
}

public sealed record LineElement : LabelElement
{
    public required double X1 { get; init; }

    public required double Y1 { get; init; }

    public required double X2 { get; init; }

    public required double Y2 { get; init; }

    public double ThicknessMm { get; init; } = 0.3;
}

public sealed record RectElement : LabelElement
{
    public required double X { get; init; }

    public required double Y { get; init; }

    public required double WidthMm { get; init; }

    public required double HeightMm { get; init; }

    public double ThicknessMm { get; init; } = 0.3;

    public bool Fill { get; init; }
}

/// <summary>
/// The UN3373 mark: a square set on a corner, <see cref="SideMm"/> long, with "UN3373" inside.
/// <see cref="X"/>, <see cref="Y"/> is the top-left of the diamond's bounding box (side × √2).
/// </summary>
public sealed record Un3373Element : LabelElement
{
    /// <summary>IATA packing instruction 650: each side at least 50 mm.</summary>
    public const double MinimumSideMm = 50;

    public required double X { get; init; }

    public required double Y { get; init; }

    public required double SideMm { get; init; }

    public double BoundingMm => SideMm * Math.Sqrt(2);
}

/// <summary>The class 9 hazard label (miscellaneous, e.g. dry ice): a diamond with seven vertical stripes in the upper half and "9" at the bottom.</summary>
public sealed record Class9Element : LabelElement
{
    public required double X { get; init; }

    public required double Y { get; init; }

    public required double SideMm { get; init; }

    public double BoundingMm => SideMm * Math.Sqrt(2);
}
