using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reelgate.Core.Accounts;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Limits;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Data;
using Reelgate.Data.Files;
using Reelgate.Server.Api;
using Reelgate.Server.Callbacks;
using Reelgate.Server.Mcp;
using Reelgate.Server.Observability;
using Reelgate.Server.OpenAi;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Web;
using Reelgate.Server.Options;
using Reelgate.Server.Security;
using Reelgate.Server.Workers;
using Scalar.AspNetCore;

namespace Reelgate.Server;

/// <summary>Builds the Reelgate web application: services, pipeline and routes. Used by Program and by tests.</summary>
public static class ReelgateHost
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(ReelgateHost).Assembly.GetName().Name });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        // --role api|worker|all (or Reelgate:Role). A worker node opens no HTTP port at all.
        if (builder.Configuration["role"] is { Length: > 0 } role)
        {
            builder.Configuration["Reelgate:Role"] = role;
        }

        if (builder.Configuration["Reelgate:Role"] == Roles.Worker)
        {
            builder.WebHost.UseServer(new NoHttpServer());
        }

        // The web app's CSS/JS and Blazor's script are static web assets: served from the build
        // output's manifest whatever the environment (make run runs the build output).
        builder.WebHost.UseStaticWebAssets();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        AddReelgate(builder.Services, builder.Configuration);
        return builder;
    }

    public static void AddReelgate(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReelgateOptions>().BindConfiguration(ReelgateOptions.Section).ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ReelgateOptions>>((host, o) => host.ShutdownTimeout = o.Value.ShutdownGrace + TimeSpan.FromSeconds(10));
        services.AddSingleton<IValidateOptions<ReelgateOptions>, ReelgateOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp => ModelCatalog.Load(Opt(sp).ResolvedCatalogPath));
        services.AddSingleton(sp => new DataDirectorySecrets(Opt(sp).DataDirectory, Opt(sp).AdminKey, Opt(sp).UrlSigningKey));
        AddStorage(services, configuration);
        services.AddSingleton<CallbackAddressPolicy>();
        services.AddSingleton<CallbackSender>();
        services.AddSingleton<IResultStore>(sp => CreateResultStore(Opt(sp)));
        // Rate limits: in memory (one node) unless ConnectionStrings:Redis names a shared Redis.
        services.AddSingleton<SharedRateLimit>();
        services.TryAddSingleton<IRateLimiter>(sp => string.IsNullOrEmpty(sp.GetRequiredService<IConfiguration>().GetConnectionString("Redis"))
            ? new InMemoryRateLimiter(sp.GetRequiredService<TimeProvider>())
            : sp.GetRequiredService<SharedRateLimit>().CreateLimiter(sp, Opt(sp).Redis.FailClosed));

        services.AddReelgateEngines();

        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<ApiKeyIssuer>();
        services.AddSingleton<AdminKeyGuard>();
        services.AddSingleton<ResultUrlSigner>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddSingleton<Reelgate.Server.Creation.UploadReferences>();
        services.AddSingleton<Reelgate.Server.Creation.TaskCreator>();
        services.AddSingleton<Reelgate.Server.Creation.TaskCanceller>();
        services.AddSingleton<CreateTaskEndpoint>();
        services.AddSingleton<TaskView>();
        services.AddSingleton<Workers.QueueEta>();
        services.AddSingleton<Reelgate.Server.OpenAi.VideoView>();
        services.AddSingleton<Reelgate.Server.OpenAi.VideoCreator>();
        services.AddSingleton<Reelgate.Server.OpenAi.VideoSpriteSheet>();
        services.AddSingleton<Reelgate.Server.Uploads.UploadService>();
        services.AddSingleton<Reelgate.Server.Uploads.RemoteMediaFetcher>();
        services.AddSingleton<QueueSignal>();
        services.AddSingleton<Reelgate.Server.Inputs.InputFetcher>();
        services.AddSingleton<Reelgate.Server.Inputs.InputPreparer>();
        services.AddSingleton<TaskProcessor>();
        services.AddSingleton<RunningTasks>();
        services.AddSingleton<Reelgate.Server.Events.TaskEventHub>();
        services.AddSingleton<ReelgateMetrics>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<ReadinessChecks>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddReelgateMcp();
        services.AddReelgateWeb();
        services.AddReelgateOpenApi();

        // Order matters: the database is migrated before the workers start and before Kestrel listens.
        services.AddHostedService<StartupCheck>();
        services.AddHostedService<WorkerService>();
        services.AddHostedService<CallbackService>();
        services.AddHostedService<LeaderService>();
        services.AddHostedService<Reelgate.Server.Events.ClusterEventService>();
    }

    /// <summary>Local disk (default) or an S3-compatible bucket (<c>Reelgate:ResultStore=s3</c>).</summary>
    private static IResultStore CreateResultStore(ReelgateOptions o) => o.ResultStore == "s3"
        ? CreateS3ResultStore(o)
        : new LocalResultStore(o.ResolvedResultsDirectory);

    /// <summary>
    /// Its own method, never inlined: the JIT loads the AWS SDK's assemblies when it compiles a
    /// method that names their types, so a server on local disk never maps them (idle RSS).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IResultStore CreateS3ResultStore(ReelgateOptions o) =>
        new S3ResultStore(new S3ResultStoreSettings(o.S3.ServiceUrl!, o.S3.Bucket!, o.S3.Region, o.S3.AccessKey, o.S3.SecretKey, o.S3.Prefix, o.S3.ForcePathStyle, o.S3.Serve == "redirect", o.S3.CreateBucket, o.S3.Timeout));

    /// <summary>
    /// The one place that picks the backend: PostgreSQL when <c>ConnectionStrings:Reelgate</c> is
    /// set (many nodes), else the embedded SQLite file in the data directory. Each registration
    /// brings every store, the queue, leases, the callback outbox, Identity's store, the key ring
    /// and the signals between nodes of its backend; nothing else asks which one runs. Read from
    /// the configuration as it is when the services are added (command line, environment,
    /// appsettings).
    /// </summary>
    public static void AddStorage(IServiceCollection services, IConfiguration configuration)
    {
        if (SharedDatabase(configuration) is { } postgres)
        {
            services.AddPostgresStorage(postgres);
        }
        else
        {
            services.AddSqliteStorage(sp => new SqliteStorageSettings(Opt(sp).DatabasePath, Opt(sp).DatabaseBusyTimeout, Path.Combine(Opt(sp).DataDirectory, "dataprotection-keys")));
        }

        // Whatever the backend stores, webhook secrets reach it encrypted with the key ring.
        services.Decorate<ICallbackOutbox>((sp, outbox) => new ProtectedSecretsOutbox(outbox, sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()));
    }

    /// <summary>The connection string of a database shared by several nodes, or null for the embedded one.</summary>
    private static string? SharedDatabase(IConfiguration configuration) =>
        configuration.GetConnectionString("Reelgate") is { Length: > 0 } c ? c : null;

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddReelgateTelemetry();
        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteServerErrorAsync, StatusCodeSelector = _ => 500 });
        app.UseStatusCodePages(WriteStatusEnvelopeAsync);
        app.UseReelgateWeb();
        app.MapHealth();
        app.MapReelgateMetrics();
        app.MapOpenApi("/openapi/{documentName}.json");
        // The reference page's one inline script carries a fresh nonce that the CSP names
        // (WebApp); Scalar's web fonts would come from its CDN, which the CSP (and an offline
        // server) refuses, so the page uses the browser's own fonts.
        app.MapScalarApiReference("/docs", o => o.WithNonce().DisableDefaultFonts());
        app.MapJobsApi();
        app.MapUsageApi();
        app.MapKeysApi();
        app.MapOpenAiVideos();
        app.MapModelsApi();
        app.MapTaskEvents();
        app.MapAdminApi();
        app.MapResultFiles();
        app.MapUploads();
        app.MapUpstreamHooks();
        app.MapReelgateMcp();
        app.MapReelgateWeb();
        return app;
    }

    /// <summary>Validates configuration before the host starts; returns one line per problem.</summary>
    public static IReadOnlyList<string> ValidateConfiguration(IConfiguration configuration)
    {
        var options = new ReelgateOptions();
        try
        {
            configuration.GetSection(ReelgateOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            return [$"configuration error: {e.Message} (check the Reelgate__* settings)"];
        }

        var result = new ReelgateOptionsValidator().Validate(null, options);
        var problems = result.Failed ? result.Failures.ToList() : [];
        if (SharedDatabase(configuration) is { } shared)
        {
            problems.AddRange(PostgresStorage.Validate(shared));

            // Several nodes share one database: each must accept the others' admin key and result URLs.
            if (string.IsNullOrWhiteSpace(options.AdminKey))
            {
                problems.Add("ConnectionStrings:Reelgate selects PostgreSQL (several nodes), so Reelgate:AdminKey must be set, the same on every node: set Reelgate__AdminKey to a long random secret");
            }

            if (string.IsNullOrWhiteSpace(options.UrlSigningKey))
            {
                problems.Add("ConnectionStrings:Reelgate selects PostgreSQL (several nodes), so Reelgate:UrlSigningKey must be set, the same on every node: set Reelgate__UrlSigningKey to a long random secret (openssl rand -base64 32)");
            }
        }

        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis && RedisProblem(redis) is { } problem)
        {
            problems.Add(problem);
        }

        return problems;
    }

    /// <summary>
    /// Why the Redis configuration cannot be used, or null. Its own method, never inlined, so
    /// that a server without Redis never loads the Redis client (see <see cref="SharedRateLimit"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string? RedisProblem(string redis)
    {
        try
        {
            RedisOptions(redis);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"ConnectionStrings:Redis is not a valid Redis configuration ({e.Message}): use host:port, e.g. ConnectionStrings__Redis=127.0.0.1:6379";
        }
    }

    /// <summary>
    /// The Redis client settings: never abort the start when Redis is down (the limiter fails
    /// open or closed instead), and short timeouts so a request never hangs on it.
    /// </summary>
    public static StackExchange.Redis.ConfigurationOptions RedisOptions(string configuration)
    {
        var options = StackExchange.Redis.ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        if (!configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = 2000;
        }

        if (!configuration.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.SyncTimeout = 500;
        }

        if (!configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.AsyncTimeout = 500;
        }

        return options;
    }

    private static ReelgateOptions Opt(IServiceProvider sp) => sp.GetRequiredService<IOptions<ReelgateOptions>>().Value;

    private static Task WriteServerErrorAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (OpenAiErrors.IsOpenAiPath(context.Request.Path))
        {
            return error is BadHttpRequestException
                ? OpenAiErrors.WriteAsync(context, 400, "the request could not be read", OpenAiErrors.InvalidRequest, "invalid_request")
                : OpenAiErrors.WriteAsync(context, 500, "server error", "server_error", "server_error");
        }

        if (!WebApp.IsApiPath(context.Request.Path) && error is not BadHttpRequestException)
        {
            return WriteWebErrorAsync(context, 500, "Something went wrong on our side. Try again in a moment.");
        }

        return error is BadHttpRequestException
            ? ApiResults.WriteErrorAsync(context, 400, ApiResults.InvalidRequest)
            : ApiResults.WriteErrorAsync(context, 500, "server error");
    }

    /// <summary>A plain HTML error page for the web app's paths (the API keeps its envelope).</summary>
    private static Task WriteWebErrorAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/html; charset=utf-8";
        var title = code == 404 ? "Not found" : code == 500 ? "Server error" : "Request refused";
        return context.Response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
            $"<title>{title} · Reelgate</title><link rel=\"stylesheet\" href=\"/css/app.css\"></head><body><main><section class=\"card\"><h1>{title}</h1>" +
            $"<p>{System.Net.WebUtility.HtmlEncode(message)}</p><p><a href=\"/\">Back to Reelgate</a></p></section></main></body></html>");
    }

    /// <summary>Unmatched routes and methods under /api and /files get the envelope, not an empty body; under /v1, OpenAI's error shape.</summary>
    private static Task WriteStatusEnvelopeAsync(StatusCodeContext ctx)
    {
        var http = ctx.HttpContext;
        var code = http.Response.StatusCode;
        if (OpenAiErrors.IsOpenAiPath(http.Request.Path))
        {
            return code switch
            {
                404 => OpenAiErrors.WriteAsync(http, 404, "no such route: " + http.Request.Path, OpenAiErrors.InvalidRequest, "not_found"),
                405 => OpenAiErrors.WriteAsync(http, 405, $"method {http.Request.Method} is not allowed here", OpenAiErrors.InvalidRequest, "method_not_allowed"),
                413 => OpenAiErrors.WriteAsync(http, 400, "the request body is too large", OpenAiErrors.InvalidRequest, "invalid_request"),
                _ => OpenAiErrors.WriteAsync(http, code, "request failed", code >= 500 ? "server_error" : OpenAiErrors.InvalidRequest, null),
            };
        }

        if (!WebApp.IsApiPath(http.Request.Path) && code is 404 or 405)
        {
            return WriteWebErrorAsync(http, code, code == 404 ? "There is no page here." : "This page does not take that request.");
        }

        var msg = code switch
        {
            404 => "not found",
            405 => "method not allowed",
            413 => ApiResults.InvalidRequest,
            _ => "request failed",
        };
        return ApiResults.WriteErrorAsync(http, code == 413 ? 400 : code, msg);
    }
}
