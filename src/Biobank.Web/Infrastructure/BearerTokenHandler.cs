using System.Text.Encodings.Web;
using Biobank.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Biobank.Web.Infrastructure;

/// <summary><c>Authorization: Bearer bbk_…</c> for scanners and integrations; the token acts as its user.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        var user = await tokens.AuthenticateAsync(token, Context.RequestAborted);
        if (user is null)
        {
            return AuthenticateResult.Fail("The token is unknown, revoked, or its user is disabled.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(CallerClaims.ToPrincipal(user, SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        await Results.Problem(
            title: "Sign-in required",
            detail: "Send a valid API token as 'Authorization: Bearer <token>'. Tokens are created by an administrator or with 'biobank create-token --user NAME'.",
            statusCode: 401).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(title: "Not allowed", detail: "Your role does not allow this.", statusCode: 403).ExecuteAsync(Context);
    }
}
