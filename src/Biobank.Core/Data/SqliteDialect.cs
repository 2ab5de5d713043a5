using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Biobank.Core.Data;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The write turn lives as long as the process's one dialect; disposing it at shutdown would throw in a writer still finishing.")]
public sealed class SqliteDialect : ISqlDialect
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, object> _writers = new();
    private int _walChecked;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new ConfigurationException("ConnectionStrings:Biobank names no SQLite file: write it as 'Data Source=/path/to/biobank.db'.");
        }
        if (builder.Mode != SqliteOpenMode.Memory)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }
        }
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    public string DataSource { get; }

    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string MigrationFolder => "sqlite";

    public string ILike => "LIKE";

    public string LockRows => "";

    public string InList(string column, string parameter) => $"{column} IN {parameter}";

    public string TableExists => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Table";

    public DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    public async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        // WAL is persistent in the file; checking it once per process is enough.
        await using var cmd = connection.CreateCommand();
        if (Interlocked.Exchange(ref _walChecked, 1) == 0)
        {
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // busy_timeout lets a second writer wait for the lock instead of failing at once.
        cmd.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct)
    {
        // Writers of this process queue on a semaphore instead of meeting in SQLite's busy handler, whose
        // coarse sleeps (up to 100 ms) would make the slowest scans wait far longer than the lock is held.
        // The connection keeps its turn until it closes, so sequential transactions on it do not deadlock.
        if (!_writers.TryGetValue(connection, out _))
        {
            await _writeTurn.WaitAsync(ct);
            _writers.Add(connection, new object());
            connection.StateChange += ReleaseTurn;
        }
        try
        {
            // deferred: false => BEGIN IMMEDIATE: the write lock is taken now, not at the first write.
            return ((SqliteConnection)connection).BeginTransaction(deferred: false);
        }
        catch
        {
            connection.StateChange -= ReleaseTurn;
            _writers.Remove(connection);
            _writeTurn.Release();
            throw;
        }
    }

    private void ReleaseTurn(object? sender, System.Data.StateChangeEventArgs e)
    {
        if (e.CurrentState == System.Data.ConnectionState.Closed && sender is DbConnection connection && _writers.Remove(connection))
        {
            connection.StateChange -= ReleaseTurn;
            _writeTurn.Release();
        }
    }

    public Task<IAsyncDisposable> AcquireMigrationLockAsync(DbConnection connection, CancellationToken ct)
        // Each migration runs in a BEGIN IMMEDIATE transaction that re-reads the journal: that is the lock.
        => Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    public bool IsUniqueViolation(Exception error) =>
        error is SqliteException { SqliteErrorCode: 19 } e &&
        (e.SqliteExtendedErrorCode == 2067 || e.SqliteExtendedErrorCode == 1555);

    public bool IsForeignKeyViolation(Exception error) =>
        error is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 };

    public async Task<long> BulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = new DbParameter[columns.Count];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = cmd.CreateParameter();
            parameters[i].ParameterName = "$p" + i;
            cmd.Parameters.Add(parameters[i]);
        }
        // One compiled statement for every row: parsing the SQL again per row would cost more than the insert.
        await cmd.PrepareAsync(ct);
        long count = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = row[i] switch
                {
                    null => DBNull.Value,
                    DateTime d => (d.Kind == DateTimeKind.Unspecified ? d : d.ToUniversalTime()).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
                    var v => v,
                };
            }
            await cmd.ExecuteNonQueryAsync(ct);
            count++;
        }
        return count;
    }

    public Task EnsureDatabaseExistsAsync(CancellationToken ct) => Task.CompletedTask;

    public Task<IBulkInsert> BeginBulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<BulkColumn> columns, CancellationToken ct) =>
        Task.FromResult<IBulkInsert>(new SqliteBulkInsert((SqliteConnection)connection, (SqliteTransaction)tx, table, columns));

    public string Describe() => $"SQLite {DataSource}";

    public async Task<IReadOnlyList<string>> CheckStorageAsync(DbConnection connection, CancellationToken ct)
    {
        var problems = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "PRAGMA integrity_check";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (r.GetString(0) != "ok")
                {
                    problems.Add("integrity_check: " + r.GetString(0));
                }
            }
        }
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "PRAGMA foreign_key_check";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                problems.Add($"foreign_key_check: {r.GetValue(0)} row {r.GetValue(1)} refers to a missing {r.GetValue(2)}");
            }
        }
        return problems;
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
