namespace Biobank.Labels.Tests.Support;

/// <summary>Reproducible random payloads that exercise every encodation path.</summary>
public static class Payloads
{
    public const string Digits = "0123456789";
    public const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Lower = "abcdefghijklmnopqrstuvwxyz";
    public const string Punctuation = " !#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\"";

    /// <summary>
    /// <paramref name="count"/> payloads of 1–60 characters: fully mixed, pure digits,
    /// digit runs inside letters (code set C, digit pairs), upper-case with digits (C40) and
    /// lower-case with digits (Text).
    /// </summary>
    public static List<string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var all = Digits + Upper + Lower + Punctuation;
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(1, 61);
            var text = (i % 5) switch
            {
                0 => Pick(random, all, length),
                1 => Pick(random, Digits, length),
                2 => Runs(random, length),
                3 => Pick(random, Upper + Digits + " -", length),
                _ => Pick(random, Lower + Digits + " .", length),
            };
            list.Add(text);
        }

        return list;
    }

    public static string Pick(Random random, string alphabet, int length) =>
        string.Create(length, (random, alphabet), (span, s) =>
        {
            for (var k = 0; k < span.Length; k++)
            {
                span[k] = s.alphabet[s.random.Next(s.alphabet.Length)];
            }
        });

    private static string Runs(Random random, int length)
    {
        var sb = new System.Text.StringBuilder(length);
        while (sb.Length < length)
        {
            var run = random.Next(1, 9);
            var alphabet = random.Next(3) switch { 0 => Upper + Lower, 1 => Punctuation, _ => Digits };
            if (alphabet == Digits)
            {
                run += 3;
            }

            sb.Append(Pick(random, alphabet, Math.Min(run, length - sb.Length)));
        }

        return sb.ToString();
    }
}
