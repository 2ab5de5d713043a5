namespace Biobank.Labels.Barcodes;

/// <summary>
/// Data Matrix ECC 200 (ISO/IEC 16022): ASCII encodation (digit pairs, Upper Shift for bytes 128–255),
/// C40 and Text encodation where they are shorter, Reed–Solomon blocks interleaved as the standard
/// says, and the standard module placement.
/// </summary>
public static class DataMatrixEncoder
{
    public const int DefaultQuietZone = 2;

    /// <summary>Encodes <paramref name="contents"/> into the smallest fitting symbol (or the forced one).</summary>
    public static DataMatrixSymbol Encode(string contents, DataMatrixShape shape = DataMatrixShape.Any, DataMatrixSize? size = null)
    {
        var data = DataMatrixEncodation.Encode(contents);
        var chosen = size is not null ? CheckForced(contents, data, size) : Choose(contents, data, shape);
        var codewords = Finish(data, chosen);
        return new DataMatrixSymbol(chosen, Place(codewords, chosen), codewords);
    }

    /// <summary>Places ready-made data codewords (padded, with error correction) in a symbol of the given size.</summary>
    internal static DataMatrixSymbol EncodeCodewords(byte[] dataCodewords, DataMatrixSize size)
    {
        var codewords = Finish(new DataMatrixEncodation.Result(dataCodewords, false), size);
        return new DataMatrixSymbol(size, Place(codewords, size), codewords);
    }

    private static DataMatrixSize CheckForced(string contents, DataMatrixEncodation.Result data, DataMatrixSize size)
    {
        if (!data.FitsIn(size.DataCodewords))
        {
            throw new BarcodeEncodingException(
                $"Data Matrix {size.Rows}×{size.Columns} holds {size.DataCodewords} data codewords, but the {contents.Length:N0} characters need {data.MinimumCapacity}; choose a larger size or let the encoder choose.");
        }

        return size;
    }

    private static DataMatrixSize Choose(string contents, DataMatrixEncodation.Result data, DataMatrixShape shape)
    {
        DataMatrixSize? best = null;
        foreach (var candidate in DataMatrixSize.All)
        {
            if ((shape == DataMatrixShape.Square && !candidate.IsSquare) || (shape == DataMatrixShape.Rectangle && candidate.IsSquare))
            {
                continue;
            }

            if (data.FitsIn(candidate.DataCodewords) && (best is null || candidate.DataCodewords < best.DataCodewords
                || (candidate.DataCodewords == best.DataCodewords && candidate.Rows * candidate.Columns < best.Rows * best.Columns)))
            {
                best = candidate;
            }
        }

        if (best is not null)
        {
            return best;
        }

        if (shape == DataMatrixShape.Rectangle)
        {
            throw new BarcodeEncodingException(
                $"A rectangular Data Matrix cannot hold these {contents.Length:N0} characters: they need {data.MinimumCapacity} data codewords and the largest rectangle (16×48) holds 49; allow a square symbol.");
        }

        var largest = DataMatrixSize.Largest;
        throw new BarcodeEncodingException(
            $"Data Matrix cannot hold {contents.Length:N0} characters: the largest symbol (144×144) holds {largest.DataCodewords:N0} data codewords " +
            $"(3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters) and this text needs {data.MinimumCapacity:N0}.");
    }

    /// <summary>Pads the data to the symbol's capacity and appends the interleaved Reed–Solomon blocks.</summary>
    internal static byte[] Finish(DataMatrixEncodation.Result data, DataMatrixSize size)
    {
        var all = new byte[size.DataCodewords + size.EccCodewords];
        var stream = data.ForCapacity(size.DataCodewords);
        stream.CopyTo(all, 0);
        for (var i = stream.Length; i < size.DataCodewords; i++)
        {
            all[i] = i == stream.Length ? (byte)129 : RandomisedPad(i + 1);
        }

        var blocks = size.Blocks;
        var eccPerBlock = size.EccCodewordsPerBlock;
        for (var b = 0; b < blocks; b++)
        {
            // Block b takes every blocks-th codeword starting at b, and its check codewords go back the same way.
            var blockData = new byte[size.DataCodewordsInBlock(b)];
            for (int i = b, k = 0; i < size.DataCodewords; i += blocks, k++)
            {
                blockData[k] = all[i];
            }

            var ecc = ReedSolomon.Compute(blockData, eccPerBlock);
            for (var k = 0; k < eccPerBlock; k++)
            {
                all[size.DataCodewords + b + k * blocks] = ecc[k];
            }
        }

        return all;
    }

    // ISO/IEC 16022 5.2.3: pads after the first are scrambled by the 253-state algorithm.
    private static byte RandomisedPad(int position)
    {
        var pseudo = 149 * position % 253 + 1;
        var value = 129 + pseudo;
        return (byte)(value <= 254 ? value : value - 254);
    }

    private static BitMatrix Place(byte[] codewords, DataMatrixSize size)
    {
        var mapping = DataMatrixPlacement.Map(size.MappingRows, size.MappingColumns, codewords);
        var symbol = new BitMatrix(size.Columns, size.Rows);
        var regionHeight = size.RegionRows + 2;
        var regionWidth = size.RegionColumns + 2;

        for (var ry = 0; ry < size.RegionsDown; ry++)
        {
            for (var rx = 0; rx < size.RegionsAcross; rx++)
            {
                var top = ry * regionHeight;
                var left = rx * regionWidth;
                for (var i = 0; i < regionHeight; i++)
                {
                    symbol[left, top + i] = true;                                   // solid left edge
                    symbol[left + regionWidth - 1, top + i] = i % 2 == 1;           // alternating right edge
                }

                for (var i = 0; i < regionWidth; i++)
                {
                    symbol[left + i, top + regionHeight - 1] = true;                // solid bottom edge
                    symbol[left + i, top] = i % 2 == 0;                             // alternating top edge
                }
            }
        }

        for (var r = 0; r < size.MappingRows; r++)
        {
            for (var c = 0; c < size.MappingColumns; c++)
            {
                if (mapping[r, c])
                {
                    var y = r / size.RegionRows * regionHeight + 1 + r % size.RegionRows;
                    var x = c / size.RegionColumns * regionWidth + 1 + c % size.RegionColumns;
                    symbol[x, y] = true;
                }
            }
        }

        return symbol;
    }
}

/// <summary>An encoded Data Matrix: its size, its modules (no quiet zone) and the codewords placed in it.</summary>
public sealed record DataMatrixSymbol(DataMatrixSize Size, BitMatrix Modules, IReadOnlyList<byte> Codewords);
