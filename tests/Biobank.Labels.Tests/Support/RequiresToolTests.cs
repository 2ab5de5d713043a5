namespace Biobank.Labels.Tests.Support;

public sealed class RequiresToolTests
{
    [Fact]
    public void A_missing_decoder_skips_with_a_message_that_says_what_to_install()
    {
        var fact = new RequiresToolFactAttribute("ZXingReader-that-does-not-exist");
        if (ExternalTool.InCi)
        {
            fact.Skip.ShouldBeNull("in CI a missing decoder fails the test instead of skipping it");
            return;
        }

        fact.Skip.ShouldNotBeNull();
        fact.Skip.ShouldContain("ZXingReader-that-does-not-exist not found on PATH");
        fact.Skip.ShouldContain("zxing-cpp-tools");
    }

    [Fact]
    public void A_present_tool_does_not_skip()
    {
        new RequiresToolFactAttribute("sh").Skip.ShouldBeNull();
    }
}
