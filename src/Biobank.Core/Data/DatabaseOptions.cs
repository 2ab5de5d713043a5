namespace Biobank.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Reads <c>Database:Provider</c> and <c>ConnectionStrings:Biobank</c>; both come from the environment
/// as <c>Database__Provider</c> and <c>ConnectionStrings__Biobank</c> too.
/// </summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionKey = "ConnectionStrings:Biobank";

    public static DatabaseOptions FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var raw = config[ProviderKey];
        var provider = string.IsNullOrWhiteSpace(raw) ? "Sqlite" : raw.Trim();
        DatabaseProvider parsed = provider.ToLowerInvariant() switch
        {
            "sqlite" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
            _ => throw new ConfigurationException(
                $"Unknown database provider '{provider}' in setting {ProviderKey} (environment Database__Provider). " +
                "Use 'Sqlite' or 'Postgres'."),
        };
        var connection = config[ConnectionKey];
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (parsed == DatabaseProvider.Postgres)
            {
                throw new ConfigurationException(
                    $"Setting {ConnectionKey} (environment ConnectionStrings__Biobank) is required when {ProviderKey} is Postgres.");
            }
            connection = $"Data Source={DefaultSqlitePath(config)}";
        }
        return new DatabaseOptions(parsed, connection);
    }

    /// <summary>The app's data folder: <c>Biobank:DataFolder</c>, else the user's local application data.</summary>
    public static string DefaultSqlitePath(Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var folder = config["Biobank:DataFolder"];
        if (string.IsNullOrWhiteSpace(folder))
        {
            folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "biobank");
        }
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "biobank.db");
    }
}

public sealed class ConfigurationException(string message) : Exception(message);
