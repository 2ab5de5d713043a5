using Biobank.Core.Accounts;
using Biobank.Core.Assays;
using Biobank.Core.Audit;
using Biobank.Core.Data;
using Biobank.Core.Demo;
using Biobank.Core.Registry;
using Biobank.Core.Labels;
using Biobank.Core.Samples;
using Biobank.Core.Shipments;
using Biobank.Core.Sites;
using Biobank.Core.Storage;
using Biobank.Labels.Printing;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Biobank.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Database, dialect and every use case of Core. Throws <see cref="ConfigurationException"/> on a bad provider.</summary>
    public static IServiceCollection AddBiobankCore(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.Configure();
        var options = DatabaseOptions.FromConfiguration(configuration);
        services.AddSingleton(options);
        services.AddSingleton(Db.CreateDialect(options));
        services.AddSingleton<IDb, Db>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IAudit, AuditTrail>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<AppRole>();
        services.AddSingleton<Backup>();
        services.AddSingleton<Operations.IntegrityCheck>();
        services.AddSingleton<Operations.MaintenanceRuns>();
        services.AddSingleton(_ => Operations.BackupOptions.FromConfiguration(configuration));
        services.AddSingleton<Operations.RotatingBackup>();
        services.AddSingleton<Analysis.AssociationAnalysis>();
        services.AddSingleton<Analysis.SavedAnalyses>();

        services.AddSingleton<UserAccounts>();
        services.AddSingleton(ApiTokenOptions.FromConfiguration(configuration));
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<SiteDirectory>();
        services.AddSingleton<AuditQueries>();
        services.AddSingleton<DemoSeeder>();

        services.AddSingleton<Protocol>();
        services.AddSingleton<Patients>();
        services.AddSingleton<Collections>();
        services.AddSingleton<Aliquoting>();
        services.AddSingleton<TubeQueries>();
        services.AddSingleton<ProcessingRecords>();
        services.AddSingleton<TubesToStore>();
        services.AddSingleton<ExportTubes>();
        services.AddSingleton<StorageSetup>();
        services.AddSingleton<StoreTube>();
        services.AddSingleton<TubeActions>();
        services.AddSingleton<RackImport>();
        services.AddSingleton<IDemoSeedPart, LabBenchDemo>();

        services.AddSingleton<ShipmentQueries>();
        services.AddSingleton<BuildShipment>();
        services.AddSingleton<MoveShipment>();
        services.AddSingleton<ManifestExport>();
        services.AddSingleton<ImportExternalManifest>();
        services.AddSingleton<OverdueShipments>();
        services.AddSingleton<BuildShipmentDocuments>();
        services.AddSingleton<IDemoFollowUp, ShipmentsDemo>();

        services.AddSingleton<ImportRegistry>();
        services.AddSingleton<ImportDoses>();
        services.AddSingleton<DoseQueries>();
        services.AddSingleton<PatientTimeline>();
        services.AddSingleton<AssayResultCounts>();
        services.AddSingleton<DestructionList>();
        services.AddSingleton<IDemoSeedPart, RegistryDemoData>();
        services.AddSingleton(PrinterOptions.FromConfiguration(configuration));
        services.AddSingleton<Printers>();
        services.AddSingleton<LabelData>();
        services.AddSingleton<LabelPrintLog>();
        // Templates beside Biobank.sln above the web app's content root or the working folder, else the program's copy.
        services.AddSingleton(new LabelTemplates(configuration[TemplateFolder.Setting], configuration["contentRoot"], Directory.GetCurrentDirectory()));
        services.AddSingleton(new ZplPrinter(new ZplPrinterOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(configuration.GetValue("Biobank:PrinterConnectSeconds", 3.0)),
            Attempts = configuration.GetValue("Biobank:PrinterAttempts", 3),
        }));
        // Reads its two font files into SkiaSharp once, at the first preview: a command that prints no preview (the CLI's
        // labels verb) never loads SkiaSharp.
        services.AddSingleton(_ => new Lazy<LabelPreview>(() => new LabelPreview()));
        services.AddSingleton<PreviewLabels>();
        services.AddSingleton<PrintLabels>();
        services.AddSingleton<LabelBatches>();
        services.AddSingleton<AssayCatalogue>();
        services.AddSingleton(AssayImportSettings.FromConfiguration(configuration));
        services.AddSingleton<ImportAssay>();
        services.AddSingleton<AssayRuns>();
        services.AddSingleton<ReviewAssayRun>();
        services.AddSingleton<AssayResults>();
        services.AddSingleton<ImportJobs>();
        services.AddSingleton<ImportJobProgress>();
        services.AddSingleton<RunImportJob>();
        services.AddSingleton<IDemoSeedPart, AssaysDemo>();
        return services;
    }
}
