namespace Biobank.Labels.Barcodes;

public enum DataMatrixShape
{
    /// <summary>The smallest symbol that holds the data, square or rectangular.</summary>
    Any,
    Square,
    Rectangle,
}

/// <summary>Options for <see cref="IBarcodeWriter.Encode"/>; every property has a sensible default.</summary>
public sealed record EncodeOptions
{
    /// <summary>
    /// Light modules around the symbol. Null means the symbology's default:
    /// 10 for Code 128, 2 for Data Matrix (the standard asks for at least 1).
    /// </summary>
    public int? QuietZoneModules { get; init; }

    /// <summary>Data Matrix only: prefer square or rectangular symbols.</summary>
    public DataMatrixShape Shape { get; init; } = DataMatrixShape.Any;

    /// <summary>Data Matrix only: force this symbol size (e.g. 16×16 or 8×18); the data must fit in it.</summary>
    public DataMatrixSize? Size { get; init; }
}
