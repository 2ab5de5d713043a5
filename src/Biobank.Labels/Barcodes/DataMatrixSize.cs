namespace Biobank.Labels.Barcodes;

/// <summary>
/// A Data Matrix ECC 200 symbol size a template may force (ISO/IEC 16022 table 7), with its data
/// capacity for the refusal messages. The rest of the table (regions, Reed–Solomon blocks) is ZXing.Net's.
/// </summary>
public sealed record DataMatrixSize(int Rows, int Columns, int DataCodewords)
{
    /// <summary>All 24 square and 6 rectangular sizes, smallest capacity first within each shape.</summary>
    public static IReadOnlyList<DataMatrixSize> All { get; } =
    [
        new(10, 10, 3), new(12, 12, 5), new(14, 14, 8), new(16, 16, 12), new(18, 18, 18), new(20, 20, 22),
        new(22, 22, 30), new(24, 24, 36), new(26, 26, 44), new(32, 32, 62), new(36, 36, 86), new(40, 40, 114),
        new(44, 44, 144), new(48, 48, 174), new(52, 52, 204), new(64, 64, 280), new(72, 72, 368), new(80, 80, 456),
        new(88, 88, 576), new(96, 96, 696), new(104, 104, 816), new(120, 120, 1050), new(132, 132, 1304), new(144, 144, 1558),
        new(8, 18, 5), new(8, 32, 10), new(12, 26, 16), new(12, 36, 22), new(16, 36, 32), new(16, 48, 49),
    ];

    public static DataMatrixSize Largest => All[23];

    public static DataMatrixSize LargestRectangle => All[^1];

    public bool IsSquare => Rows == Columns;

    public static DataMatrixSize? Find(int rows, int columns) =>
        All.FirstOrDefault(s => s.Rows == rows && s.Columns == columns);

    /// <summary>Finds a size by its "rows×columns" or "RxC" name, e.g. "16x16" or "8x18".</summary>
    public static bool TryParse(string text, out DataMatrixSize? size)
    {
        size = null;
        var parts = text.Trim().ToLowerInvariant().Replace('×', 'x').Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var rows) && int.TryParse(parts[1], out var columns))
        {
            size = Find(rows, columns);
        }

        return size is not null;
    }

    public override string ToString() => $"{Rows}x{Columns}";
}
