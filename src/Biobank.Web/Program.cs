using Biobank.Core.Data;
using Biobank.Web.Infrastructure;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddBiobankWeb();
    var app = builder.Build();
    await app.UseBiobankWebAsync();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is ConfigurationException or MigrationException)
{
    // A wrong setting or database must stop start-up with words, not a stack trace.
    await Console.Error.WriteLineAsync($"Biobank cannot start: {e.Message}");
    return 1;
}

public partial class Program;
