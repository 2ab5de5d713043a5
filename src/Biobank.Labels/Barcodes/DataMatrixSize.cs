namespace Biobank.Labels.Barcodes;

/// <summary>
/// One ECC 200 symbol size with its attributes from ISO/IEC 16022 (table 7): the data regions,
/// the data and error-correction codewords, and how many Reed–Solomon blocks are interleaved.
/// </summary>
public sealed record DataMatrixSize(
    int Rows,
    int Columns,
    int RegionRows,
    int RegionColumns,
    int DataCodewords,
    int EccCodewords,
    int Blocks)
{
    /// <summary>All 24 square and 6 rectangular sizes, smallest capacity first within each shape.</summary>
    public static IReadOnlyList<DataMatrixSize> All { get; } =
    [
        new(10, 10, 8, 8, 3, 5, 1),
        new(12, 12, 10, 10, 5, 7, 1),
        new(14, 14, 12, 12, 8, 10, 1),
        new(16, 16, 14, 14, 12, 12, 1),
        new(18, 18, 16, 16, 18, 14, 1),
        new(20, 20, 18, 18, 22, 18, 1),
        new(22, 22, 20, 20, 30, 20, 1),
        new(24, 24, 22, 22, 36, 24, 1),
        new(26, 26, 24, 24, 44, 28, 1),
        new(32, 32, 14, 14, 62, 36, 1),
        new(36, 36, 16, 16, 86, 42, 1),
        new(40, 40, 18, 18, 114, 48, 1),
        new(44, 44, 20, 20, 144, 56, 1),
        new(48, 48, 22, 22, 174, 68, 1),
        new(52, 52, 24, 24, 204, 84, 2),
        new(64, 64, 14, 14, 280, 112, 2),
        new(72, 72, 16, 16, 368, 144, 4),
        new(80, 80, 18, 18, 456, 192, 4),
        new(88, 88, 20, 20, 576, 224, 4),
        new(96, 96, 22, 22, 696, 272, 4),
        new(104, 104, 24, 24, 816, 336, 6),
        new(120, 120, 18, 18, 1050, 408, 6),
        new(132, 132, 20, 20, 1304, 496, 8),
        new(144, 144, 22, 22, 1558, 620, 10),
        new(8, 18, 6, 16, 5, 7, 1),
        new(8, 32, 6, 14, 10, 11, 1),
        new(12, 26, 10, 24, 16, 14, 1),
        new(12, 36, 10, 16, 22, 18, 1),
        new(16, 36, 14, 16, 32, 24, 1),
        new(16, 48, 14, 22, 49, 28, 1),
    ];

    public static DataMatrixSize Largest => All[23];

    public bool IsSquare => Rows == Columns;

    /// <summary>Data regions stacked vertically.</summary>
    public int RegionsDown => Rows / (RegionRows + 2);

    /// <summary>Data regions side by side.</summary>
    public int RegionsAcross => Columns / (RegionColumns + 2);

    /// <summary>Rows of the mapping matrix: the symbol without its finder and alignment patterns.</summary>
    public int MappingRows => RegionsDown * RegionRows;

    public int MappingColumns => RegionsAcross * RegionColumns;

    /// <summary>Data codewords of interleaved block <paramref name="block"/> (0-based): 144×144 has 8 blocks of 156 and 2 of 155.</summary>
    public int DataCodewordsInBlock(int block) =>
        DataCodewords / Blocks + (block < DataCodewords % Blocks ? 1 : 0);

    public int EccCodewordsPerBlock => EccCodewords / Blocks;

    /// <summary>Finds a size by its "rows×columns" or "RxC" name, e.g. "16x16" or "8x18".</summary>
    public static DataMatrixSize? Find(int rows, int columns) =>
        All.FirstOrDefault(s => s.Rows == rows && s.Columns == columns);

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
