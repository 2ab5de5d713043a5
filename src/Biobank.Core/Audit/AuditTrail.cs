using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Biobank.Core.Audit;

public static class AuditActions
{
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in-failed";
    public const string Export = "export";
    public const string Print = "print";
}

/// <summary>One change: what, which row, before and after, and why when it corrects data.</summary>
public sealed record AuditEntry(string Action, string Table, string Key, object? Old = null, object? New = null, string? Reason = null, long? SiteId = null);

public interface IAudit
{
    Task WriteAsync(DbConnection connection, DbTransaction? tx, string userName, AuditEntry entry, CancellationToken ct);
}

/// <summary>Appends to <c>audit_log</c> inside the caller's transaction, so a change and its record commit together.</summary>
public sealed class AuditTrail(TimeProvider clock) : IAudit
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const string Append = """
        INSERT INTO audit_log (occurred_utc, user_name, action, table_name, row_key, site_id, old_values, new_values, reason)
        VALUES (@Now, @UserName, @Action, @Table, @Key, @SiteId, @Old, @New, @Reason)
        """;

    public Task WriteAsync(DbConnection connection, DbTransaction? tx, string userName, AuditEntry entry, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(Append, new
        {
            Now = clock.GetUtcNow().UtcDateTime,
            UserName = userName,
            entry.Action,
            entry.Table,
            entry.Key,
            entry.SiteId,
            Old = Serialize(entry.Old),
            New = Serialize(entry.New),
            entry.Reason,
        }, tx, cancellationToken: ct));

    public static string? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => JsonSerializer.Serialize(value, value.GetType(), Json),
    };
}
