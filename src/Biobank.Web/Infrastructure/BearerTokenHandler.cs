using System.Text.Encodings.Web;
using Biobank.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Biobank.Web.Infrastructure;

/// <summary>
/// <c>Authorization: Bearer bbk_…</c> for scanners and integrations, under <c>/api/</c> only; the token acts as its user.
/// A token is not accepted on the pages: it has no antiforgery protection to offer and no session to end.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens, FailedTokenThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private const string ThrottledKey = "biobank.token-throttled";

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        if (!IsApi(Request))
        {
            return AuthenticateResult.NoResult();
        }
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.IsBlocked(address))
        {
            Context.Items[ThrottledKey] = true;
            return AuthenticateResult.Fail("Too many failed tokens from this address.");
        }
        var token = header["Bearer ".Length..].Trim();
        var user = await tokens.AuthenticateAsync(token, Context.RequestAborted);
        if (user is null)
        {
            throttle.RecordFailure(address);
            return AuthenticateResult.Fail("The token is unknown, revoked, expired, or its user is disabled.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(CallerClaims.ToPrincipal(user, SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(ThrottledKey))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "60";
            await Results.Problem(title: "Too many failed tokens", detail: "Too many unknown or expired tokens came from your address; wait a minute.", statusCode: 429).ExecuteAsync(Context);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        await Results.Problem(
            title: "Sign-in required",
            detail: "Send a valid, unexpired API token as 'Authorization: Bearer <token>'. Tokens are created by an administrator or with 'biobank create-token --user NAME'.",
            statusCode: 401).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(title: "Not allowed", detail: "Your role does not allow this.", statusCode: 403).ExecuteAsync(Context);
    }
}
