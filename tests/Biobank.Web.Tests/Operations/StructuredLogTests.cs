using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Biobank.Core.Common;
using Biobank.Web.Infrastructure;
using Biobank.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Biobank.Web.Tests.Operations;

/// <summary>
/// Outside Development the console log is one JSON object per line, and every line written while a request is handled
/// carries the request's ID — the same string as the response's X-Request-Id and the error page's reference.
/// </summary>
public sealed class StructuredLogTests : IClassFixture<StructuredLogTests.ProductionFactory>
{
    private readonly ProductionFactory _app;

    public StructuredLogTests(ProductionFactory app) => _app = app;

    public sealed class ProductionFactory : BiobankWebFactory
    {
        public ProductionFactory()
        {
            Environment = "Production";
            Settings["Logging:LogLevel:Default"] = "Information";
            Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Information";
        }

        public ConcurrentQueue<string> Lines { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                // The console's own JSON formatter, with the app's options, writing to memory instead of stdout.
                services.AddSingleton<ILoggerProvider>(sp => new CapturingProvider(
                    sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json), Lines));
                services.AddSingleton<IHomePanel, ThrowingPanel>();
            });
        }
    }

    [Fact]
    public async Task Every_line_is_JSON_and_every_line_of_a_request_carries_its_X_Request_Id()
    {
        _app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName.ShouldBe(ConsoleFormatterNames.Json);
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://biobank.example"), AllowAutoRedirect = false });

        var login = await client.GetAsync("/Account/Login");
        var refused = await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "tech.bru", ["Input.Password"] = "not-the-password-at-all" });
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await BiobankWebFactory.PostFormAsync(client, "/Account/Login", new() { ["Input.UserName"] = "tech.bru", ["Input.Password"] = BiobankWebFactory.Password }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var failing = await client.GetAsync("/");
        failing.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);

        var ids = new[] { login, refused, failing }.Select(r => r.Headers.GetValues(RequestId.Header).Single()).ToList();
        ids.Distinct().Count().ShouldBe(3);
        var page = await BiobankWebFactory.HtmlAsync(failing);
        page.QuerySelector("#reference")!.TextContent.ShouldBe(ids[2], "the error page's reference is the request ID");

        var entries = _app.Lines.ToList().Select(line =>
        {
            try
            {
                return JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new ShouldAssertException($"not JSON: {line}", e);
            }
        }).ToList();
        entries.ShouldNotBeEmpty();
        foreach (var e in entries)
        {
            e.GetProperty("Timestamp").GetString()!.ShouldEndWith("Z");
        }

        // Lines written by request-handling code must name the request.
        string[] requestCategories = ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Mvc",
            "Microsoft.AspNetCore.Diagnostics", "Biobank.Web.Pages"];
        var requestLines = entries.Where(e => requestCategories.Any(c => e.GetProperty("Category").GetString()!.StartsWith(c, StringComparison.Ordinal))).ToList();
        requestLines.ShouldNotBeEmpty();
        foreach (var e in requestLines)
        {
            RequestIdOf(e).ShouldNotBeNull(e.GetRawText());
        }

        var warning = entries.Single(e => e.GetProperty("Category").GetString() == "Biobank.Web.Pages.Account.LoginModel");
        warning.GetProperty("LogLevel").GetString().ShouldBe("Warning");
        RequestIdOf(warning).ShouldBe(ids[1]);
        var errors = entries.Where(e => e.GetProperty("LogLevel").GetString() == "Error").ToList();
        errors.ShouldContain(e => e.GetProperty("Category").GetString() == "Biobank.Web.Pages.ErrorModel");
        errors.ShouldAllBe(e => RequestIdOf(e) == ids[2]);
        entries.Where(e => RequestIdOf(e) == ids[0]).ShouldNotBeEmpty("the sign-in page request logged its start and end");
    }

    private static string? RequestIdOf(JsonElement entry) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RequestId", out _))
                .Select(s => s.GetProperty("RequestId").GetString()).FirstOrDefault()
            : null;

    private sealed class ThrowingPanel : IHomePanel
    {
        public int Order => 0;

        public IReadOnlyList<string> Roles => Biobank.Core.Common.Roles.All;

        public Task<HomePanelView?> RenderAsync(Caller caller, CancellationToken ct) => throw new InvalidOperationException("test-only failure of a home panel");
    }

    private sealed class CapturingProvider(ConsoleFormatter formatter, ConcurrentQueue<string> lines) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        private ConsoleFormatter Formatter => formatter;

        private ConcurrentQueue<string> Lines => lines;

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(string category, CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                using var writer = new StringWriter();
                provider.Formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider._scopes, writer);
                foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    provider.Lines.Enqueue(line);
                }
            }
        }
    }
}
