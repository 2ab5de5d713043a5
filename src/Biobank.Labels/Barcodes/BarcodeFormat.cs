namespace Biobank.Labels.Barcodes;

public enum BarcodeFormat
{
    Code128,
    DataMatrix,
}
