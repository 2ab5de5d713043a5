using System.Data.Common;

namespace Biobank.Core.Data;

/// <summary>
/// Everything that differs between the databases lives behind this interface and nowhere else.
/// A SQL Server dialect is one more implementation.
/// </summary>
public interface ISqlDialect
{
    DatabaseProvider Provider { get; }

    /// <summary>Folder name under <c>db/</c> holding this dialect's migrations.</summary>
    string MigrationFolder { get; }

    DbConnection CreateConnection();

    /// <summary>Per-connection settings (pragmas) run after every open.</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A write transaction; SQLite takes the write lock up front so two writers never deadlock on upgrade.</summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Serialises migrations across processes until disposed.</summary>
    Task<IAsyncDisposable> AcquireMigrationLockAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Case-insensitive LIKE operator.</summary>
    string ILike { get; }

    /// <summary>
    /// Appended to a SELECT inside a write transaction to hold the rows read until commit: PostgreSQL's FOR UPDATE;
    /// nothing on SQLite, whose write transaction already holds the whole database's write lock.
    /// </summary>
    string LockRows { get; }

    /// <summary>
    /// "<paramref name="column"/> is one of the list in <paramref name="parameter"/>": Dapper expands
    /// <c>IN @list</c> for SQLite, but hands Npgsql the list as one array parameter, which needs <c>= ANY(@list)</c>.
    /// </summary>
    string InList(string column, string parameter);

    /// <summary>SQL answering 1 when a table named <c>@Table</c> exists in the current schema, else 0.</summary>
    string TableExists { get; }

    /// <summary>True when the error is a unique-constraint violation (the loser of a race).</summary>
    bool IsUniqueViolation(Exception error);

    /// <summary>True when the error is a foreign-key violation.</summary>
    bool IsForeignKeyViolation(Exception error);

    /// <summary>
    /// Writes many rows into one table inside <paramref name="tx"/>: a prepared INSERT run per row (SQLite), binary COPY
    /// (PostgreSQL). <paramref name="table"/> and <paramref name="columns"/> are constants of the caller, never input.
    /// Values are long, int, decimal, double, bool, string, DateTime (UTC) or null.
    /// </summary>
    Task<long> BulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken ct);

    /// <summary>Creates an empty database when the server needs it (PostgreSQL in tests); no-op for files.</summary>
    Task EnsureDatabaseExistsAsync(CancellationToken ct);

    /// <summary>
    /// Starts a bulk insert into <paramref name="table"/> inside <paramref name="tx"/>: a prepared INSERT on SQLite,
    /// binary COPY on PostgreSQL.
    /// </summary>
    Task<IBulkInsert> BeginBulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<BulkColumn> columns, CancellationToken ct);

    /// <summary>
    /// The database's own consistency checks, each problem as one line; empty when all pass. SQLite: <c>PRAGMA
    /// integrity_check</c> and <c>PRAGMA foreign_key_check</c>. PostgreSQL enforces foreign keys itself and keeps its pages
    /// checksummed per cluster setting, so there is nothing to ask per database.
    /// </summary>
    Task<IReadOnlyList<string>> CheckStorageAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A short description safe to show (no password).</summary>
    string Describe();
}
