namespace Biobank.Labels.Tests.Support;

/// <summary>
/// Reads barcodes back with decoders written by other people: zxing-cpp's ZXingReader and
/// libdmtx's dmtxread. Many files go to one process to keep the suite fast.
/// </summary>
public static class Decoders
{
    private const int Batch = 250;

    /// <summary>Text ZXingReader finds in each file (null where it finds nothing), in the order given.</summary>
    public static string?[] ZXing(IReadOnlyList<string> files, string format)
    {
        var results = new string?[files.Count];
        var chunks = Enumerable.Range(0, (files.Count + Batch - 1) / Batch).ToArray();
        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = 2 }, chunk =>
        {
            var part = files.Skip(chunk * Batch).Take(Batch).ToList();
            var (exit, stdout, _) = ExternalTool.Run("ZXingReader", ["-format", format, "-1", .. part]);
            if (exit != 0)
            {
                // zxing-cpp 1.4 can abort on an assertion when it finds one code twice at different
                // scales (Result.cpp "lineCount() == 1"): read file by file, and such a file without
                // its down-scaled pass.
                stdout = string.Concat(part.Select(f =>
                {
                    var single = ExternalTool.Run("ZXingReader", ["-format", format, "-1", f]);
                    return single.ExitCode == 0 ? single.Stdout : ExternalTool.Run("ZXingReader", ["-noscale", "-format", format, "-1", f]).Stdout;
                }));
            }

            var byFile = new Dictionary<string, string?>();
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // "<file> <Format> \"<text>\"" or "<file> None"; our file names have no spaces.
                var firstSpace = line.IndexOf(' ');
                var file = line[..firstSpace];
                var rest = line[(firstSpace + 1)..];
                var quote = rest.IndexOf('"');
                var text = quote >= 0 && rest.EndsWith('"') ? rest[(quote + 1)..^1] : null;
                byFile.TryAdd(file, text);
            }

            for (var i = 0; i < part.Count; i++)
            {
                results[chunk * Batch + i] = byFile.GetValueOrDefault(part[i]);
            }
        });
        return results;
    }

    /// <summary>Text dmtxread finds in each file (null where it finds nothing), in the order given.</summary>
    public static string?[] Dmtx(IReadOnlyList<string> files)
    {
        var results = new string?[files.Count];
        var chunks = Enumerable.Range(0, (files.Count + Batch - 1) / Batch).ToArray();
        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = 2 }, chunk =>
        {
            var part = files.Skip(chunk * Batch).Take(Batch).ToList();
            var lines = DmtxRun(part);
            if (lines.Length != part.Count)
            {
                // dmtxread prints nothing for an unreadable file: read one by one to know which.
                // Its edge scan misses a few perfect symbols at some pixel sizes (the same symbol
                // reads at another scale), so an unread file gets a second look at half size.
                lines = [.. part.Select(f => DmtxRun([f]).FirstOrDefault() ?? DmtxRun(["-S", "2", f]).FirstOrDefault() ?? "\0")];
            }

            for (var i = 0; i < part.Count; i++)
            {
                results[chunk * Batch + i] = lines[i] == "\0" ? null : lines[i];
            }
        });
        return results;
    }

    /// <summary>The raw bytes ZXingReader reads from one file, as Latin-1 text (its -1 mode escapes non-ASCII).</summary>
    public static string? ZXingBytes(string file, string format)
    {
        var path = ExternalTool.Find("ZXingReader")!;
        var start = new System.Diagnostics.ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-format", format, "-bytes", file])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var bytes = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        return bytes.Length == 0 ? null : System.Text.Encoding.Latin1.GetString(bytes.ToArray());
    }

    private static string[] DmtxRun(IReadOnlyList<string> arguments)
    {
        var (_, stdout, _) = ExternalTool.Run("dmtxread", ["-n", "-N1", "-U", "-m", "20000", .. arguments]);
        var lines = stdout.Split('\n');
        return lines[..^1]; // the text ends with a newline
    }
}
