using System.Data.Common;

namespace Biobank.Core.Data;

/// <summary>Opens prepared connections and write transactions for the configured database.</summary>
public interface IDb
{
    ISqlDialect Dialect { get; }

    Task<DbConnection> OpenAsync(CancellationToken ct);

    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);
}

public sealed class Db(ISqlDialect dialect) : IDb
{
    public ISqlDialect Dialect => dialect;

    public static ISqlDialect CreateDialect(DatabaseOptions options) => options.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(options.ConnectionString),
        DatabaseProvider.Postgres => new PostgresDialect(options.ConnectionString),
        _ => throw new ConfigurationException($"Unsupported provider {options.Provider}."),
    };

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            await dialect.PrepareAsync(connection, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        dialect.BeginWriteAsync(connection, ct);
}
