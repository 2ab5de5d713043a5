using System.Globalization;
using System.Text.RegularExpressions;

namespace Biobank.Labels.Tests.Support;

/// <summary>poppler-utils, to look at rendered PDFs from outside: page sizes, text, fonts and pixels.</summary>
public static partial class Pdf
{
    public static (int Pages, double WidthPt, double HeightPt) Info(string pdf)
    {
        var (_, stdout, _) = ExternalTool.Run("pdfinfo", [pdf]);
        var pages = int.Parse(PagesLine().Match(stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        var size = SizeLine().Match(stdout);
        return (pages, double.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The text of the given page (1-based), or of all pages, with runs of whitespace made single spaces.</summary>
    public static string Text(string pdf, int? page = null)
    {
        string[] range = page is { } p ? ["-f", p.ToString(CultureInfo.InvariantCulture), "-l", p.ToString(CultureInfo.InvariantCulture)] : [];
        var (_, stdout, _) = ExternalTool.Run("pdftotext", [.. range, pdf, "-"]);
        return Whitespace().Replace(stdout, " ").Trim();
    }

    public static string Fonts(string pdf) => ExternalTool.Run("pdffonts", [pdf]).Stdout;

    /// <summary>Rasterises every page at <paramref name="dpi"/>, optionally only the region given in mm; returns the PNG files in page order.</summary>
    public static List<string> ToPng(string pdf, string prefix, int dpi, (double X, double Y, double W, double H)? cropMm = null)
    {
        var args = new List<string> { "-r", dpi.ToString(CultureInfo.InvariantCulture), "-png" };
        if (cropMm is { } c)
        {
            int Px(double mm) => (int)Math.Round(mm / 25.4 * dpi);
            args.AddRange(["-x", Px(c.X).ToString(CultureInfo.InvariantCulture), "-y", Px(c.Y).ToString(CultureInfo.InvariantCulture),
                "-W", Px(c.W).ToString(CultureInfo.InvariantCulture), "-H", Px(c.H).ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange([pdf, prefix]);
        var (exit, _, stderr) = ExternalTool.Run("pdftoppm", args);
        exit.ShouldBe(0, stderr);
        var folder = Path.GetDirectoryName(prefix)!;
        var name = Path.GetFileName(prefix);
        return [.. Directory.EnumerateFiles(folder, name + "-*.png").OrderBy(f => int.Parse(PageNumber().Match(f).Groups[1].Value, CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"Pages:\s+(\d+)")]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"Page size:\s+([\d.]+) x ([\d.]+) pts")]
    private static partial Regex SizeLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"-(\d+)\.png$")]
    private static partial Regex PageNumber();
}
