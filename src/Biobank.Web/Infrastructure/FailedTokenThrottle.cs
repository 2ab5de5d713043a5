using System.Threading.RateLimiting;

namespace Biobank.Web.Infrastructure;

/// <summary>
/// Failed bearer tokens per client address (setting Biobank:ApiFailedTokensPerMinute, 30 by default). The API's
/// request limit is keyed on the token, so a flood of random tokens had a fresh bucket each; this one is keyed on the
/// address the guesses come from, and once it is spent that address gets 429 for the rest of the minute — even with
/// a good token, so a guesser cannot tell a hit from the throttle.
/// </summary>
public sealed class FailedTokenThrottle(IConfiguration config) : IDisposable
{
    public const int DefaultPerMinute = 30;

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, config.GetValue("Biobank:ApiFailedTokensPerMinute", DefaultPerMinute)),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool IsBlocked(string address) => _failures.GetStatistics(address)?.CurrentAvailablePermits == 0;

    public void RecordFailure(string address)
    {
        using var lease = _failures.AttemptAcquire(address);
    }

    public void Dispose() => _failures.Dispose();
}
