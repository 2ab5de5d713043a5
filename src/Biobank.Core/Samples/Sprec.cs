namespace Biobank.Core.Samples;

/// <summary>What was recorded about a fluid sample's pre-analytical phase.</summary>
public sealed record SprecInput(
    string SampleType,          // element 1, e.g. PL1, SER, BFF, BLD, SAL
    string Container,           // element 2, e.g. PED, SST, PAX, ORG
    bool Centrifuged,
    DateTime? CollectedUtc,
    DateTime? ProcessingStartUtc,
    string? PreCentrifugeTemp,  // "RT" or "2-10"
    decimal? CentrifugeTempC,
    int? CentrifugeG,
    int? CentrifugeMinutes,
    bool? Braking,
    int? SecondCentrifugeG,
    DateTime? FrozenUtc,
    decimal? StorageTempC);

/// <summary>
/// The Standard PREanalytical Code (SPREC v3, ISBER; Betsou et al., Biopreservation and Biobanking 16(1), 2018) for fluids:
/// seven hyphen-separated elements. Elements 1 and 2 come from the sample type set-up; 3–7 are derived here from the
/// recorded times and temperatures. Unknown values give X, as the standard asks, never a guess.
/// </summary>
public static class Sprec
{
    public static string Derive(SprecInput s) => string.Join('-',
        s.SampleType,
        s.Container,
        PreCentrifugation(s),
        s.Centrifuged ? Centrifugation(s.CentrifugeTempC, s.CentrifugeG, s.CentrifugeMinutes, s.Braking) : "N",
        !s.Centrifuged || s.SecondCentrifugeG is null ? "N" : Centrifugation(s.CentrifugeTempC, s.SecondCentrifugeG, s.CentrifugeMinutes, s.Braking),
        s.Centrifuged ? PostCentrifugation(s) : "N",
        LongTermStorage(s.StorageTempC));

    /// <summary>Delay from collection to processing (centrifugation, or freezing for tubes not spun) and its temperature.</summary>
    public static string PreCentrifugation(SprecInput s)
    {
        var end = s.Centrifuged ? s.ProcessingStartUtc : s.FrozenUtc ?? s.ProcessingStartUtc;
        if (s.CollectedUtc is not { } start || end is not { } stop || stop < start)
        {
            return "X";
        }
        var cold = s.PreCentrifugeTemp is "2-10" or "4C" or "cold";
        var hours = (stop - start).TotalHours;
        // RT codes are A, C, E, G, I, K, M; 2–10 °C codes the letter after each.
        var band = hours switch
        {
            < 2 => 0,
            < 4 => 1,
            < 8 => 2,
            < 12 => 3,
            < 24 => 4,
            < 48 => 5,
            _ => 6,
        };
        return ((char)('A' + band * 2 + (cold ? 1 : 0))).ToString();
    }

    /// <summary>A–F: temperature (RT or 2–10 °C), force (&lt;3000 g or 3000–6000 g) and braking; X unknown, Z other (&gt;6000 g).</summary>
    public static string Centrifugation(decimal? tempC, int? g, int? minutes, bool? braking)
    {
        if (tempC is null || g is null)
        {
            return "X";
        }
        if (g > 6000 || minutes is > 30)
        {
            return "Z";
        }
        var cold = tempC <= 10;
        var high = g >= 3000;
        if (braking == false)
        {
            return high ? "Z" : cold ? "F" : "C";
        }
        return (cold, high) switch
        {
            (false, false) => "A",
            (false, true) => "B",
            (true, false) => "D",
            (true, true) => "E",
        };
    }

    /// <summary>Delay from the end of centrifugation to freezing, at the centrifuge's temperature.</summary>
    public static string PostCentrifugation(SprecInput s)
    {
        if (s.ProcessingStartUtc is not { } spun || s.FrozenUtc is not { } frozen || frozen < spun)
        {
            return "X";
        }
        var end = spun.AddMinutes(s.CentrifugeMinutes ?? 0);
        var hours = Math.Max(0, (frozen - end).TotalHours);
        var cold = s.CentrifugeTempC is <= 10;
        var band = hours switch
        {
            < 1 => 0,
            < 2 => 1,
            < 8 => 2,
            < 24 => 3,
            _ => 4,
        };
        return ((char)('A' + band * 2 + (cold ? 1 : 0))).ToString();
    }

    /// <summary>A −85 to −60 °C, B −35 to −18 °C, C liquid nitrogen or its vapour (≤ −130 °C); X unknown, Z other.</summary>
    public static string LongTermStorage(decimal? tempC) => tempC switch
    {
        null => "X",
        <= -130 => "C",
        >= -85 and <= -60 => "A",
        >= -35 and <= -18 => "B",
        _ => "Z",
    };
}
