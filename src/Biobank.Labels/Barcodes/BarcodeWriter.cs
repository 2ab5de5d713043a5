using ZXing;
using ZXing.Common;
using ZXing.Datamatrix;
using ZXing.Datamatrix.Encoder;
using ZXing.OneD;
using ZXingFormat = ZXing.BarcodeFormat;

namespace Biobank.Labels.Barcodes;

/// <summary>
/// The one <see cref="IBarcodeWriter"/>: ZXing.Net's Code 128 and Data Matrix writers, behind checks that
/// refuse a payload they cannot encode in words a template author understands. ZXing.Net's own messages
/// name its internals ("Found empty contents"), and its Code 128 writer silently turns 'ñ'–'ô' into
/// function characters, so the checks run first.
/// </summary>
public sealed class BarcodeWriter : IBarcodeWriter
{
    /// <summary>Light modules either side of a Code 128 symbol (ISO/IEC 15417 asks for 10).</summary>
    public const int Code128QuietZone = 10;

    /// <summary>Light modules around a Data Matrix symbol (the standard asks for at least 1).</summary>
    public const int DataMatrixQuietZone = 2;

    private const int Code128MaxLength = 200;
    private const int DataMatrixMaxDigits = 3116;

    private static readonly EncodeOptions Defaults = new();

    public BitMatrix Encode(string contents, BarcodeFormat format, int width, int height, EncodeOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        options ??= Defaults;
        var quietZone = options.QuietZoneModules ?? (format == BarcodeFormat.Code128 ? Code128QuietZone : DataMatrixQuietZone);
        return Write(contents, format, width, format == BarcodeFormat.Code128 ? Math.Max(1, height) : height, options, quietZone);
    }

    /// <summary>The symbol's modules without quiet zone, one cell per module (one row for a linear code).</summary>
    public static BitMatrix EncodeModules(string contents, BarcodeFormat format, EncodeOptions? options = null) =>
        Write(contents, format, 0, format == BarcodeFormat.Code128 ? 1 : 0, options ?? Defaults, quietZone: 0);

    private static BitMatrix Write(string contents, BarcodeFormat format, int width, int height, EncodeOptions options, int quietZone)
    {
        Check(contents, format);
        try
        {
            // A writer per call: ZXing.Net's writers are cheap to make and not documented as thread-safe.
            return format switch
            {
                BarcodeFormat.Code128 => new Code128Writer().encode(contents, ZXingFormat.CODE_128, width, height, Code128Hints(quietZone)),
                BarcodeFormat.DataMatrix => new DataMatrixWriter().encode(contents, ZXingFormat.DATA_MATRIX, width, height, DataMatrixHints(options, quietZone)),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown barcode format."),
            };
        }
        catch (ArgumentException e) when (format == BarcodeFormat.DataMatrix && e is not ArgumentOutOfRangeException)
        {
            // Everything else was checked above: what is left is "no symbol arrangement matches the message".
            throw new BarcodeEncodingException(DoesNotFit(contents, options), e);
        }
    }

    // CODE128_COMPACT: ZXing.Net's shortest-path choice of code sets A, B and C, so a symbol is as narrow as
    // the standard allows (its default heuristic spends two switches where one Shift does).
    private static Dictionary<EncodeHintType, object> Code128Hints(int quietZone) => new()
    {
        [EncodeHintType.CODE128_COMPACT] = true,
        [EncodeHintType.MARGIN] = quietZone,
    };

    private static Dictionary<EncodeHintType, object> DataMatrixHints(EncodeOptions options, int quietZone)
    {
        var hints = new Dictionary<EncodeHintType, object> { [EncodeHintType.MARGIN] = quietZone };
        if (options.Size is { } size)
        {
            // A forced size may be either shape; ZXing.Net's Dimension is (columns, rows).
            hints[EncodeHintType.DATA_MATRIX_SHAPE] = SymbolShapeHint.FORCE_NONE;
            hints[EncodeHintType.MIN_SIZE] = new Dimension(size.Columns, size.Rows);
            hints[EncodeHintType.MAX_SIZE] = new Dimension(size.Columns, size.Rows);
        }
        else
        {
            hints[EncodeHintType.DATA_MATRIX_SHAPE] = options.Shape switch
            {
                DataMatrixShape.Square => SymbolShapeHint.FORCE_SQUARE,
                DataMatrixShape.Rectangle => SymbolShapeHint.FORCE_RECTANGLE,
                _ => SymbolShapeHint.FORCE_NONE,
            };
        }

        return hints;
    }

    private static void Check(string contents, BarcodeFormat format)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var name = format == BarcodeFormat.Code128 ? "Code 128" : "Data Matrix";
        if (contents.Length == 0)
        {
            throw new BarcodeEncodingException($"{name} cannot encode an empty text: there must be at least one character.");
        }

        if (format == BarcodeFormat.Code128 && contents.Length > Code128MaxLength)
        {
            throw new BarcodeEncodingException(
                $"Code 128 cannot hold {contents.Length:N0} characters: this writer stops at {Code128MaxLength} (a scanner needs far fewer, about 20–40).");
        }

        // Beyond this the text cannot fit even at 2 digits per codeword; stop before encoding it.
        if (format == BarcodeFormat.DataMatrix && contents.Length > DataMatrixMaxDigits)
        {
            throw new BarcodeEncodingException(
                $"Data Matrix cannot hold {contents.Length:N0} characters: the largest symbol (144×144) holds 3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters.");
        }

        var limit = format == BarcodeFormat.Code128 ? 127 : 255;
        for (var i = 0; i < contents.Length; i++)
        {
            if (contents[i] > limit)
            {
                throw new BarcodeEncodingException(format == BarcodeFormat.Code128
                    ? $"Code 128 cannot encode the character '{contents[i]}' (U+{(int)contents[i]:X4}) at position {i + 1}: only ASCII characters 0–127 are supported."
                    : $"Data Matrix cannot encode the character '{contents[i]}' (U+{(int)contents[i]:X4}) at position {i + 1}: only byte values 0–255 (ASCII and Latin-1) are supported.");
            }
        }
    }

    private static string DoesNotFit(string contents, EncodeOptions options)
    {
        if (options.Size is { } size)
        {
            return $"Data Matrix {size.Rows}×{size.Columns} holds {size.DataCodewords} data codewords, too few for these {contents.Length:N0} characters; choose a larger size or let the encoder choose.";
        }

        if (options.Shape == DataMatrixShape.Rectangle)
        {
            var rectangle = DataMatrixSize.LargestRectangle;
            return $"A rectangular Data Matrix cannot hold these {contents.Length:N0} characters: the largest rectangle ({rectangle.Rows}×{rectangle.Columns}) holds {rectangle.DataCodewords} data codewords; allow a square symbol.";
        }

        var largest = DataMatrixSize.Largest;
        return $"Data Matrix cannot hold {contents.Length:N0} characters: the largest symbol ({largest.Rows}×{largest.Columns}) holds {largest.DataCodewords:N0} data codewords " +
            "(3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters), too few for this text.";
    }
}
