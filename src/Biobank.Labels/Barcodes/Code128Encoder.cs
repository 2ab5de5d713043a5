namespace Biobank.Labels.Barcodes;

/// <summary>
/// Code 128 (ISO/IEC 15417) with code sets A, B and C. The code sets are chosen by a shortest-path
/// search over (position, code set), so the symbol has the fewest symbol characters possible for the
/// set switches and shifts the standard allows.
/// </summary>
public static class Code128Encoder
{
    public const int DefaultQuietZone = 10;

    private const int ShiftValue = 98;
    private const int CodeCValue = 99;
    private const int StopValue = 106;
    private const int MaxLength = 200;

    // Bar/space widths of symbol values 0..105 (six elements, 11 modules) and the stop (seven, 13 modules).
    private static readonly string[] Patterns =
    [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ];

    private enum CodeSet
    {
        A = 0,
        B = 1,
        C = 2,
    }

    /// <summary>The symbol characters (start, data, check, stop) for <paramref name="contents"/>.</summary>
    public static IReadOnlyList<int> EncodeValues(string contents)
    {
        Validate(contents);
        var n = contents.Length;
        const int Unreached = int.MaxValue / 2;

        // cost[i, s]: fewest symbol characters (start included) that encode contents[..i] and end in code set s.
        var cost = new int[n + 1, 3];
        var from = new (int Position, CodeSet Set, Step Step)[n + 1, 3];
        for (var i = 0; i <= n; i++)
        {
            for (var s = 0; s < 3; s++)
            {
                cost[i, s] = Unreached;
            }
        }

        for (var s = 0; s < 3; s++)
        {
            cost[0, s] = 1;
            from[0, s] = (-1, (CodeSet)s, Step.Start);
        }

        for (var i = 0; i <= n; i++)
        {
            // A switch costs one symbol character and consumes nothing; relax it before moving on.
            for (var round = 0; round < 2; round++)
            {
                for (var s = 0; s < 3; s++)
                {
                    for (var t = 0; t < 3; t++)
                    {
                        if (s != t && i > 0 && cost[i, s] + 1 < cost[i, t])
                        {
                            cost[i, t] = cost[i, s] + 1;
                            from[i, t] = (i, (CodeSet)s, Step.Switch);
                        }
                    }
                }
            }

            if (i == n)
            {
                break;
            }

            var c = contents[i];
            Relax(cost, from, i, CodeSet.A, i + 1, InA(c) ? 1 : 2, InA(c) ? Step.Char : Step.ShiftChar);
            Relax(cost, from, i, CodeSet.B, i + 1, InB(c) ? 1 : 2, InB(c) ? Step.Char : Step.ShiftChar);
            if (i + 1 < n && char.IsAsciiDigit(c) && char.IsAsciiDigit(contents[i + 1]))
            {
                Relax(cost, from, i, CodeSet.C, i + 2, 1, Step.Pair);
            }
        }

        var end = CodeSet.A;
        for (var s = 1; s < 3; s++)
        {
            if (cost[n, s] < cost[n, (int)end])
            {
                end = (CodeSet)s;
            }
        }

        // Walk back to list the steps, then emit them forwards.
        var steps = new List<(int Position, CodeSet Set, Step Step)>();
        var (pos, set) = (n, end);
        while (true)
        {
            var f = from[pos, (int)set];
            steps.Add((pos, set, f.Step));
            if (f.Step == Step.Start)
            {
                break;
            }

            (pos, set) = (f.Position, f.Set);
        }

        steps.Reverse();
        var values = new List<int>(cost[n, (int)end] + 2);
        foreach (var (position, codeSet, step) in steps)
        {
            switch (step)
            {
                case Step.Start:
                    values.Add(103 + (int)codeSet);
                    break;
                case Step.Switch:
                    values.Add(codeSet switch { CodeSet.A => 101, CodeSet.B => 100, _ => CodeCValue });
                    break;
                case Step.Char:
                    values.Add(CharValue(contents[position - 1], codeSet));
                    break;
                case Step.ShiftChar:
                    values.Add(ShiftValue);
                    values.Add(CharValue(contents[position - 1], codeSet == CodeSet.A ? CodeSet.B : CodeSet.A));
                    break;
                case Step.Pair:
                    values.Add((contents[position - 2] - '0') * 10 + (contents[position - 1] - '0'));
                    break;
            }

        }

        var sum = values[0];
        for (var i = 1; i < values.Count; i++)
        {
            sum += i * values[i];
        }

        values.Add(sum % 103);
        values.Add(StopValue);
        return values;
    }

    /// <summary>The modules of the symbol, without quiet zones: true is a bar.</summary>
    public static bool[] EncodeModules(string contents)
    {
        var values = EncodeValues(contents);
        var modules = new List<bool>(values.Count * 11 + 2);
        foreach (var value in values)
        {
            var dark = true;
            foreach (var width in Patterns[value])
            {
                for (var k = 0; k < width - '0'; k++)
                {
                    modules.Add(dark);
                }

                dark = !dark;
            }
        }

        return [.. modules];
    }

    private static void Relax(int[,] cost, (int, CodeSet, Step)[,] from, int i, CodeSet set, int to, int add, Step step)
    {
        var s = (int)set;
        if (cost[i, s] + add < cost[to, s])
        {
            cost[to, s] = cost[i, s] + add;
            from[to, s] = (i, set, step);
        }
    }

    private static bool InA(char c) => c < 96;

    private static bool InB(char c) => c >= 32 && c < 128;

    private static int CharValue(char c, CodeSet set) => set switch
    {
        CodeSet.A => c < 32 ? c + 64 : c - 32,
        _ => c - 32,
    };

    private static void Validate(string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (contents.Length == 0)
        {
            throw new BarcodeEncodingException("Code 128 cannot encode an empty text: there must be at least one character.");
        }

        if (contents.Length > MaxLength)
        {
            throw new BarcodeEncodingException(
                $"Code 128 cannot hold {contents.Length:N0} characters: this encoder stops at {MaxLength} (a scanner needs far fewer, about 20–40).");
        }

        for (var i = 0; i < contents.Length; i++)
        {
            if (contents[i] > 127)
            {
                throw new BarcodeEncodingException(
                    $"Code 128 cannot encode the character '{contents[i]}' (U+{(int)contents[i]:X4}) at position {i + 1}: only ASCII characters 0–127 are supported.");
            }
        }
    }

    private enum Step
    {
        Start,
        Switch,
        Char,
        ShiftChar,
        Pair,
    }
}
