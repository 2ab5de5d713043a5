namespace Biobank.Labels.Barcodes;

/// <summary>
/// A rectangle of dark (true) and light (false) cells, addressed as <c>this[x, y]</c>
/// with x to the right and y downwards — the shape ZXing.Net's <c>BitMatrix</c> has, so
/// callers can move to it later without rewriting.
/// </summary>
public sealed class BitMatrix
{
    private readonly bool[] bits;

    public BitMatrix(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        bits = new bool[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    public bool this[int x, int y]
    {
        get => bits[Index(x, y)];
        set => bits[Index(x, y)] = value;
    }

    /// <summary>Sets every cell of the rectangle to dark.</summary>
    public void SetRegion(int left, int top, int width, int height)
    {
        for (var y = top; y < top + height; y++)
        {
            for (var x = left; x < left + width; x++)
            {
                this[x, y] = true;
            }
        }
    }

    /// <summary>A copy with <paramref name="margin"/> light cells on every side, each cell scaled to <paramref name="scale"/>×<paramref name="scale"/>.</summary>
    public BitMatrix WithMargin(int margin, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        var result = new BitMatrix((Width + 2 * margin) * scale, (Height + 2 * margin) * scale);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (this[x, y])
                {
                    result.SetRegion((x + margin) * scale, (y + margin) * scale, scale, scale);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Horizontal runs of dark cells in row <paramref name="y"/>, as (start, length):
    /// vector renderers draw one rectangle per run instead of one per cell.
    /// </summary>
    public IEnumerable<(int Start, int Length)> DarkRuns(int y)
    {
        var x = 0;
        while (x < Width)
        {
            if (!this[x, y])
            {
                x++;
                continue;
            }

            var start = x;
            while (x < Width && this[x, y])
            {
                x++;
            }

            yield return (start, x - start);
        }
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder((Width + 1) * Height);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                sb.Append(this[x, y] ? '#' : '.');
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the {Width}×{Height} matrix.");
        }

        return y * Width + x;
    }
}
