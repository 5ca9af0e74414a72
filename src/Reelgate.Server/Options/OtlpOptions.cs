namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Otlp</c>: optional OpenTelemetry (OTLP) export of traces, logs and metrics.</summary>
public sealed class OtlpOptions
{
    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c>; unset (default): nothing is exported.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318; the signal paths are appended).</summary>
    public string Protocol { get; set; } = "grpc";
}
