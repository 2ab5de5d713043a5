using System.Globalization;

namespace Biobank.Web.Pages.Samples;

/// <summary>How the sample pages write statuses, volumes and times, the same way everywhere.</summary>
public static class SampleDisplay
{
    public static readonly IReadOnlyList<string> Statuses =
        ["registered", "in_storage", "checked_out", "in_transit", "consumed", "destroyed", "missing", "quarantined"];

    public static string Words(string status) => status.Replace('_', ' ');

    /// <summary>A Bootstrap badge tone per tube status: what needs attention stands out.</summary>
    public static string Tone(string status) => status switch
    {
        "in_storage" => "success",
        "registered" => "primary",
        "checked_out" => "warning",
        "in_transit" => "info",
        "consumed" => "secondary",
        "destroyed" or "missing" => "danger",
        "quarantined" => "dark",
        _ => "light",
    };

    public static string Ul(decimal value) => value.ToString("#,0.#", CultureInfo.InvariantCulture) + " µL";

    public static string Utc(DateTime? value) => value is { } v ? v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "";

    /// <summary>The value of an <c>&lt;input type="datetime-local"&gt;</c>; the page labels it UTC.</summary>
    public static string Local(DateTime? value) => value is { } v ? v.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : "";

    public static string Number(decimal? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";

    public static DateTime? AsUtc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
