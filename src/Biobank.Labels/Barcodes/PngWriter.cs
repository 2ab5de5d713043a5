using System.Buffers.Binary;
using System.IO.Compression;

namespace Biobank.Labels.Barcodes;

/// <summary>
/// A minimal PNG encoder (8-bit greyscale, no interlace): enough for barcode previews in the
/// web UI and for handing symbols to an independent decoder in the tests.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes <paramref name="matrix"/> with each cell as <paramref name="scale"/>×<paramref name="scale"/> pixels, dark cells black.</summary>
    public static void Write(BitMatrix matrix, Stream output, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        var width = matrix.Width * scale;
        var height = matrix.Height * scale;
        WriteGrey(width, height, output, (y, row) =>
        {
            var my = y / scale;
            for (var x = 0; x < width; x++)
            {
                row[x] = matrix[x / scale, my] ? (byte)0 : (byte)255;
            }
        });
    }

    /// <summary>Writes a greyscale image whose rows are produced by <paramref name="fillRow"/> (0 black … 255 white).</summary>
    public static void WriteGrey(int width, int height, Stream output, Action<int, byte[]> fillRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 0;  // colour type: greyscale
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering (we always use filter 0)
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[width];
            for (var y = 0; y < height; y++)
            {
                fillRow(y, row);
                zlib.WriteByte(0); // filter type None
                zlib.Write(row);
            }
        }

        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, []);
    }

    public static byte[] ToBytes(BitMatrix matrix, int scale = 1)
    {
        using var stream = new MemoryStream();
        Write(matrix, stream, scale);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        output.Write(type);
        output.Write(data);
        var crc = Crc(0xFFFFFFFFu, type);
        crc = Crc(crc, data) ^ 0xFFFFFFFFu;
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
