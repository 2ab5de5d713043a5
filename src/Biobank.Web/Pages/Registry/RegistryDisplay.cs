using System.Globalization;

namespace Biobank.Web.Pages.Registry;

/// <summary>How the registry pages write doses, dates and upload limits, the same way everywhere.</summary>
public static class RegistryDisplay
{
    /// <summary>Registry and dose files: the largest cohort export is a few MB; 50 MB leaves room and stops a wrong file early.</summary>
    public const long MaxUploadBytes = 50L * 1024 * 1024;

    public const string Accept = ".csv,.txt,.xlsx";

    public static string Gy(decimal? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A dose value with its unit: Gy for doses, % of the organ volume for the V metrics.</summary>
    public static string Dose(decimal value, string unit) =>
        value.ToString("0.###", CultureInfo.InvariantCulture) + (unit == "%" ? " %" : " Gy");

    public static string Utc(DateTime value) => value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Words(string? code) => code?.Replace('_', ' ') ?? "";
}
