using Biobank.Cli.Verbs;

namespace Biobank.Cli;

public static class VerbCatalog
{
    public static readonly IReadOnlyList<IVerb> All =
    [
        new MigrateVerb(),
        new GrantAppRoleVerb(),
        new CreateTokenVerb(),
        new SeedDemoVerb(),
        new AssociateVerb(),
        new BackupVerb(),
        new RestoreVerb(),
        new CheckVerb(),
        new ImportRegistryVerb(),
        new ImportDosesVerb(),
        new LabelsVerb(),
        new ImportAssayVerb(),
    ];
}
