using System.Security.Claims;
using System.Threading.RateLimiting;
using Biobank.Core;
using Biobank.Core.Accounts;
using Biobank.Core.Common;
using Biobank.Core.Data;
using Biobank.Core.Demo;
using Biobank.Web.Api;
using Biobank.Web.Jobs;
using Biobank.Web.Registry;
using Biobank.Web.Shipments;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Biobank.Web.Infrastructure;

public static class Policies
{
    public const string Admin = "Admin";
    public const string Lab = "Lab";               // technicians at the bench
    public const string Shipping = "Shipping";     // site staff and technicians moving tubes between sites
    public const string Analysis = "Analysis";     // biologists
    public const string Registry = "Registry";     // patients, treatment and doses: everyone who works with samples or results
    public const string Api = "Api";
}

public static class WebSetup
{
    public const string SmartScheme = "Smart";
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public static WebApplicationBuilder AddBiobankWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddBiobankCore(config);
        services.AddSingleton<DemoState>();
        services.AddSingleton<FailedTokenThrottle>();
        services.AddBiobankJobs(config);
        services.AddDataProtection().SetApplicationName("Biobank");
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DbKeyRepository(sp.GetRequiredService<IDb>(), sp.GetRequiredService<TimeProvider>())));
        services.AddSingleton<IHomePanel, AdminHomePanel>();
        services.AddSingleton<IHomePanel, ShipmentsHomePanel>();
        services.AddSingleton<IHomePanel, TubesToStorePanel>();
        services.AddSingleton<IHomePanel, DestructionHomePanel>();
        // Outside Development one JSON object per line for the log shipper; the hosting scope puts RequestId (the
        // X-Request-Id header and the error page's reference) on every line written while a request is handled.
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }

        var idle = TimeSpan.FromMinutes(config.GetValue("Biobank:IdleTimeoutMinutes", 30));
        services.AddAuthentication(SmartScheme)
            // A bearer token is an API credential: under /api/ only; on a page the cookie decides, as for a browser.
            .AddPolicyScheme(SmartScheme, "Cookie or bearer", o => o.ForwardDefaultSelector = ctx =>
                BearerTokenHandler.IsApi(ctx.Request) && ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "biobank.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.ExpireTimeSpan = idle;
                o.SlidingExpiration = true;
                o.LoginPath = "/Account/Login";
                o.LogoutPath = "/Account/Logout";
                o.AccessDeniedPath = "/Account/AccessDenied";
                o.Events.OnValidatePrincipal = ValidateStampAsync;
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, 401);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, 403);
            })
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Lab, p => p.RequireRole(Roles.Technician, Roles.SiteStaff, Roles.Admin))
            .AddPolicy(Policies.Shipping, p => p.RequireRole(Roles.SiteStaff, Roles.Technician, Roles.Admin))
            .AddPolicy(Policies.Analysis, p => p.RequireRole(Roles.Biologist, Roles.Admin))
            .AddPolicy(Policies.Registry, p => p.RequireRole(Roles.Technician, Roles.SiteStaff, Roles.Biologist, Roles.Admin))
            // The default (smart) scheme already picks bearer or cookie per request; naming both here would challenge twice.
            .AddPolicy(Policies.Api, p => p.RequireAuthenticatedUser());

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "biobank.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.HeaderName = "RequestVerificationToken";
        });

        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
            o.Conventions.AuthorizeFolder("/Samples", Policies.Lab);
            o.Conventions.AuthorizeFolder("/Storage", Policies.Lab);
            o.Conventions.AuthorizeFolder("/Shipments", Policies.Shipping);
            o.Conventions.AuthorizeFolder("/Analysis", Policies.Analysis);
            o.Conventions.AuthorizeFolder("/Assays", Policies.Analysis);
            o.Conventions.AuthorizeFolder("/Labels", Policies.Lab);
            o.Conventions.AuthorizeFolder("/Registry", Policies.Registry);
            o.Conventions.AllowAnonymousToPage("/Account/Login");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AddFolderApplicationModelConvention("/", m => m.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()));
        });
        services.AddProblemDetails();
        services.AddBiobankApiRequests();
        services.AddHttpContextAccessor();
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = MaxUploadBytes);
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxUploadBytes);
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Sign-in: per client address, so guessing passwords is slow even across accounts.
            o.AddPolicy("sign-in", ctx => HttpMethods.IsGet(ctx.Request.Method) ? RateLimitPartition.GetNoLimiter("get") : RateLimitPartition.GetFixedWindowLimiter(
                ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = config.GetValue("Biobank:SignInPerMinute", 20), Window = TimeSpan.FromMinutes(1) }));
            // API: per token (or address), generous enough for a scanner burst. Guessing tokens is slowed by
            // FailedTokenThrottle, per address: a random token per request would get a fresh bucket here.
            o.AddPolicy("api", ctx => RateLimitPartition.GetTokenBucketLimiter(
                ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = config.GetValue("Biobank:ApiBurst", 2000),
                    TokensPerPeriod = config.GetValue("Biobank:ApiPerSecond", 1000),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
        });
        return builder;
    }

    public static async Task<WebApplication> UseBiobankWebAsync(this WebApplication app)
    {
        await app.PrepareDatabaseAsync();
        app.UseRequestId();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }
        else
        {
            app.UseDeveloperExceptionPage();
        }
        app.UseSecurityHeaders();
        app.UseBiobankApiRequests();
        app.UseServerTiming();
        app.UseStatusCodePages(async ctx =>
        {
            if (ctx.HttpContext.Request.Path.StartsWithSegments("/api"))
            {
                await Results.Problem(statusCode: ctx.HttpContext.Response.StatusCode).ExecuteAsync(ctx.HttpContext);
            }
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseJobsDashboardHiding();
        app.UseAntiforgery();
        app.MapHealth();
        app.MapBiobankApi();
        app.MapRazorPages();
        await app.UseBiobankJobsAsync();
        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app));
        return app;
    }

    private static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Biobank.Startup");
        var dialect = app.Services.GetRequiredService<ISqlDialect>();
        log.LogInformation("Database: {Database}", dialect.Describe());
        var report = await app.Services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        log.LogInformation("Migrations applied: {Applied}; already applied: {Count}", report.Applied.Count, report.AlreadyApplied);
        var seed = app.Configuration.GetValue("Biobank:SeedDemo", app.Environment.IsDevelopment());
        if (seed)
        {
            var options = new DemoOptions(
                Patients: app.Configuration.GetValue("Biobank:DemoPatients", 40),
                Password: app.Configuration["Biobank:DemoPassword"] ?? DemoSeeder.DefaultPassword);
            var result = await app.Services.GetRequiredService<DemoSeeder>().SeedAsync(options, CancellationToken.None);
            app.Services.GetRequiredService<DemoState>().Report = result;
        }
    }

    private static void PrintBanner(WebApplication app)
    {
        var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var report = app.Services.GetRequiredService<DemoState>().Report;
        var lines = new List<string> { "", "Biobank LIMS is running." };
        foreach (var a in addresses ?? [])
        {
            lines.Add($"  Open {a}");
        }
        if (report is not null)
        {
            lines.Add(report.Seeded ? "  Demo data was created." : "  Demo data already present.");
            lines.Add($"  Demo sign-ins (password '{report.Password}' unless changed):");
            foreach (var l in report.Logins.Where(l => l.Site is "central" or "BRU" or "STO"))
            {
                lines.Add($"    {l.UserName,-14} {l.Role,-11} {l.Site}");
            }
            lines.Add("    … and tech./staff./bio./admin. + aar, lyo, ess, upp for the other sites.");
        }
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }

    private static Task ValidateStampAsync(CookieValidatePrincipalContext ctx)
    {
        return Validate();

        async Task Validate()
        {
            var accounts = ctx.HttpContext.RequestServices.GetRequiredService<UserAccounts>();
            var id = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
            var stamp = ctx.Principal?.FindFirstValue(CallerClaims.Stamp);
            var user = long.TryParse(id, out var userId) ? await accounts.FindAsync(userId, ctx.HttpContext.RequestAborted) : null;
            // A disabled user, or changed roles, site or password, ends every open session at its next request.
            if (user is null || user.Disabled || user.SecurityStamp != stamp)
            {
                ctx.RejectPrincipal();
                await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }
        }
    }

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            if (status == 401)
            {
                ctx.Response.Headers.WWWAuthenticate = BearerTokenHandler.SchemeName;
            }
            return Results.Problem(statusCode: status, title: status == 401 ? "Sign-in required" : "Not allowed").ExecuteAsync(ctx.HttpContext);
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>What the start-up seed produced, for the banner and the sign-in page hint.</summary>
public sealed class DemoState
{
    public DemoReport? Report { get; set; }
}
