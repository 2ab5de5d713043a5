using Biobank.Core.Common;

namespace Biobank.Web.Api;

/// <summary>RFC 9457 problem details that name the field, from a use case's <see cref="Problem"/>.</summary>
public static class Problems
{
    public static IResult From(Problem problem)
    {
        var status = problem.Kind switch
        {
            ProblemKind.NotFound => StatusCodes.Status404NotFound,
            ProblemKind.Conflict => StatusCodes.Status409Conflict,
            ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var extensions = new Dictionary<string, object?>();
        if (problem.Field is { } field)
        {
            extensions["field"] = field;
            extensions["errors"] = new Dictionary<string, string[]> { [field] = [problem.Message] };
        }
        return Results.Problem(detail: problem.Message, statusCode: status, title: Title(status), extensions: extensions);
    }

    public static IResult Invalid(string field, string message) => From(new Problem(message, field));

    public static IResult NotFound(string message) => From(new Problem(message, null, ProblemKind.NotFound));

    private static string Title(int status) => status switch
    {
        404 => "Not found",
        409 => "Conflict",
        403 => "Not allowed",
        _ => "Invalid input",
    };
}
