using System.Security.Cryptography;
using System.Text;

namespace Biobank.Core.Demo;

/// <summary>
/// A deterministic, synthetic organ dose per demo patient, computed from the pseudonym alone, so the demo assay
/// results can carry a dose effect before the registry's dose data exist in the same database.
/// <para>
/// IMPORTANT: the registry demo seed must use THESE functions for the patients' heart, parotid and brain mean doses
/// (metric "mean", in Gy), or the demo biomarkers will not correlate with the doses shown in the registry.
/// </para>
/// Definition, for a pseudonym <c>P</c> and an organ name <c>O</c> ("heart", "parotid", "brain"):
/// <c>u = first 8 bytes of SHA-256(UTF-8 "biobank-demo-dose:" + O + ":" + P) read as a big-endian unsigned integer / 2^64</c>,
/// and the dose is <c>round(u × max, 2)</c> Gy with max 30 Gy (heart), 40 Gy (parotid), 50 Gy (brain).
/// Example: see <c>SyntheticDoseTests</c>.
/// </summary>
public static class SyntheticDose
{
    public const double HeartMaxGy = 30;
    public const double ParotidMaxGy = 40;
    public const double BrainMaxGy = 50;

    public static double HeartMeanGy(string pseudonym) => Dose("heart", pseudonym, HeartMaxGy);

    public static double ParotidMeanGy(string pseudonym) => Dose("parotid", pseudonym, ParotidMaxGy);

    public static double BrainMeanGy(string pseudonym) => Dose("brain", pseudonym, BrainMaxGy);

    public static double Dose(string organ, string pseudonym, double maxGy)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"biobank-demo-dose:{organ}:{pseudonym}"), hash);
        var u = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
        return Math.Round(u * maxGy, 2);
    }
}
