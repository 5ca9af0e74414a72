using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reelgate.Server.Options;

namespace Reelgate.Server.Observability;

/// <summary>
/// Metrics export (OpenTelemetry SDK): the Prometheus scrape endpoint <c>GET /metrics</c> unless
/// <c>Reelgate:Metrics:Enabled</c> is false, and, when <c>Reelgate:Otlp:Endpoint</c> is set,
/// traces, logs and metrics over OTLP. Decided from configuration when the host is built (the
/// SDK's pipelines are fixed then). Why OpenTelemetry and not prometheus-net: docs/operations.md.
/// </summary>
public static class ReelgateTelemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>Meters exported besides Reelgate's own: HTTP server metrics and the .NET runtime's.</summary>
    private static readonly string[] OtherMeters = ["Microsoft.AspNetCore.Hosting", "System.Runtime"];

    public static void AddReelgateTelemetry(this WebApplicationBuilder builder)
    {
        var metrics = MetricsSettings(builder.Configuration);
        var otlp = OtlpSettings(builder.Configuration);
        if (!metrics.Enabled && otlp is null)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(
                "reelgate",
                serviceVersion: typeof(ReelgateTelemetry).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WithMetrics(m =>
            {
                m.AddMeter([ReelgateMetrics.MeterName, .. OtherMeters]);

                // Listeners match meters by name, process-wide. Only this host's meters (made by its
                // IMeterFactory) are taken, so hosts sharing a process (tests) keep their own numbers.
                // The runtime's meter is process-wide by nature and has no factory.
                ((IDeferredMeterProviderBuilder)m).Configure((sp, b) =>
                {
                    var factory = sp.GetRequiredService<IMeterFactory>();
                    b.AddView(i => i.Meter.Scope == factory || i.Meter.Name == "System.Runtime" ? null : MetricStreamConfiguration.Drop);
                });
                if (metrics.Enabled)
                {
                    m.AddPrometheusExporter(o =>
                    {
                        o.ScopeInfoEnabled = false;
                        // Every scrape collects afresh (cheap: the database part is cached by QueueGauges).
                        o.ScrapeResponseCacheDurationMilliseconds = 0;
                    });
                }
            });

        if (otlp is { } o)
        {
            telemetry
                .WithTracing(t => t
                    // Probes and scrapes would be most of the spans and tell nothing.
                    .AddAspNetCoreInstrumentation(a => a.Filter = http => !IsProbePath(http.Request.Path))
                    .AddSource("System.Net.Http", "Npgsql")
                    .AddProcessor(new QueryRedactingProcessor()))
                .WithLogging()
                .UseOtlpExporter(o.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, o.Endpoint);
        }
    }

    /// <summary>
    /// Maps <c>GET /metrics</c> when enabled. No authentication: operators keep the path off the
    /// public internet. The queue gauges are refreshed (at most every 5 s) before each scrape reads them.
    /// </summary>
    public static WebApplication MapReelgateMetrics(this WebApplication app)
    {
        // Build the SDK's pipeline now, before the hosted services (workers) record anything.
        app.Services.GetService<MeterProvider>();
        var gauges = app.Services.GetRequiredService<QueueGauges>();
        if (!MetricsSettings(app.Configuration).Enabled)
        {
            return app;
        }

        app.MapPrometheusScrapingEndpoint(MetricsPath, null, scrape => scrape.Use(async (ctx, next) =>
        {
            await gauges.RefreshIfStaleAsync(ctx.RequestAborted);
            await next(ctx);
        }), null).DisableHttpMetrics();
        return app;
    }

    private static bool IsProbePath(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    private static MetricsOptions MetricsSettings(IConfiguration configuration) =>
        configuration.GetSection(ReelgateOptions.Section + ":Metrics").Get<MetricsOptions>() ?? new MetricsOptions();

    /// <summary>The collector and protocol, or null when unset or malformed (the options validator then stops the start with a message).</summary>
    private static (Uri Endpoint, string Protocol)? OtlpSettings(IConfiguration configuration)
    {
        var o = configuration.GetSection(ReelgateOptions.Section + ":Otlp").Get<OtlpOptions>() ?? new OtlpOptions();
        return o.Endpoint is { Length: > 0 } e && Uri.TryCreate(e, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? (uri, o.Protocol)
            : null;
    }

    /// <summary>
    /// Drops query strings from exported spans: a result URL's query carries its signature, and
    /// a callback URL's query may carry the receiver's own secret.
    /// </summary>
    private sealed class QueryRedactingProcessor : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.GetTagItem("url.query") is not null)
            {
                data.SetTag("url.query", null);
            }

            if (data.GetTagItem("url.full") is string full && full.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
            {
                data.SetTag("url.full", full[..q]);
            }
        }
    }
}
