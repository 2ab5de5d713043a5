using ZXing.Common;

namespace Biobank.Labels.Barcodes;

/// <summary>
/// Encodes text into ZXing.Net's matrix of modules, as ZXing.Net's writers do:
/// <paramref name="width"/> and <paramref name="height"/> are the minimum size in pixels (0 means
/// "one pixel per module"); the symbol is scaled by the largest whole factor that fits and centred.
/// </summary>
public interface IBarcodeWriter
{
    BitMatrix Encode(string contents, BarcodeFormat format, int width, int height, EncodeOptions? options = null);
}
