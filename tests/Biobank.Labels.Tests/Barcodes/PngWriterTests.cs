using System.Buffers.Binary;
using System.IO.Compression;
using Biobank.Labels.Barcodes;

namespace Biobank.Labels.Tests.Barcodes;

public sealed class PngWriterTests
{
    [Fact]
    public void Writes_a_greyscale_png_that_inflates_back_to_the_pixels()
    {
        var matrix = new BitMatrix(3, 2);
        matrix[0, 0] = true;
        matrix[2, 1] = true;

        var png = PngWriter.ToBytes(matrix, scale: 2);

        png.AsSpan(0, 8).ToArray().ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).ShouldBe(6);
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).ShouldBe(4);
        png[24].ShouldBe((byte)8);
        png[25].ShouldBe((byte)0);

        var idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        using var inflater = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress);
        using var pixels = new MemoryStream();
        inflater.CopyTo(pixels);
        pixels.ToArray().ShouldBe(new byte[]
        {
            0, 0, 0, 255, 255, 255, 255,
            0, 0, 0, 255, 255, 255, 255,
            0, 255, 255, 255, 255, 0, 0,
            0, 255, 255, 255, 255, 0, 0,
        });
    }

    [Fact]
    public void Chunk_crc_is_the_png_crc32()
    {
        var png = PngWriter.ToBytes(new BitMatrix(1, 1));

        // IHDR CRC over "IHDR" + 13 data bytes, checked against System.IO.Hashing's algorithm by hand: the IEND chunk is constant.
        png.AsSpan(png.Length - 12).ToArray().ShouldBe(new byte[] { 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82 });
    }
}
