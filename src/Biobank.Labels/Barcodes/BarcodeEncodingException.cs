namespace Biobank.Labels.Barcodes;

/// <summary>The payload cannot be put into the requested symbol; the message says why in plain words.</summary>
public sealed class BarcodeEncodingException : Exception
{
    public BarcodeEncodingException(string message)
        : base(message)
    {
    }

    public BarcodeEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BarcodeEncodingException()
    {
    }
}
