using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;

namespace Biobank.Web.Api;

/// <summary>
/// How the JSON API reads requests: small bodies, no duplicate keys, and a request it cannot read answered with a
/// problem that names the JSON property or query parameter (the framework's own answer names neither).
/// </summary>
public static partial class ApiRequests
{
    /// <summary>The API takes a box or a scan, never a file: a body beyond this is refused before it is read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddBiobankApiRequests(this IServiceCollection services)
    {
        // {"name": "a", "name": "b"} must not mean "b" to us and "a" to the integration that sent it.
        services.Configure<JsonOptions>(o => o.SerializerOptions.AllowDuplicateProperties = false);
        // A binding failure becomes an exception in every environment, so the middleware below can name the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseBiobankApiRequests(this IApplicationBuilder app) =>
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), api => api.Use(ReadAsync));

    private static async Task ReadAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await TooLarge(http).ExecuteAsync(http);
            return;
        }
        if (http.Request.ContentLength > 0 && !http.Request.HasJsonContentType())
        {
            await Results.Problem(detail: "Send the body as JSON (Content-Type: application/json).", statusCode: 415, title: "Unsupported media type",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }).ExecuteAsync(http);
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge(http).ExecuteAsync(http);
                return;
            }
            var detail = Explain(e, out var field);
            var status = e.StatusCode == StatusCodes.Status415UnsupportedMediaType ? 415 : 400;
            await Results.Problem(detail: detail, statusCode: status, title: status == 415 ? "Unsupported media type" : "Invalid input",
                extensions: new Dictionary<string, object?> { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } }).ExecuteAsync(http);
        }
    }

    private static IResult TooLarge(HttpContext http) =>
        Results.Problem(detail: $"The request body is too large: the API takes at most {MaxBodyBytes / 1024} KB.", statusCode: 413, title: "Request body too large",
            extensions: new Dictionary<string, object?> { ["field"] = "body" });

    /// <summary>The sentence for a request that could not be read, and the property or parameter it concerns.</summary>
    private static string Explain(BadHttpRequestException e, out string field)
    {
        if (e.InnerException is JsonException json)
        {
            field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            var reason = json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            return field == "body"
                ? $"The body is not a JSON object this endpoint can read: {reason}."
                : $"'{field}' cannot be read: {reason}.";
        }
        if (BindFailure().Match(e.Message) is { Success: true } m)
        {
            field = m.Groups["name"].Value;
            return $"'{field}' cannot be read from '{m.Groups["value"].Value}': it must be a {Kind(m.Groups["type"].Value)}.";
        }
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            field = "Content-Type";
            return "Send the body as application/json.";
        }
        field = "body";
        return e.Message;
    }

    private static string Kind(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" => "whole number",
        "decimal" or "double" => "number",
        "bool" => "true or false",
        var t => t,
    };

    [GeneratedRegex("""parameter "(?<type>[^" ]+) (?<name>[^"]+)" from "(?<value>[^"]*)""")]
    private static partial Regex BindFailure();
}
