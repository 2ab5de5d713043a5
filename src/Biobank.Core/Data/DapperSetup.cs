using System.Data;
using System.Globalization;
using Dapper;

namespace Biobank.Core.Data;

/// <summary>
/// SQLite hands times back as text and PostgreSQL's timestamptz wants UTC kinds: every time in this
/// system is UTC, so one handler makes both say so.
/// </summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new DecimalHandler());
        SqlMapper.AddTypeHandler(new DoubleHandler());
    }

    // SQLite stores a NUMERIC value as INTEGER when it is whole and as REAL otherwise, so one column hands back Int64 on
    // one row and Double on the next; Dapper compiles its reader for the first row's type and fails on the other.
    // These handlers accept either (and PostgreSQL's decimal) for every decimal and double member.
    private sealed class DecimalHandler : SqlMapper.TypeHandler<decimal>
    {
        public override void SetValue(IDbDataParameter parameter, decimal value)
        {
            parameter.Value = value;
            parameter.DbType = DbType.Decimal;
        }

        public override decimal Parse(object value) => value switch
        {
            decimal d => d,
            long l => l,
            int i => i,
            double x => (decimal)x,
            float f => (decimal)f,
            string s => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class DoubleHandler : SqlMapper.TypeHandler<double>
    {
        public override void SetValue(IDbDataParameter parameter, double value)
        {
            parameter.Value = value;
            parameter.DbType = DbType.Double;
        }

        public override double Parse(object value) => value switch
        {
            double x => x,
            long l => l,
            int i => i,
            decimal d => (double)d,
            float f => f,
            string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(IDbDataParameter parameter, DateTime value)
        {
            parameter.Value = value.Kind switch
            {
                DateTimeKind.Utc => value,
                DateTimeKind.Local => value.ToUniversalTime(),
                _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            };
            parameter.DbType = DbType.DateTime;
        }

        public override DateTime Parse(object value) => value switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            DateTimeOffset o => o.UtcDateTime,
            string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a time."),
        };
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.Value = value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            parameter.DbType = DbType.String;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime d => DateOnly.FromDateTime(d),
            string s => DateOnly.ParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a date."),
        };
    }
}
