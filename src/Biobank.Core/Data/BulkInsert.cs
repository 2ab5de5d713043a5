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

internal sealed class SqliteBulkInsert : IBulkInsert
{
    private readonly SqliteCommand _cmd;
    private readonly SqliteParameter[] _params;
    private readonly BulkType[] _types;
    private int _next;
    private long _rows;

    public SqliteBulkInsert(SqliteConnection c, SqliteTransaction tx, string table, IReadOnlyList<BulkColumn> columns)
    {
        _cmd = c.CreateCommand();
        _cmd.Transaction = tx;
        _cmd.CommandText = $"INSERT INTO {BulkInsert.CheckName(table)} ({string.Join(", ", columns.Select(col => BulkInsert.CheckName(col.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
        _types = columns.Select(col => col.Type).ToArray();
        _params = columns.Select((col, i) => _cmd.Parameters.Add("$p" + i.ToString(CultureInfo.InvariantCulture), col.Type switch
        {
            BulkType.BigInt or BulkType.Boolean => SqliteType.Integer,
            BulkType.Real => SqliteType.Real,
            _ => SqliteType.Text,
        })).ToArray();
        _cmd.Prepare();
    }

    public void StartRow() => _next = 0;

    public void Write(long value) => _params[_next++].Value = value;

    public void Write(double value) => _params[_next++].Value = value;

    public void Write(bool value) => _params[_next++].Value = value ? 1L : 0L;

    public void Write(string value) => _params[_next++].Value = value;

    // SQLite keeps volumes as NUMERIC: a decimal binds as text and the column affinity makes it a number.
    public void Write(decimal value) => _params[_next++].Value = value;

    public void Write(DateTime utc) => _params[_next++].Value = DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    public void WriteNull() => _params[_next++].Value = DBNull.Value;

    public void EndRow()
    {
        if (_next != _params.Length)
        {
            throw new InvalidOperationException($"A bulk row needs {_params.Length} values; {_next} were written.");
        }
        _cmd.ExecuteNonQuery();
        _rows++;
    }

    public ValueTask<long> CompleteAsync(CancellationToken ct) => ValueTask.FromResult(_rows);

    public ValueTask DisposeAsync()
    {
        _cmd.Dispose();
        return ValueTask.CompletedTask;
    }
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
