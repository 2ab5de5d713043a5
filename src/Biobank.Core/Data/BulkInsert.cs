using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Biobank.Core.Data;

public enum BulkType
{
    BigInt,
    Real,
    Boolean,
    Text,
    Numeric,
    TimestampUtc,
}

/// <summary>A column of a bulk insert; table and column names are constants of the calling code, never input.</summary>
public readonly record struct BulkColumn(string Name, BulkType Type);

/// <summary>
/// Millions of rows into one table inside the caller's transaction: a prepared INSERT reused for every row on
/// SQLite, binary COPY on PostgreSQL. Values are written in column order: <c>StartRow</c>, one <c>Write…</c> per
/// column, <c>EndRow</c>. Writes are synchronous on purpose: a million awaits would cost more than the insert.
/// </summary>
public interface IBulkInsert : IAsyncDisposable
{
    void StartRow();

    void Write(long value);

    void Write(double value);

    void Write(bool value);

    void Write(string value);

    void Write(decimal value);

    void Write(DateTime utc);

    void WriteNull();

    void EndRow();

    /// <summary>Finishes the insert (COPY needs it, or nothing is written) and returns the rows written.</summary>
    ValueTask<long> CompleteAsync(CancellationToken ct);
}

public static class BulkInsert
{
    public static string CheckName(string name) =>
        name.Length > 0 && name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            ? name
            : throw new ArgumentException($"'{name}' is not a plain table or column name.", nameof(name));
}

/// <summary>
/// One statement prepared once and stepped per row through SQLitePCL's raw API: parameters bound by position, no
/// per-row name lookups or boxing. It runs on the connection's handle, so it belongs to the open transaction.
/// </summary>
internal sealed class SqliteBulkInsert : IBulkInsert
{
    // A larger page cache while a big insert runs keeps the table and index pages being filled in memory.
    private const int BulkCacheKib = 65536;

    private readonly SqliteConnection _connection;
    private readonly SQLitePCL.sqlite3 _db;
    private readonly SQLitePCL.sqlite3_stmt _stmt;
    private readonly int _columns;
    private readonly long _oldCache;
    private int _next;
    private long _rows;

    public SqliteBulkInsert(SqliteConnection c, SqliteTransaction tx, string table, IReadOnlyList<BulkColumn> columns)
    {
        _ = tx; // the raw statement runs inside whatever transaction the connection has open
        _connection = c;
        _db = c.Handle!;
        _columns = columns.Count;
        var sql = $"INSERT INTO {BulkInsert.CheckName(table)} ({string.Join(", ", columns.Select(col => BulkInsert.CheckName(col.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
        Check(SQLitePCL.raw.sqlite3_prepare_v2(_db, sql, out _stmt));
        _oldCache = Pragma("PRAGMA cache_size");
        Exec($"PRAGMA cache_size = -{BulkCacheKib}");
    }

    public void StartRow() => _next = 0;

    public void Write(long value) => Check(SQLitePCL.raw.sqlite3_bind_int64(_stmt, ++_next, value));

    public void Write(double value) => Check(SQLitePCL.raw.sqlite3_bind_double(_stmt, ++_next, value));

    public void Write(bool value) => Check(SQLitePCL.raw.sqlite3_bind_int(_stmt, ++_next, value ? 1 : 0));

    public void Write(string value) => Check(SQLitePCL.raw.sqlite3_bind_text(_stmt, ++_next, value));

    // As Microsoft.Data.Sqlite binds a decimal: invariant text, which the NUMERIC column turns into a number.
    public void Write(decimal value) => Write(value.ToString(CultureInfo.InvariantCulture));

    // As Microsoft.Data.Sqlite writes a DateTime, so every time column reads back the same way.
    public void Write(DateTime utc) => Write(utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));

    public void WriteNull() => Check(SQLitePCL.raw.sqlite3_bind_null(_stmt, ++_next));

    public void EndRow()
    {
        if (_next != _columns)
        {
            throw new InvalidOperationException($"A bulk row needs {_columns} values; {_next} were written.");
        }
        var rc = SQLitePCL.raw.sqlite3_step(_stmt);
        SQLitePCL.raw.sqlite3_reset(_stmt);
        if (rc != SQLitePCL.raw.SQLITE_DONE)
        {
            Throw(rc);
        }
        _rows++;
    }

    public ValueTask<long> CompleteAsync(CancellationToken ct) => ValueTask.FromResult(_rows);

    public ValueTask DisposeAsync()
    {
        _stmt.Dispose();
        if (_connection.State == System.Data.ConnectionState.Open)
        {
            Exec($"PRAGMA cache_size = {_oldCache}");
        }
        return ValueTask.CompletedTask;
    }

    private long Pragma(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void Exec(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private void Check(int rc)
    {
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            Throw(rc);
        }
    }

    // The same exception Microsoft.Data.Sqlite throws, so the dialect recognises a unique violation.
    private void Throw(int rc) =>
        throw new SqliteException($"SQLite Error {rc}: '{SQLitePCL.raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, SQLitePCL.raw.sqlite3_extended_errcode(_db));
}

internal sealed class PostgresBulkInsert : IBulkInsert
{
    private readonly NpgsqlBinaryImporter _copy;
    private readonly NpgsqlDbType[] _types;
    private int _next;
    private long _rows;
    private bool _completed;

    private PostgresBulkInsert(NpgsqlBinaryImporter copy, NpgsqlDbType[] types)
    {
        _copy = copy;
        _types = types;
    }

    public static async Task<PostgresBulkInsert> BeginAsync(NpgsqlConnection c, string table, IReadOnlyList<BulkColumn> columns, CancellationToken ct)
    {
        // COPY joins the transaction open on the connection: a rollback removes every copied row.
        var sql = $"COPY {BulkInsert.CheckName(table)} ({string.Join(", ", columns.Select(col => BulkInsert.CheckName(col.Name)))}) FROM STDIN (FORMAT BINARY)";
        var copy = await c.BeginBinaryImportAsync(sql, ct);
        return new PostgresBulkInsert(copy, columns.Select(col => col.Type switch
        {
            BulkType.BigInt => NpgsqlDbType.Bigint,
            BulkType.Real => NpgsqlDbType.Double,
            BulkType.Boolean => NpgsqlDbType.Boolean,
            BulkType.Numeric => NpgsqlDbType.Numeric,
            BulkType.TimestampUtc => NpgsqlDbType.TimestampTz,
            _ => NpgsqlDbType.Text,
        }).ToArray());
    }

    public void StartRow()
    {
        _copy.StartRow();
        _next = 0;
    }

    public void Write(long value) => _copy.Write(value, _types[_next++]);

    public void Write(double value) => _copy.Write(value, _types[_next++]);

    public void Write(bool value) => _copy.Write(value, _types[_next++]);

    public void Write(string value) => _copy.Write(value, _types[_next++]);

    public void Write(decimal value) => _copy.Write(value, _types[_next++]);

    public void Write(DateTime utc) => _copy.Write(DateTime.SpecifyKind(utc, DateTimeKind.Utc), _types[_next++]);

    public void WriteNull()
    {
        _copy.WriteNull();
        _next++;
    }

    public void EndRow()
    {
        if (_next != _types.Length)
        {
            throw new InvalidOperationException($"A bulk row needs {_types.Length} values; {_next} were written.");
        }
        _rows++;
    }

    public async ValueTask<long> CompleteAsync(CancellationToken ct)
    {
        await _copy.CompleteAsync(ct);
        // Only disposing the importer hands the connection back: until then it stays in COPY state.
        _completed = true;
        await _copy.DisposeAsync();
        return _rows;
    }

    // Disposing an importer that was not completed cancels the COPY: none of its rows are written.
    public ValueTask DisposeAsync() => _completed ? ValueTask.CompletedTask : _copy.DisposeAsync();
}
