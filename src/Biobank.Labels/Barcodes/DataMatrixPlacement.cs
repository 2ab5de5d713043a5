namespace Biobank.Labels.Barcodes;

/// <summary>
/// The module placement of ISO/IEC 16022 annex F: codewords laid out as 8-module "utah" shapes
/// along diagonals, with four special shapes at the corners and a fixed 2×2 pattern where
/// the mapping matrix leaves its bottom-right corner unused.
/// </summary>
internal sealed class DataMatrixPlacement
{
    private readonly int rows;
    private readonly int columns;
    private readonly byte[] codewords;
    private readonly bool[,] bits;
    private readonly bool[,] used;

    private DataMatrixPlacement(int rows, int columns, byte[] codewords)
    {
        this.rows = rows;
        this.columns = columns;
        this.codewords = codewords;
        bits = new bool[rows, columns];
        used = new bool[rows, columns];
    }

    /// <summary>The mapping matrix, [row, column], for <paramref name="codewords"/>.</summary>
    public static bool[,] Map(int rows, int columns, byte[] codewords)
    {
        var placement = new DataMatrixPlacement(rows, columns, codewords);
        placement.Run();
        return placement.bits;
    }

    private void Run()
    {
        var index = 0;
        var row = 4;
        var col = 0;
        do
        {
            if (row == rows && col == 0)
            {
                Corner1(index++);
            }

            if (row == rows - 2 && col == 0 && columns % 4 != 0)
            {
                Corner2(index++);
            }

            if (row == rows - 2 && col == 0 && columns % 8 == 4)
            {
                Corner3(index++);
            }

            if (row == rows + 4 && col == 2 && columns % 8 == 0)
            {
                Corner4(index++);
            }

            // Up and to the right.
            do
            {
                if (row < rows && col >= 0 && !used[row, col])
                {
                    Utah(row, col, index++);
                }

                row -= 2;
                col += 2;
            }
            while (row >= 0 && col < columns);

            row += 1;
            col += 3;

            // Down and to the left.
            do
            {
                if (row >= 0 && col < columns && !used[row, col])
                {
                    Utah(row, col, index++);
                }

                row += 2;
                col -= 2;
            }
            while (row < rows && col >= 0);

            row += 3;
            col += 1;
        }
        while (row < rows || col < columns);

        if (!used[rows - 1, columns - 1])
        {
            bits[rows - 1, columns - 1] = true;
            bits[rows - 2, columns - 2] = true;
            used[rows - 1, columns - 1] = used[rows - 2, columns - 2] = true;
            used[rows - 1, columns - 2] = used[rows - 2, columns - 1] = true;
        }

        if (index != codewords.Length)
        {
            throw new InvalidOperationException($"Placement used {index} codewords but the symbol has {codewords.Length}.");
        }
    }

    // bit 1 is the most significant bit of the codeword, bit 8 the least.
    private void Module(int row, int col, int index, int bit)
    {
        if (row < 0)
        {
            row += rows;
            col += 4 - ((rows + 4) % 8);
        }

        if (col < 0)
        {
            col += columns;
            row += 4 - ((columns + 4) % 8);
        }

        used[row, col] = true;
        bits[row, col] = (codewords[index] & (1 << (8 - bit))) != 0;
    }

    private void Utah(int row, int col, int index)
    {
        Module(row - 2, col - 2, index, 1);
        Module(row - 2, col - 1, index, 2);
        Module(row - 1, col - 2, index, 3);
        Module(row - 1, col - 1, index, 4);
        Module(row - 1, col, index, 5);
        Module(row, col - 2, index, 6);
        Module(row, col - 1, index, 7);
        Module(row, col, index, 8);
    }

    private void Corner1(int index)
    {
        Module(rows - 1, 0, index, 1);
        Module(rows - 1, 1, index, 2);
        Module(rows - 1, 2, index, 3);
        Module(0, columns - 2, index, 4);
        Module(0, columns - 1, index, 5);
        Module(1, columns - 1, index, 6);
        Module(2, columns - 1, index, 7);
        Module(3, columns - 1, index, 8);
    }

    private void Corner2(int index)
    {
        Module(rows - 3, 0, index, 1);
        Module(rows - 2, 0, index, 2);
        Module(rows - 1, 0, index, 3);
        Module(0, columns - 4, index, 4);
        Module(0, columns - 3, index, 5);
        Module(0, columns - 2, index, 6);
        Module(0, columns - 1, index, 7);
        Module(1, columns - 1, index, 8);
    }

    private void Corner3(int index)
    {
        Module(rows - 3, 0, index, 1);
        Module(rows - 2, 0, index, 2);
        Module(rows - 1, 0, index, 3);
        Module(0, columns - 2, index, 4);
        Module(0, columns - 1, index, 5);
        Module(1, columns - 1, index, 6);
        Module(2, columns - 1, index, 7);
        Module(3, columns - 1, index, 8);
    }

    private void Corner4(int index)
    {
        Module(rows - 1, 0, index, 1);
        Module(rows - 1, columns - 1, index, 2);
        Module(0, columns - 3, index, 3);
        Module(0, columns - 2, index, 4);
        Module(0, columns - 1, index, 5);
        Module(1, columns - 3, index, 6);
        Module(1, columns - 2, index, 7);
        Module(1, columns - 1, index, 8);
    }
}
