namespace Biobank.Core.Common;

/// <summary>What went wrong, in words a technician understands, and which field it concerns.</summary>
public sealed record Problem(string Message, string? Field = null, ProblemKind Kind = ProblemKind.Invalid, string? Code = null);

public enum ProblemKind
{
    Invalid,     // 422: the input is wrong
    NotFound,    // 404: nothing the caller may see has that key
    Conflict,    // 409: the world changed (position taken, already stored)
    Forbidden,   // 403: the caller's role may not do this
}

public readonly record struct Result<T>
{
    private Result(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    public bool Ok => Problem is null;

    public static Result<T> Success(T value) => new(value, null);

    public static Result<T> Fail(Problem problem) => new(default, problem);

    public static Result<T> Invalid(string message, string? field = null) => new(default, new Problem(message, field));

    public static Result<T> NotFound(string message, string? field = null) => new(default, new Problem(message, field, ProblemKind.NotFound));

    public static Result<T> Conflict(string message, string? field = null) => new(default, new Problem(message, field, ProblemKind.Conflict));

    public static implicit operator Result<T>(Problem problem) => Fail(problem);
}
