namespace Biobank.Labels.Barcodes;

/// <summary>The one <see cref="IBarcodeWriter"/>: dispatches to the Code 128 and Data Matrix encoders.</summary>
public sealed class BarcodeWriter : IBarcodeWriter
{
    public BitMatrix Encode(string contents, BarcodeFormat format, int width, int height, EncodeOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        options ??= new EncodeOptions();
        return format switch
        {
            BarcodeFormat.Code128 => Linear(Code128Encoder.EncodeModules(contents), options.QuietZoneModules ?? Code128Encoder.DefaultQuietZone, width, height),
            BarcodeFormat.DataMatrix => Matrix(
                DataMatrixEncoder.Encode(contents, options.Shape, options.Size).Modules,
                options.QuietZoneModules ?? DataMatrixEncoder.DefaultQuietZone,
                width,
                height),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown barcode format."),
        };
    }

    /// <summary>The symbol's modules without quiet zone (one row for a linear code).</summary>
    public static BitMatrix EncodeModules(string contents, BarcodeFormat format, EncodeOptions? options = null)
    {
        options ??= new EncodeOptions();
        if (format == BarcodeFormat.DataMatrix)
        {
            return DataMatrixEncoder.Encode(contents, options.Shape, options.Size).Modules;
        }

        var modules = Code128Encoder.EncodeModules(contents);
        var row = new BitMatrix(modules.Length, 1);
        for (var x = 0; x < modules.Length; x++)
        {
            row[x, 0] = modules[x];
        }

        return row;
    }

    private static BitMatrix Linear(bool[] modules, int quietZone, int width, int height)
    {
        var full = modules.Length + 2 * quietZone;
        var scale = Math.Max(1, width / full);
        var outWidth = Math.Max(width, full * scale);
        var outHeight = Math.Max(1, height);
        var left = (outWidth - full * scale) / 2 + quietZone * scale;
        var result = new BitMatrix(outWidth, outHeight);
        for (var x = 0; x < modules.Length; x++)
        {
            if (modules[x])
            {
                result.SetRegion(left + x * scale, 0, scale, outHeight);
            }
        }

        return result;
    }

    private static BitMatrix Matrix(BitMatrix modules, int quietZone, int width, int height)
    {
        var fullWidth = modules.Width + 2 * quietZone;
        var fullHeight = modules.Height + 2 * quietZone;
        var scale = Math.Max(1, Math.Min(width / fullWidth, height / fullHeight));
        var outWidth = Math.Max(width, fullWidth * scale);
        var outHeight = Math.Max(height, fullHeight * scale);
        var left = (outWidth - fullWidth * scale) / 2 + quietZone * scale;
        var top = (outHeight - fullHeight * scale) / 2 + quietZone * scale;
        var result = new BitMatrix(outWidth, outHeight);
        for (var y = 0; y < modules.Height; y++)
        {
            for (var x = 0; x < modules.Width; x++)
            {
                if (modules[x, y])
                {
                    result.SetRegion(left + x * scale, top + y * scale, scale, scale);
                }
            }
        }

        return result;
    }
}
