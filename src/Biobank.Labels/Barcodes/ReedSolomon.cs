namespace Biobank.Labels.Barcodes;

/// <summary>Reed–Solomon error correction over GF(256) with the Data Matrix field polynomial x⁸+x⁵+x³+x²+1 (301).</summary>
internal static class ReedSolomon
{
    private const int Polynomial = 301;

    private static readonly int[] Exp = new int[512];
    private static readonly int[] Log = new int[256];
    private static readonly Dictionary<int, int[]> Generators = [];
    private static readonly Lock GeneratorsLock = new();

    static ReedSolomon()
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = x;
            Log[x] = i;
            x <<= 1;
            if (x >= 256)
            {
                x ^= Polynomial;
            }
        }

        for (var i = 255; i < 512; i++)
        {
            Exp[i] = Exp[i - 255];
        }
    }

    /// <summary>The <paramref name="eccCount"/> check codewords of one block of data.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> data, int eccCount)
    {
        var g = Generator(eccCount);
        var ecc = new byte[eccCount];
        foreach (var d in data)
        {
            var feedback = d ^ ecc[0];
            for (var j = 0; j < eccCount - 1; j++)
            {
                ecc[j] = (byte)(ecc[j + 1] ^ Multiply(feedback, g[j + 1]));
            }

            ecc[eccCount - 1] = (byte)Multiply(feedback, g[eccCount]);
        }

        return ecc;
    }

    private static int Multiply(int a, int b) => a == 0 || b == 0 ? 0 : Exp[Log[a] + Log[b]];

    // Coefficients, highest degree first, of (x - α¹)(x - α²)…(x - α^k).
    private static int[] Generator(int k)
    {
        lock (GeneratorsLock)
        {
            if (Generators.TryGetValue(k, out var cached))
            {
                return cached;
            }

            var g = new int[k + 1];
            g[0] = 1;
            for (var i = 1; i <= k; i++)
            {
                var root = Exp[i];
                for (var j = i; j >= 1; j--)
                {
                    g[j] ^= Multiply(g[j - 1], root);
                }
            }

            Generators[k] = g;
            return g;
        }
    }
}
