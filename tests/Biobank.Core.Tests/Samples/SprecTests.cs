using Biobank.Core.Samples;

namespace Biobank.Core.Tests.Samples;

/// <summary>
/// SPREC v3 fluid codes derived from what the bench recorded. Times are minutes after a collection at 09:00 UTC.
/// Element 3: pre-centrifugation delay and temperature (A RT &lt;2 h, B 2–10 °C &lt;2 h, C RT 2–4 h, D 2–10 °C 2–4 h, E RT 4–8 h,
/// G RT 8–12 h, I RT 12–24 h, J 2–10 °C 12–24 h, K RT 24–48 h, N 2–10 °C &gt;48 h). Elements 4 and 5: A RT &lt;3000 g braked,
/// B RT ≥3000 g braked, C RT &lt;3000 g no brake, D 2–10 °C &lt;3000 g braked, E 2–10 °C ≥3000 g braked, F 2–10 °C &lt;3000 g no brake,
/// Z other, N none. Element 6: post-centrifugation delay (A RT &lt;1 h, D 2–10 °C 1–2 h, F 2–10 °C 2–8 h, I RT ≥24 h).
/// Element 7: A −85…−60 °C, B −35…−18 °C, C liquid nitrogen (≤ −130 °C), X unknown, Z other.
/// </summary>
public sealed class SprecTests
{
    private static readonly DateTime Collected = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    public sealed record Case(
        string Name, string Type, string Container, bool Spun, int? StartMin, string? PreTemp, double? SpinC, int? G, int? Minutes, bool? Braking,
        int? SecondG, int? FrozenMin, double? StorageC, string Expected, bool CollectedKnown = true)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        // Plasma spun within the hour at room temperature, braked, frozen 30 min after the spin ended, −80 °C.
        new("EDTA plasma, RT, under 2 h, 2000 g, -80", "PL1", "PED", true, 60, "RT", 20, 2000, 15, true, null, 105, -80, "PL1-PED-A-A-N-A-A"),
        // Kept in the fridge for 3 h before the spin: D; spun warm and braked: A.
        new("kept at 2-10 C for 3 h", "PL1", "PED", true, 180, "2-10", 20, 2000, 15, true, null, 225, -80, "PL1-PED-D-A-N-A-A"),
        new("RT for 5 h", "SER", "SST", true, 300, "RT", 20, 2000, 10, true, null, 340, -80, "SER-SST-E-A-N-A-A"),
        new("RT for 10 h", "SER", "SST", true, 600, "RT", 20, 2000, 10, true, null, 640, -80, "SER-SST-G-A-N-A-A"),
        new("2-10 C for 13 h", "SER", "SST", true, 780, "2-10", 20, 2000, 10, true, null, 820, -80, "SER-SST-J-A-N-A-A"),
        new("RT for 30 h", "SER", "SST", true, 1800, "RT", 20, 2000, 10, true, null, 1840, -80, "SER-SST-K-A-N-A-A"),
        new("2-10 C for 50 h", "SER", "SST", true, 3000, "2-10", 20, 2000, 10, true, null, 3040, -80, "SER-SST-N-A-N-A-A"),
        // Force: 3000 g is the high band, at RT B, cold E; cold and 1.5 h to the freezer after the spin: D.
        new("3000 g at RT", "PL1", "PED", true, 30, "RT", 20, 3000, 10, true, null, 60, -80, "PL1-PED-A-B-N-A-A"),
        new("3000 g at 4 C, frozen 1.5 h later", "PL1", "PED", true, 30, "RT", 4, 3000, 10, true, null, 130, -80, "PL1-PED-A-E-N-D-A"),
        new("2999 g at 4 C is below 3000", "PL1", "PED", true, 30, "RT", 4, 2999, 10, true, null, 50, -80, "PL1-PED-A-D-N-B-A"),
        // No brake: C warm, F cold, Z at 3000 g or more (no SPREC letter for it).
        new("no brake, RT, 2500 g", "PL1", "PED", true, 30, "RT", 20, 2500, 10, false, null, 50, -80, "PL1-PED-A-C-N-A-A"),
        new("no brake, 4 C, 2500 g", "PL1", "PED", true, 30, "RT", 4, 2500, 10, false, null, 50, -80, "PL1-PED-A-F-N-B-A"),
        new("no brake, RT, 3500 g", "PL1", "PED", true, 30, "RT", 20, 3500, 10, false, null, 50, -80, "PL1-PED-A-Z-N-A-A"),
        new("over 6000 g is other", "PL1", "PED", true, 30, "RT", 20, 8000, 10, true, null, 50, -80, "PL1-PED-A-Z-N-A-A"),
        // Double-spun plasma: the second spin gets its own element 5.
        new("second spin 2500 g", "PL2", "PED", true, 30, "RT", 20, 2000, 10, true, 2500, 70, -80, "PL2-PED-A-A-A-A-A"),
        new("second spin 4000 g", "PL2", "PED", true, 30, "RT", 20, 2000, 10, true, 4000, 70, -80, "PL2-PED-A-A-B-A-A"),
        // PAXgene is not centrifuged: 4, 5 and 6 are N, and the delay runs to freezing (2.5 h at RT: C).
        new("PAXgene, not spun", "BLD", "PAX", false, null, "RT", null, null, null, null, null, 150, -80, "BLD-PAX-C-N-N-N-A"),
        new("PAXgene, second spin ignored", "BLD", "PAX", false, null, "RT", null, null, null, null, 3000, 60, -80, "BLD-PAX-A-N-N-N-A"),
        // Post-centrifugation delays.
        new("frozen 3 h after a cold spin", "PL1", "PED", true, 30, "RT", 4, 2000, 15, true, null, 225, -80, "PL1-PED-A-D-N-F-A"),
        new("frozen 30 h after a warm spin", "PL1", "PED", true, 30, "RT", 20, 2000, 15, true, null, 1845, -80, "PL1-PED-A-A-N-I-A"),
        // Long-term storage.
        new("-20 C freezer", "SER", "SST", true, 30, "RT", 20, 2000, 10, true, null, 60, -20, "SER-SST-A-A-N-A-B"),
        new("liquid nitrogen -196 C", "SER", "SST", true, 30, "RT", 20, 2000, 10, true, null, 60, -196, "SER-SST-A-A-N-A-C"),
        new("nitrogen vapour -150 C", "SER", "SST", true, 30, "RT", 20, 2000, 10, true, null, 60, -150, "SER-SST-A-A-N-A-C"),
        new("-40 C is other", "SER", "SST", true, 30, "RT", 20, 2000, 10, true, null, 60, -40, "SER-SST-A-A-N-A-Z"),
        new("storage unknown", "SER", "SST", true, 30, "RT", 20, 2000, 10, true, null, 60, null, "SER-SST-A-A-N-A-X"),
        // Nothing recorded: X wherever the standard says unknown, never a guess.
        new("nothing recorded", "SER", "SST", true, null, null, null, null, null, null, null, null, null, "SER-SST-X-X-N-X-X"),
        new("collection time unknown", "SAL", "ORG", true, 30, "RT", 20, 2600, 10, true, null, 60, -80, "SAL-ORG-X-A-N-A-A", CollectedKnown: false),
        new("frozen before the spin is impossible", "PL1", "PED", true, 60, "RT", 20, 2000, 10, true, null, 30, -80, "PL1-PED-A-A-N-X-A"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Derives_the_code_from_what_was_recorded(Case c)
    {
        var input = new SprecInput(c.Type, c.Container, c.Spun, c.CollectedKnown ? Collected : null, At(c.StartMin), c.PreTemp, (decimal?)c.SpinC, c.G, c.Minutes,
            c.Braking, c.SecondG, At(c.FrozenMin), (decimal?)c.StorageC);
        Sprec.Derive(input).ShouldBe(c.Expected);
    }

    [Fact]
    public void The_code_has_seven_elements_and_an_aliquot_keeps_its_parents_history_with_its_own_type()
    {
        var parent = new SprecInput("BLD", "PED", true, Collected, Collected.AddMinutes(40), "RT", 20, 2000, 15, true, 2500, Collected.AddMinutes(90), -80);
        var code = Sprec.Derive(parent);
        code.Split('-').Length.ShouldBe(7);
        Sprec.Derive(parent with { SampleType = "PL2" }).ShouldBe("PL2" + code[3..]);
    }

    private static DateTime? At(int? minutes) => minutes is { } m ? Collected.AddMinutes(m) : null;
}
