using SkiaSharp;
using ZXing.Common;

namespace Biobank.Labels.Tests.Support;

/// <summary>PNG files in and out through SkiaSharp, for handing symbols to decoders and reading previews back.</summary>
public static class Png
{
    /// <summary>Each cell as <paramref name="scale"/>×<paramref name="scale"/> pixels, dark cells black, as an 8-bit grey PNG.</summary>
    public static byte[] Of(BitMatrix matrix, int scale = 1)
    {
        var info = new SKImageInfo(matrix.Width * scale, matrix.Height * scale, SKColorType.Gray8, SKAlphaType.Opaque);
        var pixels = new byte[info.Width * info.Height];
        for (var y = 0; y < info.Height; y++)
        {
            for (var x = 0; x < info.Width; x++)
            {
                pixels[y * info.Width + x] = matrix[x / scale, y / scale] ? (byte)0 : (byte)255;
            }
        }

        using var image = SKImage.FromPixelCopy(info, pixels, info.Width);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The grey levels of a PNG (0 black … 255 white), row by row.</summary>
    public static (byte[] Pixels, int Width, int Height) Grey(byte[] png)
    {
        using var decoded = SKBitmap.Decode(png) ?? throw new InvalidDataException("SkiaSharp cannot decode this PNG.");
        using var grey = decoded.Copy(SKColorType.Gray8) ?? throw new InvalidDataException("SkiaSharp cannot convert this PNG to grey.");
        var pixels = new byte[grey.Width * grey.Height];
        var span = grey.GetPixelSpan();
        for (var y = 0; y < grey.Height; y++)
        {
            span.Slice(y * grey.RowBytes, grey.Width).CopyTo(pixels.AsSpan(y * grey.Width));
        }

        return (pixels, grey.Width, grey.Height);
    }
}
