using Biobank.Labels.Printing;
using Biobank.Labels.Rendering;
using Biobank.Labels.Templates;

namespace Biobank.Web.Labels;

public static class LabelsSetup
{
    /// <summary>
    /// Label printing for the web app: the templates folder (setting <c>Biobank:LabelsFolder</c>, else
    /// <c>labels/</c> beside Biobank.sln, else the copy in the output folder), the preview, the ZPL
    /// sender and the printing service. Printers and label data are Core use cases (AddBiobankCore).
    /// </summary>
    public static IServiceCollection AddBiobankLabels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var contentRoot = sp.GetService<IWebHostEnvironment>()?.ContentRootPath;
            return new LabelTemplates(TemplateFolder.Find(configuration[TemplateFolder.Setting], contentRoot, AppContext.BaseDirectory));
        });
        services.AddSingleton(_ => new ZplPrinter(new ZplPrinterOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(configuration.GetValue("Biobank:PrinterConnectSeconds", 3.0)),
            Attempts = configuration.GetValue("Biobank:PrinterAttempts", 3),
        }));
        // Reads its two font files once; rendering itself keeps no state between calls.
        services.AddSingleton(_ => new LabelPreview());
        services.AddSingleton<LabelPrinting>();
        return services;
    }
}

/// <summary>The label templates folder and the shipped templates in it.</summary>
public sealed class LabelTemplates(string folder)
{
    public string Folder { get; } = folder;

    public IReadOnlyList<string> Names => LabelTemplate.List(Folder);

    public Core.Common.Result<LabelTemplate> Load(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Core.Common.Result<LabelTemplate>.Invalid("Choose a label template.", "Template");
        }
        try
        {
            return Core.Common.Result<LabelTemplate>.Success(LabelTemplate.LoadByName(Folder, name.Trim()));
        }
        catch (LabelTemplateException e)
        {
            return Core.Common.Result<LabelTemplate>.Invalid(e.Message, "Template");
        }
    }
}
