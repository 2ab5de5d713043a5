using System.Data.Common;

namespace Biobank.Core.Demo;

/// <summary>
/// One prepared INSERT reused for many rows inside a transaction: the fast path for seeding large volumes
/// on both databases without a provider-specific bulk API.
/// </summary>
public sealed class BulkCommand : IDisposable
{
    private readonly DbCommand _cmd;
    private readonly DbParameter[] _params;

    public BulkCommand(DbConnection c, DbTransaction tx, string sql, params string[] names)
    {
        _cmd = c.CreateCommand();
        _cmd.Transaction = tx;
        _cmd.CommandText = sql;
        _params = names.Select(n =>
        {
            var p = _cmd.CreateParameter();
            p.ParameterName = n;
            _cmd.Parameters.Add(p);
            return p;
        }).ToArray();
    }

    public async Task<long> ScalarAsync(CancellationToken ct, params object?[] values)
    {
        Bind(values);
        return Convert.ToInt64(await _cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(CancellationToken ct, params object?[] values)
    {
        Bind(values);
        await _cmd.ExecuteNonQueryAsync(ct);
    }

    private void Bind(object?[] values)
    {
        for (var i = 0; i < _params.Length; i++)
        {
            _params[i].Value = values[i] switch
            {
                null => DBNull.Value,
                DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
                var v => v,
            };
        }
    }

    public void Dispose() => _cmd.Dispose();
}
