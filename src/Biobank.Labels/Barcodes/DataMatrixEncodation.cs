namespace Biobank.Labels.Barcodes;

/// <summary>
/// Turns text into Data Matrix data codewords. A shortest-path search over (position, mode) picks,
/// for every stretch of the text, ASCII (with digit pairs and Upper Shift), C40 or Text, and pays for
/// each latch (230, 239) and unlatch (254). C40 and Text are only left at a triplet boundary, so every
/// stream it produces decodes in any reader.
/// </summary>
internal static class DataMatrixEncodation
{
    private const byte LatchC40 = 230;
    private const byte LatchText = 239;
    private const byte Unlatch = 254;
    private const byte UpperShift = 235;
    private const int Unreached = int.MaxValue / 2;

    private enum Mode
    {
        Ascii = 0,
        C40 = 1,
        Text = 2,
    }

    private enum Step
    {
        Start,
        Latch,
        Unlatch,
        AsciiChar,
        AsciiPair,
        Group,
    }

    public static Result Encode(string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (contents.Length == 0)
        {
            throw new BarcodeEncodingException("Data Matrix cannot encode an empty text: there must be at least one character.");
        }

        for (var i = 0; i < contents.Length; i++)
        {
            if (contents[i] > 255)
            {
                throw new BarcodeEncodingException(
                    $"Data Matrix cannot encode the character '{contents[i]}' (U+{(int)contents[i]:X4}) at position {i + 1}: only byte values 0–255 (ASCII and Latin-1) are supported.");
            }
        }

        // Beyond this the text cannot fit even at 2 digits per codeword; stop before allocating for it.
        if (contents.Length > 2 * DataMatrixSize.Largest.DataCodewords)
        {
            throw new BarcodeEncodingException(
                $"Data Matrix cannot hold {contents.Length:N0} characters: the largest symbol (144×144) holds 3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters.");
        }

        var n = contents.Length;
        var cost = new int[n + 1, 3];
        var back = new (int From, Mode Mode, Step Step)[n + 1, 3];
        for (var i = 0; i <= n; i++)
        {
            cost[i, 0] = cost[i, 1] = cost[i, 2] = Unreached;
        }

        cost[0, (int)Mode.Ascii] = 0;
        back[0, (int)Mode.Ascii] = (0, Mode.Ascii, Step.Start);

        for (var i = 0; i <= n; i++)
        {
            foreach (var m in (ReadOnlySpan<Mode>)[Mode.C40, Mode.Text])
            {
                Relax(cost, back, i, m, i, Mode.Ascii, 1, Step.Unlatch);
            }

            foreach (var m in (ReadOnlySpan<Mode>)[Mode.C40, Mode.Text])
            {
                Relax(cost, back, i, Mode.Ascii, i, m, 1, Step.Latch);
            }

            if (i == n)
            {
                break;
            }

            var c = contents[i];
            if (i + 1 < n && char.IsAsciiDigit(c) && char.IsAsciiDigit(contents[i + 1]))
            {
                Relax(cost, back, i, Mode.Ascii, i + 2, Mode.Ascii, 1, Step.AsciiPair);
            }

            Relax(cost, back, i, Mode.Ascii, i + 1, Mode.Ascii, c < 128 ? 1 : 2, Step.AsciiChar);

            foreach (var m in (ReadOnlySpan<Mode>)[Mode.C40, Mode.Text])
            {
                // The shortest run of characters from i that fills whole triplets.
                var values = 0;
                var j = i;
                do
                {
                    values += ValueCount(contents[j], m);
                    j++;
                }
                while (j < n && values % 3 != 0);

                if (values % 3 == 0)
                {
                    Relax(cost, back, i, m, j, m, values / 3 * 2, Step.Group);
                }
            }
        }

        var end = Mode.Ascii;
        foreach (var m in (ReadOnlySpan<Mode>)[Mode.C40, Mode.Text])
        {
            if (cost[n, (int)m] < cost[n, (int)end])
            {
                end = m;
            }
        }

        var path = new List<(int From, int To, Mode Mode, Step Step)>();
        var (pos, mode) = (n, end);
        while (true)
        {
            var b = back[pos, (int)mode];
            if (b.Step == Step.Start)
            {
                break;
            }

            path.Add((b.From, pos, mode, b.Step));
            (pos, mode) = (b.From, b.Mode);
        }

        path.Reverse();
        var output = new List<byte>(cost[n, (int)end] + 1);
        var triplet = new List<int>(6);
        foreach (var (from, to, m, step) in path)
        {
            switch (step)
            {
                case Step.Latch:
                    output.Add(m == Mode.C40 ? LatchC40 : LatchText);
                    break;
                case Step.Unlatch:
                    output.Add(Unlatch);
                    break;
                case Step.AsciiPair:
                    output.Add((byte)(130 + (contents[from] - '0') * 10 + (contents[from + 1] - '0')));
                    break;
                case Step.AsciiChar when contents[from] < 128:
                    output.Add((byte)(contents[from] + 1));
                    break;
                case Step.AsciiChar:
                    output.Add(UpperShift);
                    output.Add((byte)(contents[from] - 128 + 1));
                    break;
                case Step.Group:
                    triplet.Clear();
                    for (var k = from; k < to; k++)
                    {
                        AddValues(contents[k], m, triplet);
                    }

                    for (var k = 0; k < triplet.Count; k += 3)
                    {
                        var packed = 1600 * triplet[k] + 40 * triplet[k + 1] + triplet[k + 2] + 1;
                        output.Add((byte)(packed >> 8));
                        output.Add((byte)(packed & 0xFF));
                    }

                    break;
            }
        }

        if (output.Count > DataMatrixSize.Largest.DataCodewords)
        {
            throw new BarcodeEncodingException(
                $"Data Matrix cannot hold {contents.Length:N0} characters: the largest symbol (144×144) holds {DataMatrixSize.Largest.DataCodewords:N0} data codewords " +
                $"(3,116 digits, 2,335 alphanumeric or 1,558 other ASCII characters) and this text needs {output.Count:N0}.");
        }

        return new Result([.. output], end != Mode.Ascii);
    }

    private static void Relax(int[,] cost, (int, Mode, Step)[,] back, int i, Mode from, int j, Mode to, int add, Step step)
    {
        if (cost[i, (int)from] + add < cost[j, (int)to])
        {
            cost[j, (int)to] = cost[i, (int)from] + add;
            back[j, (int)to] = (i, from, step);
        }
    }

    private static int ValueCount(char c, Mode mode)
    {
        if (c >= 128)
        {
            return 2 + ValueCount((char)(c - 128), mode);
        }

        return IsBasic(c, mode) ? 1 : 2;
    }

    private static bool IsBasic(char c, Mode mode) =>
        c == ' ' || char.IsAsciiDigit(c) || (mode == Mode.C40 ? char.IsAsciiLetterUpper(c) : char.IsAsciiLetterLower(c));

    // ISO/IEC 16022 tables C.1 (C40) and C.2 (Text): basic set, then Shift 1 (controls),
    // Shift 2 (punctuation, 30 = Upper Shift) and Shift 3 (the rest).
    private static void AddValues(char c, Mode mode, List<int> values)
    {
        if (c >= 128)
        {
            values.Add(1);
            values.Add(30);
            c = (char)(c - 128);
        }

        if (c == ' ')
        {
            values.Add(3);
        }
        else if (char.IsAsciiDigit(c))
        {
            values.Add(c - '0' + 4);
        }
        else if (mode == Mode.C40 && char.IsAsciiLetterUpper(c))
        {
            values.Add(c - 'A' + 14);
        }
        else if (mode == Mode.Text && char.IsAsciiLetterLower(c))
        {
            values.Add(c - 'a' + 14);
        }
        else if (c < 32)
        {
            values.Add(0);
            values.Add(c);
        }
        else if (c <= 47)
        {
            values.Add(1);
            values.Add(c - 33);
        }
        else if (c >= 58 && c <= 64)
        {
            values.Add(1);
            values.Add(c - 58 + 15);
        }
        else if (c >= 91 && c <= 95)
        {
            values.Add(1);
            values.Add(c - 91 + 22);
        }
        else if (mode == Mode.C40)
        {
            // 96–127 (including the lower-case letters) are Shift 3 in C40.
            values.Add(2);
            values.Add(c - 96);
        }
        else
        {
            // Text: Shift 3 holds ` (0), the upper-case letters (1–26) and { | } ~ DEL (27–31).
            values.Add(2);
            values.Add(c == '`' ? 0 : char.IsAsciiLetterUpper(c) ? c - 'A' + 1 : c - 123 + 27);
        }
    }

    /// <summary>Data codewords before padding; <see cref="EndsInC40OrText"/> if the last mode still needs closing.</summary>
    internal sealed record Result(byte[] Codewords, bool EndsInC40OrText)
    {
        public int MinimumCapacity => Codewords.Length;

        // With one codeword left after C40/Text the reader returns to ASCII by itself, so only
        // a symbol with two or more spare codewords needs the explicit unlatch before the pads.
        public bool FitsIn(int capacity) => Codewords.Length <= capacity;

        public byte[] ForCapacity(int capacity) =>
            EndsInC40OrText && capacity - Codewords.Length >= 2 ? [.. Codewords, Unlatch] : Codewords;
    }
}
