using System.Data.Common;
using Npgsql;

namespace Biobank.Core.Data;

public sealed class PostgresDialect : ISqlDialect
{
    // Arbitrary but fixed: every node asks for the same advisory lock while migrating.
    private const long MigrationLockKey = 0x42_69_6F_62_61_6E_6B;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;

    public PostgresDialect(string connectionString)
    {
        _connectionString = connectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        _dataSource = builder.Build();
    }

    public DatabaseProvider Provider => DatabaseProvider.Postgres;

    public string MigrationFolder => "postgres";

    public string ILike => "ILIKE";

    public string LockRows => " FOR UPDATE";

    public string InList(string column, string parameter) => $"{column} = ANY({parameter})";

    public string TableExists => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @Table";

    public DbConnection CreateConnection() => _dataSource.CreateConnection();

    public Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);

    public async Task<IAsyncDisposable> AcquireMigrationLockAsync(DbConnection connection, CancellationToken ct)
    {
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = $"SELECT pg_advisory_lock({MigrationLockKey})";
            cmd.CommandTimeout = 300;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new AdvisoryLock(connection);
    }

    public bool IsUniqueViolation(Exception error) => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public bool IsForeignKeyViolation(Exception error) => error is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    public async Task<long> BulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        // COPY runs in the connection's open transaction: a rollback takes the rows back with everything else.
        var npgsql = (NpgsqlConnection)connection;
        await using var copy = await npgsql.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
        long count = 0;
        foreach (var row in rows)
        {
            await copy.StartRowAsync(ct);
            foreach (var value in row)
            {
                var write = value switch
                {
                    null => copy.WriteNullAsync(ct),
                    long v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Bigint, ct),
                    int v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Integer, ct),
                    decimal v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Numeric, ct),
                    double v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Double, ct),
                    bool v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Boolean, ct),
                    string v => copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Text, ct),
                    DateTime v => copy.WriteAsync(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz, ct),
                    _ => throw new ArgumentException($"BulkInsertAsync cannot write a {value.GetType().Name}."),
                };
                await write;
            }
            count++;
        }
        await copy.CompleteAsync(ct);
        return count;
    }

    public async Task EnsureDatabaseExistsAsync(CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString);
        var name = builder.Database;
        if (string.IsNullOrEmpty(name))
        {
            return;
        }
        builder.Database = "postgres";
        await using var admin = new NpgsqlConnection(builder.ToString());
        await admin.OpenAsync(ct);
        await using var check = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", admin);
        check.Parameters.AddWithValue("n", name);
        if (await check.ExecuteScalarAsync(ct) is null)
        {
            // Identifier cannot be a parameter; it comes from configuration, quoted defensively.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", admin);
            try
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // another node created it first
            }
        }
    }

    public async Task<IBulkInsert> BeginBulkInsertAsync(DbConnection connection, DbTransaction tx, string table, IReadOnlyList<BulkColumn> columns, CancellationToken ct) =>
        await PostgresBulkInsert.BeginAsync((NpgsqlConnection)connection, table, columns, ct);

    public Task<IReadOnlyList<string>> CheckStorageAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public string Describe()
    {
        var b = new NpgsqlConnectionStringBuilder(_connectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT pg_advisory_unlock({MigrationLockKey})";
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
