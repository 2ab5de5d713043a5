namespace Biobank.Labels.Rendering.Raster;

/// <summary>
/// A white greyscale image that black polygons are filled into (non-zero winding), sampled
/// <see cref="Samples"/>×<see cref="Samples"/> times per pixel for smooth edges.
/// Coordinates are in pixels, y downwards.
/// </summary>
internal sealed class Canvas
{
    private const int Samples = 4;

    private readonly ushort[] coverage;

    public Canvas(int width, int height)
    {
        Width = width;
        Height = height;
        coverage = new ushort[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Fills an axis-aligned rectangle.</summary>
    public void FillRectangle(double x, double y, double width, double height) =>
        FillPolygons([[(x, y), (x + width, y), (x + width, y + height), (x, y + height)]]);

    /// <summary>A straight stroke of the given thickness between two points.</summary>
    public void Line(double x1, double y1, double x2, double y2, double thickness)
    {
        var length = Math.Sqrt((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1));
        if (length == 0)
        {
            return;
        }

        var nx = -(y2 - y1) / length * thickness / 2;
        var ny = (x2 - x1) / length * thickness / 2;
        FillPolygons([[(x1 + nx, y1 + ny), (x2 + nx, y2 + ny), (x2 - nx, y2 - ny), (x1 - nx, y1 - ny)]]);
    }

    /// <summary>Fills the union of the contours by the non-zero winding rule (so a reversed inner contour is a hole).</summary>
    public void FillPolygons(IReadOnlyList<IReadOnlyList<(double X, double Y)>> contours)
    {
        var edges = new List<(double X0, double Y0, double X1, double Y1, int Dir)>();
        double minY = double.MaxValue, maxY = double.MinValue;
        foreach (var contour in contours)
        {
            for (var i = 0; i < contour.Count; i++)
            {
                var a = contour[i];
                var b = contour[(i + 1) % contour.Count];
                if (a.Y == b.Y)
                {
                    continue;
                }

                edges.Add(a.Y < b.Y ? (a.X, a.Y, b.X, b.Y, 1) : (b.X, b.Y, a.X, a.Y, -1));
                minY = Math.Min(minY, Math.Min(a.Y, b.Y));
                maxY = Math.Max(maxY, Math.Max(a.Y, b.Y));
            }
        }

        if (edges.Count == 0)
        {
            return;
        }

        var firstRow = Math.Max(0, (int)Math.Floor(minY * Samples));
        var lastRow = Math.Min(Height * Samples - 1, (int)Math.Ceiling(maxY * Samples));
        var crossings = new List<(double X, int Dir)>();
        for (var sy = firstRow; sy <= lastRow; sy++)
        {
            var y = (sy + 0.5) / Samples;
            crossings.Clear();
            foreach (var e in edges)
            {
                if (y >= e.Y0 && y < e.Y1)
                {
                    crossings.Add((e.X0 + (y - e.Y0) / (e.Y1 - e.Y0) * (e.X1 - e.X0), e.Dir));
                }
            }

            if (crossings.Count < 2)
            {
                continue;
            }

            crossings.Sort((p, q) => p.X.CompareTo(q.X));
            var winding = 0;
            var row = sy / Samples * Width;
            for (var i = 0; i < crossings.Count - 1; i++)
            {
                winding += crossings[i].Dir;
                if (winding == 0)
                {
                    continue;
                }

                // Sub-samples whose centres lie between the two crossings.
                var from = Math.Max(0, (int)Math.Ceiling(crossings[i].X * Samples - 0.5));
                var to = Math.Min(Width * Samples - 1, (int)Math.Ceiling(crossings[i + 1].X * Samples - 0.5) - 1);
                for (var sx = from; sx <= to; sx++)
                {
                    ref var c = ref coverage[row + sx / Samples];
                    if (c < Samples * Samples)
                    {
                        c++;
                    }
                }
            }
        }
    }

    /// <summary>Grey level of pixel (x, y): 255 white … 0 black.</summary>
    public byte Grey(int x, int y) => (byte)(255 - coverage[y * Width + x] * 255 / (Samples * Samples));

    public void WritePng(Stream output) =>
        Barcodes.PngWriter.WriteGrey(Width, Height, output, (y, row) =>
        {
            for (var x = 0; x < Width; x++)
            {
                row[x] = Grey(x, y);
            }
        });
}
