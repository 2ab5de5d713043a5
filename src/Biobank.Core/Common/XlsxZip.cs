using System.IO.Compression;

namespace Biobank.Core.Common;

/// <summary>Limits that keep a hostile spreadsheet from exhausting memory or disk before a single row is read.</summary>
public sealed record XlsxLimits(long MaxEntryBytes = 1L << 30, long MaxTotalBytes = 2L << 30, double MaxRatio = 200, int MaxEntries = 1000)
{
    public static readonly XlsxLimits Default = new();
}

/// <summary>
/// The one zip-bomb check for every XLSX that comes in (registry, doses, assay results): judged from the sizes in
/// the zip directory before any reader inflates a part. System.IO.Compression also stops reading an entry at its
/// declared size, so a part cannot lie its way past these numbers.
/// </summary>
public static class XlsxZip
{
    public const string BombReason = "refused as a zip bomb";

    /// <summary>Why this workbook is refused (and the part to blame, if one is), or null when its sizes are plausible.</summary>
    public static (string Reason, string Part)? Refusal(ZipArchive zip, XlsxLimits limits)
    {
        if (zip.Entries.Count > limits.MaxEntries)
        {
            return ($"the XLSX holds {zip.Entries.Count:N0} parts; more than {limits.MaxEntries:N0} is not an export of a table", "");
        }
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            total += entry.Length;
            var ratio = entry.CompressedLength == 0 ? (entry.Length == 0 ? 1 : double.PositiveInfinity) : (double)entry.Length / entry.CompressedLength;
            // Small parts may compress as well as they like: only a part over 1 MiB is judged by its ratio.
            if (entry.Length > limits.MaxEntryBytes || (entry.Length > (1 << 20) && ratio > limits.MaxRatio))
            {
                return ($"{BombReason}: this part expands to {entry.Length:N0} bytes from {entry.CompressedLength:N0} (ratio {ratio:N0}; limits {limits.MaxEntryBytes:N0} bytes, ratio {limits.MaxRatio:N0})",
                    entry.FullName);
            }
        }
        return total > limits.MaxTotalBytes ? ($"{BombReason}: the XLSX expands to {total:N0} bytes (limit {limits.MaxTotalBytes:N0})", "") : null;
    }

    /// <summary>
    /// The same check on a seekable stream, left at its start: the refusal's text, or null. A broken zip is not judged
    /// here: the reader that opens it next explains that in its own words.
    /// </summary>
    public static string? Refusal(Stream file, XlsxLimits limits)
    {
        file.Position = 0;
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            return Refusal(zip, limits)?.Reason;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        finally
        {
            file.Position = 0;
        }
    }
}
