using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Biobank.Core.Assays.Formats;

/// <summary>
/// Every result-file format, in one place: the CLI's usage text, the import page's choice and docs/assays.md list
/// formats from here, and <c>auto</c> asks each one how sure it is that a file is of its shape.
/// </summary>
public static class AssayFormatRegistry
{
    public const string Auto = "auto";

    /// <summary>A format must be at least this sure before <c>auto</c> takes it.</summary>
    public const int MinConfidence = 50;

    /// <summary>Our own layouts first (their names predate the registry), then the vendors' exports.</summary>
    public static IReadOnlyList<IAssayFormat> All { get; } =
    [
        new NpxFormat(), new WideFormat(), new QpcrFormat(), new CountsFormat(),
        new OlinkLongFormat(), new OlinkWideFormat(), new QuantStudioFormat(), new CfxMaestroFormat(),
    ];

    /// <summary>"auto|npx|wide|…" for usage lines.</summary>
    public static string Choices => string.Join('|', new[] { Auto }.Concat(All.Select(f => f.Name)));

    public static IAssayFormat? Find(string? name)
    {
        var key = (name ?? "").Trim();
        return All.FirstOrDefault(f => string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase)
            || f.Aliases.Any(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The format most sure of the file, or null when none reaches <see cref="MinConfidence"/>.</summary>
    public static (IAssayFormat? Format, int Confidence) Detect(FileSniff file)
    {
        IAssayFormat? best = null;
        var confidence = 0;
        foreach (var format in All)
        {
            var c = format.Detect(file);
            if (c > confidence)
            {
                (best, confidence) = (format, c);
            }
        }
        return confidence >= MinConfidence ? (best, confidence) : (null, confidence);
    }

    /// <summary>Why <c>auto</c> refused a file: every format and what it expects in the header.</summary>
    public static string Undetected(FileSniff file)
    {
        var sb = new StringBuilder($"the format of this {Describe(file.Kind)} file was not recognised");
        if (file.Header.Length > 0)
        {
            sb.Append(" (its first row starts '").Append(AssayText.Show(string.Join(',', file.Header.Take(6)))).Append("')");
        }
        sb.Append("; name it with --format. The formats and what each expects: ");
        sb.Append(string.Join("; ", All.Select(f => $"{f.Name} — {f.Title}: {f.Expects}")));
        return sb.ToString();
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Xlsx => "XLSX",
        FileKind.Parquet => "Parquet",
        _ => "text",
    };
}

/// <summary>
/// The format an import was asked for: <c>auto</c> (detect it) or a registered format's name or alias. The four
/// names that predate the registry convert implicitly from <see cref="AssayFileFormat"/>.
/// </summary>
[JsonConverter(typeof(AssayFormatChoiceJson))]
public readonly record struct AssayFormatChoice
{
    private readonly string? _name;

    public AssayFormatChoice(string name) => _name = name.Trim().ToLowerInvariant();

    public static AssayFormatChoice Auto => new(AssayFormatRegistry.Auto);

    /// <summary>"auto" or the name as given (an alias stays an alias until <see cref="Format"/> resolves it).</summary>
    public string Name => _name ?? AssayFormatRegistry.Auto;

    public bool IsAuto => Name == AssayFormatRegistry.Auto;

    /// <summary>The registered format, or null for auto or an unknown name.</summary>
    public IAssayFormat? Format => IsAuto ? null : AssayFormatRegistry.Find(Name);

    public static bool TryParse(string? text, out AssayFormatChoice choice)
    {
        choice = new AssayFormatChoice(string.IsNullOrWhiteSpace(text) ? AssayFormatRegistry.Auto : text);
        return choice.IsAuto || choice.Format is not null;
    }

    public static implicit operator AssayFormatChoice(AssayFileFormat format) => new(AssayFormats.Name(format));

    public override string ToString() => Name;
}

/// <summary>Written as its name; read from a name, or from the number an older queued job stored for the enum.</summary>
internal sealed class AssayFormatChoiceJson : JsonConverter<AssayFormatChoice>
{
    public override AssayFormatChoice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => (AssayFileFormat)reader.GetInt32(),
        JsonTokenType.String => new AssayFormatChoice(reader.GetString() ?? AssayFormatRegistry.Auto),
        _ => AssayFormatChoice.Auto,
    };

    public override void Write(Utf8JsonWriter writer, AssayFormatChoice value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
