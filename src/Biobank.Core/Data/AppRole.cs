using System.Text.RegularExpressions;
using Dapper;

namespace Biobank.Core.Data;

public sealed record AppRoleReport(string Role, bool Created, int Tables);

/// <summary>
/// The least-privilege account the web app and the CLI connect with on PostgreSQL. Run by the owner of the schema
/// (the account that migrates): the application role may read and write the business tables, but only read and
/// append to the trails (<c>audit_log</c>, <c>custody_event</c>), only read the migration journal, and, not being the
/// owner, can neither ALTER a table (so no DISABLE TRIGGER) nor create one. Idempotent: run it again after every
/// migration; tables the owner creates later (new migrations; Hangfire's tables in the schema <c>hangfire</c>, which its
/// storage creates at the first start of a web node run as the owner) are granted by the default privileges set here.
/// Hangfire's schema gets read/write and nothing more: its rows are the job queue, not the lab's records.
/// </summary>
public sealed partial class AppRole(IDb db)
{
    // Identifiers and the password are quoted by PostgreSQL itself (format %I / %L), never spliced by hand.
    private const string RoleExists = "SELECT COUNT(*) FROM pg_roles WHERE rolname = @Role";

    private const string CreateRole = "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE', @Role::text, @Password::text)";

    private const string Grants = """
        SELECT unnest(ARRAY[
            -- PostgreSQL 15 already refuses CREATE in public to PUBLIC; older servers do not.
            format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema()),
            format('REVOKE CREATE ON SCHEMA %I FROM %I', current_schema(), @Role::text),
            format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), @Role::text),
            format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), @Role::text),
            format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), @Role::text),
            format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log, custody_event FROM %I', @Role::text),
            format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON schema_migrations FROM %I', @Role::text),
            format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), @Role::text),
            format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', current_schema(), @Role::text),
            format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), @Role::text),
            -- Hangfire's job store (Hangfire.PostgreSql, schema hangfire): created here when missing, so the default
            -- privileges below already hold when its storage creates its tables.
            'CREATE SCHEMA IF NOT EXISTS hangfire',
            format('GRANT USAGE ON SCHEMA hangfire TO %I', @Role::text),
            format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA hangfire TO %I', @Role::text),
            format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA hangfire TO %I', @Role::text),
            format('ALTER DEFAULT PRIVILEGES IN SCHEMA hangfire GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', @Role::text),
            format('ALTER DEFAULT PRIVILEGES IN SCHEMA hangfire GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', @Role::text)
        ])
        """;

    private const string CountTables = """
        SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
        """;

    public static bool IsValidName(string role) => RoleName().IsMatch(role);

    public async Task<AppRoleReport> GrantAsync(string role, string? password, CancellationToken ct)
    {
        if (db.Dialect.Provider != DatabaseProvider.Postgres)
        {
            throw new NotSupportedException("SQLite has no database roles: protect the database file with file-system permissions instead.");
        }
        if (!IsValidName(role))
        {
            throw new ArgumentException("Role: lower-case letters, digits and _, starting with a letter, at most 63 characters.", nameof(role));
        }
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<long>(new CommandDefinition(RoleExists, new { Role = role }, tx, cancellationToken: ct)) > 0;
        if (!exists)
        {
            if (string.IsNullOrEmpty(password))
            {
                throw new ArgumentException($"Role {role} does not exist: give a password to create it.", nameof(password));
            }
            var create = await c.ExecuteScalarAsync<string>(new CommandDefinition(CreateRole, new { Role = role, Password = password }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(create!, transaction: tx, cancellationToken: ct));
        }
        foreach (var statement in (await c.QueryAsync<string>(new CommandDefinition(Grants, new { Role = role }, tx, cancellationToken: ct))).AsList())
        {
            await c.ExecuteAsync(new CommandDefinition(statement, transaction: tx, cancellationToken: ct));
        }
        var tables = await c.ExecuteScalarAsync<int>(new CommandDefinition(CountTables, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new AppRoleReport(role, !exists, tables);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();
}
