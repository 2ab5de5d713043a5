using System.Globalization;
using System.Net;
using System.Text;
using Biobank.Core.Analysis;
using Biobank.Core.Analysis.Statistics;

namespace Biobank.Web.Analysis;

/// <summary>
/// Server-side SVG plots: no script library, nothing inline that the CSP forbids (presentation attributes only),
/// and the same SVG is the download. Hover titles name the biomarker or patient.
/// </summary>
public static class Plots
{
    private const int W = 640, H = 420, Left = 60, Right = 20, Top = 20, Bottom = 50;

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Effect (slope per Gy) against −log10 p, the q &lt; 0.05 threshold as a dashed line; points link to the biomarker.</summary>
    public static string Volcano(IReadOnlyList<BiomarkerResult> results, Func<string, string> href)
    {
        var pts = results.Where(r => !double.IsNaN(r.Slope) && !double.IsNaN(r.SlopeP)).ToList();
        var sb = Open("Volcano plot: slope per Gy against −log10 p");
        if (pts.Count == 0)
        {
            return Close(sb.Append(Text(W / 2, H / 2, "no biomarker had enough data", "middle")));
        }
        var maxX = Math.Max(1e-9, pts.Max(p => Math.Abs(p.Slope)));
        var maxY = Math.Max(2, pts.Max(p => -Math.Log10(Math.Max(p.SlopeP, 1e-300))));
        double X(double v) => Left + (v + maxX) / (2 * maxX) * (W - Left - Right);
        double Y(double v) => H - Bottom - v / maxY * (H - Top - Bottom);
        Axes(sb, "slope per Gy", "−log10 p", -maxX, maxX, 0, maxY, X, Y);
        var significant = pts.Where(p => p.QValue < 0.05).ToList();
        if (significant.Count > 0)
        {
            var threshold = -Math.Log10(significant.Max(p => p.SlopeP));
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(-maxX))}\" y1=\"{F(Y(threshold))}\" x2=\"{F(X(maxX))}\" y2=\"{F(Y(threshold))}\" stroke=\"#dc3545\" stroke-dasharray=\"5 4\" />");
            sb.Append(Text(X(maxX) - 4, Y(threshold) - 4, "q = 0.05", "end", "#dc3545"));
        }
        foreach (var p in pts.OrderBy(p => p.QValue < 0.05))
        {
            var sig = p.QValue < 0.05;
            sb.Append(CultureInfo.InvariantCulture, $"<a href=\"{E(href(p.Biomarker))}\"><circle cx=\"{F(X(p.Slope))}\" cy=\"{F(Y(-Math.Log10(Math.Max(p.SlopeP, 1e-300))))}\" r=\"{(sig ? 4.5 : 2.5)}\" fill=\"{(sig ? "#d63384" : "#6c757d")}\" fill-opacity=\"{(sig ? "0.9" : "0.45")}\"><title>{E(p.Biomarker)} {E(p.Name)}: slope {p.Slope:G3}/Gy, p {p.SlopeP:G3}, q {p.QValue:G3}, n {p.N}</title></circle></a>");
        }
        return Close(sb);
    }

    /// <summary>Response against dose with the least-squares line and its 95 % confidence band; points coloured by modality.</summary>
    public static string Scatter(string biomarker, IReadOnlyList<(string Pseudonym, double Dose, double Response, string? Modality)> points)
    {
        var sb = Open($"Response of {biomarker} against dose");
        if (points.Count < 3)
        {
            return Close(sb.Append(Text(W / 2, H / 2, "fewer than 3 patients with data", "middle")));
        }
        double minX = 0, maxX = Math.Max(1, points.Max(p => p.Dose));
        var minY = points.Min(p => p.Response);
        var maxY = points.Max(p => p.Response);
        var pad = Math.Max(1e-9, (maxY - minY) * 0.1);
        minY -= pad;
        maxY += pad;
        double X(double v) => Left + (v - minX) / (maxX - minX) * (W - Left - Right);
        double Y(double v) => H - Bottom - (v - minY) / (maxY - minY) * (H - Top - Bottom);
        Axes(sb, "dose (Gy)", "response", minX, maxX, minY, maxY, X, Y);
        var fit = LinearRegression.Fit(points.Select(p => p.Response).ToArray(), points.Select(p => p.Dose).ToArray());
        var grid = Enumerable.Range(0, 41).Select(i => minX + (maxX - minX) * i / 40.0).ToArray();
        var cb = fit.ConfidenceBand(grid);
        var band = Enumerable.Range(0, cb.Dose.Count).Select(i => (Dose: cb.Dose[i], Fit: cb.Fit[i], Low: cb.Low[i], High: cb.High[i])).ToList();
        var upper = string.Join(' ', band.Select(b => $"{F(X(b.Dose))},{F(Y(Clamp(b.High, minY, maxY)))}"));
        var lower = string.Join(' ', Enumerable.Reverse(band).Select(b => $"{F(X(b.Dose))},{F(Y(Clamp(b.Low, minY, maxY)))}"));
        sb.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{upper} {lower}\" fill=\"#0d6efd\" fill-opacity=\"0.15\" stroke=\"none\"><title>95 % confidence band of the mean</title></polygon>");
        sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{string.Join(' ', band.Select(b => $"{F(X(b.Dose))},{F(Y(Clamp(b.Fit, minY, maxY)))}"))}\" fill=\"none\" stroke=\"#0d6efd\" stroke-width=\"2\" />");
        foreach (var p in points)
        {
            var colour = p.Modality switch { "proton" => "#fd7e14", "both" => "#20c997", _ => "#6f42c1" };
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(p.Dose))}\" cy=\"{F(Y(p.Response))}\" r=\"3.5\" fill=\"{colour}\" fill-opacity=\"0.8\"><title>{E(p.Pseudonym)}: dose {p.Dose:0.##} Gy, response {p.Response:G4}, {E(p.Modality ?? "modality unknown")}</title></circle>");
        }
        var legendX = Left + 10;
        foreach (var (label, colour) in new[] { ("photon", "#6f42c1"), ("proton", "#fd7e14"), ("both", "#20c997") })
        {
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{legendX}\" cy=\"{Top + 8}\" r=\"4\" fill=\"{colour}\" />").Append(Text(legendX + 8, Top + 12, label, "start"));
            legendX += 70;
        }
        sb.Append(Text(W - Right, Top + 12, $"slope {fit.Coefficients[1]:G3}/Gy, 95 % CI {fit.ConfidenceLow[1]:G3} to {fit.ConfidenceHigh[1]:G3}", "end"));
        return Close(sb);
    }

    /// <summary>Box plots (median, quartiles, 1.5 IQR whiskers) of a biomarker's values per timepoint.</summary>
    public static string BoxPlots(string biomarker, IReadOnlyList<(string Timepoint, IReadOnlyList<double> Values)> groups)
    {
        var sb = Open($"Values of {biomarker} per timepoint");
        var all = groups.SelectMany(g => g.Values).ToList();
        if (all.Count == 0)
        {
            return Close(sb.Append(Text(W / 2, H / 2, "no values", "middle")));
        }
        var minY = all.Min();
        var maxY = all.Max();
        var pad = Math.Max(1e-9, (maxY - minY) * 0.1);
        minY -= pad;
        maxY += pad;
        var slot = (W - Left - Right) / (double)groups.Count;
        double X(double i) => Left + slot * (i + 0.5);
        double Y(double v) => H - Bottom - (v - minY) / (maxY - minY) * (H - Top - Bottom);
        Axes(sb, "timepoint", "value", 0, groups.Count, minY, maxY, i => Left + i * slot, Y, xTicks: false);
        for (var i = 0; i < groups.Count; i++)
        {
            var v = groups[i].Values.Order().ToArray();
            sb.Append(Text(X(i), H - Bottom + 18, $"{groups[i].Timepoint} (n={v.Length})", "middle"));
            if (v.Length == 0)
            {
                continue;
            }
            double Q(double p) => v[(int)Math.Round(p * (v.Length - 1))];
            var (q1, med, q3) = (Q(0.25), Q(0.5), Q(0.75));
            var iqr = q3 - q1;
            var lo = v.Where(x => x >= q1 - 1.5 * iqr).DefaultIfEmpty(v[0]).Min();
            var hi = v.Where(x => x <= q3 + 1.5 * iqr).DefaultIfEmpty(v[^1]).Max();
            var w = slot * 0.35;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(i))}\" y1=\"{F(Y(lo))}\" x2=\"{F(X(i))}\" y2=\"{F(Y(hi))}\" stroke=\"#495057\" />");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(X(i) - w / 2)}\" y=\"{F(Y(q3))}\" width=\"{F(w)}\" height=\"{F(Math.Max(1, Y(q1) - Y(q3)))}\" fill=\"#9ec5fe\" stroke=\"#495057\"><title>{E(groups[i].Timepoint)}: median {med:G4}, quartiles {q1:G4}–{q3:G4}, n {v.Length}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(i) - w / 2)}\" y1=\"{F(Y(med))}\" x2=\"{F(X(i) + w / 2)}\" y2=\"{F(Y(med))}\" stroke=\"#212529\" stroke-width=\"2\" />");
        }
        return Close(sb);
    }

    private static double Clamp(double v, double lo, double hi) => Math.Min(hi, Math.Max(lo, v));

    private static StringBuilder Open(string label) => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{E(label)}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">")
        .Append(CultureInfo.InvariantCulture, $"<rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\" />");

    private static string Close(StringBuilder sb) => sb.Append("</svg>").ToString();

    private static string Text(double x, double y, string text, string anchor, string fill = "#212529") =>
        string.Create(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{E(text)}</text>");

    private static void Axes(StringBuilder sb, string xLabel, string yLabel, double minX, double maxX, double minY, double maxY, Func<double, double> x, Func<double, double> y, bool xTicks = true)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{W - Right}\" y2=\"{H - Bottom}\" stroke=\"#adb5bd\" />");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{H - Bottom}\" stroke=\"#adb5bd\" />");
        for (var i = 0; i <= 4; i++)
        {
            var yv = minY + (maxY - minY) * i / 4;
            sb.Append(Text(Left - 6, y(yv) + 4, yv.ToString("G3", CultureInfo.InvariantCulture), "end", "#6c757d"));
            if (xTicks)
            {
                var xv = minX + (maxX - minX) * i / 4;
                sb.Append(Text(x(xv), H - Bottom + 16, xv.ToString("G3", CultureInfo.InvariantCulture), "middle", "#6c757d"));
            }
        }
        sb.Append(Text((Left + W - Right) / 2.0, H - 8, xLabel, "middle"));
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{F((Top + H - Bottom) / 2.0)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {F((Top + H - Bottom) / 2.0)})\" fill=\"#212529\">{E(yLabel)}</text>");
    }
}
