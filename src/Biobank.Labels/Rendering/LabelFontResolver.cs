using PdfSharp.Fonts;

namespace Biobank.Labels.Rendering;

/// <summary>
/// Finds a regular and a bold TrueType font for labels: DejaVu Sans on Debian, Arial or Segoe UI
/// on Windows, Arial on macOS, otherwise any .ttf in the usual font folders. Every family name
/// PDFsharp asks for resolves to these two faces, so a label never fails for a missing font name.
/// </summary>
public sealed class LabelFontResolver : IFontResolver
{
    public const string FamilyName = "Biobank Label Sans";

    private const string RegularFace = "label-regular";
    private const string BoldFace = "label-bold";

    private static readonly (string Regular, string Bold)[] KnownPairs =
    [
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
        (WindowsFont("arial.ttf"), WindowsFont("arialbd.ttf")),
        (WindowsFont("segoeui.ttf"), WindowsFont("segoeuib.ttf")),
        ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
        ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ];

    private readonly Lazy<(byte[] Regular, byte[] Bold)> fonts;

    /// <summary>Uses the given files, or searches the usual places when they are null.</summary>
    public LabelFontResolver(string? regularPath = null, string? boldPath = null)
    {
        fonts = new Lazy<(byte[], byte[])>(() =>
        {
            var (regular, bold) = regularPath is not null ? (regularPath, boldPath ?? regularPath) : Locate();
            return (File.ReadAllBytes(regular), File.ReadAllBytes(bold));
        });
    }

    /// <summary>The font files that will be used: a known pair, or the first TrueType file found anywhere.</summary>
    public static (string Regular, string Bold) Locate()
    {
        foreach (var (regular, bold) in KnownPairs)
        {
            if (File.Exists(regular))
            {
                return (regular, File.Exists(bold) ? bold : regular);
            }
        }

        string[] folders =
        [
            "/usr/share/fonts", "/usr/local/share/fonts",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fonts"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/share/fonts"),
            Environment.GetFolderPath(Environment.SpecialFolder.Fonts), "/Library/Fonts", "/System/Library/Fonts",
        ];
        foreach (var folder in folders.Where(f => f.Length > 0 && Directory.Exists(f)))
        {
            var any = Directory.EnumerateFiles(folder, "*.ttf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault();
            if (any is not null)
            {
                var bold = Path.Combine(Path.GetDirectoryName(any)!, Path.GetFileNameWithoutExtension(any) + "-Bold.ttf");
                return (any, File.Exists(bold) ? bold : any);
            }
        }

        throw new InvalidOperationException(
            "No TrueType font was found for labels. Install DejaVu Sans (Debian/Ubuntu: apt-get install fonts-dejavu-core), " +
            "or pass the paths of a regular and a bold .ttf file to LabelFontResolver.");
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? BoldFace : RegularFace);

    public byte[] GetFont(string faceName) => faceName == BoldFace ? fonts.Value.Bold : fonts.Value.Regular;

    private static string WindowsFont(string file) =>
        Path.Combine(Environment.GetEnvironmentVariable("WINDIR") ?? @"C:\Windows", "Fonts", file);
}
