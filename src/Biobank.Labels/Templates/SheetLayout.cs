namespace Biobank.Labels.Templates;

/// <summary>Many labels on one page (e.g. an A4 sheet of cryovial labels), filled row by row.</summary>
public sealed record SheetLayout(
    double PageWidthMm,
    double PageHeightMm,
    int Rows,
    int Columns,
    double MarginLeftMm,
    double MarginTopMm,
    double GapXMm,
    double GapYMm)
{
    public int LabelsPerPage => Rows * Columns;

    /// <summary>Top-left corner of the label at <paramref name="slot"/> (0-based on its page).</summary>
    public (double X, double Y) Origin(int slot, double labelWidthMm, double labelHeightMm) =>
        (MarginLeftMm + slot % Columns * (labelWidthMm + GapXMm), MarginTopMm + slot / Columns * (labelHeightMm + GapYMm));
}
