using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>
/// OTLP export for one run of the tool (DESIGN.md §8). Only when OTEL_EXPORTER_OTLP_ENDPOINT is
/// set (and OTEL_SDK_DISABLED is not "true") are a TracerProvider and a MeterProvider built;
/// otherwise nothing is, and the instruments stay unobserved (zero cost). The exporter reads
/// the standard variables itself (endpoint, OTEL_EXPORTER_OTLP_PROTOCOL grpc or http/protobuf,
/// headers, timeout, compression). Each command runs under a root span "vhd COMMAND"; both
/// providers are flushed and disposed before the tool exits, error exits included.
/// </summary>
internal sealed class ToolTelemetry : IDisposable
{
    /// <summary>The tool's own ActivitySource (the root spans); the disk spans come from "Storage.Vhd".</summary>
    public const string SourceName = "Storage.VhdTool";

    /// <summary>service.name unless OTEL_SERVICE_NAME says otherwise.</summary>
    public const string ServiceName = "vhd";

    /// <summary>How long the final flush may wait for the collector, per provider.</summary>
    private const int FlushTimeoutMilliseconds = 10_000;

    /// <summary>The tool's spans: the command's root, and the actor system's start and stop under it.</summary>
    internal static readonly ActivitySource Source = new(SourceName, "1.0.0");

    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    private ToolTelemetry(TracerProvider tracer, MeterProvider meter)
    {
        _tracer = tracer;
        _meter = meter;
    }

    /// <summary>True when the environment asks for OTLP export.</summary>
    public static bool Configured =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        && !string.Equals(Environment.GetEnvironmentVariable("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The providers, or null (and nothing built) when OTLP export is not configured.</summary>
    public static ToolTelemetry? StartIfConfigured(string? serviceVersion)
    {
        if (!Configured) return null;
        bool nameFromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"));
        void Resource(ResourceBuilder r)
        {
            if (!nameFromEnvironment) r.AddService(ServiceName, serviceVersion: serviceVersion);
        }
        var tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(Resource)
            .AddSource(SourceName)
            .AddSource(VirtualDisk.TelemetryName) // what AddVhdInstrumentation() adds, without the actors' assembly (Native AOT)
            .AddOtlpExporter()
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(Resource)
            .AddMeter(VirtualDisk.TelemetryName)
            .AddOtlpExporter()
            .Build();
        return new ToolTelemetry(tracer, meter);
    }

    /// <summary>The root span of one command, "vhd COMMAND" (or "vhd" when there is no known command).</summary>
    public static Activity? StartCommand(string? command)
    {
        var activity = Source.StartActivity(command is null ? "vhd" : $"vhd {command}", ActivityKind.Internal);
        if (command is not null) activity?.SetTag("vhd.command", command);
        return activity;
    }

    /// <summary>Records the exit code on the root span; a non-zero one marks it failed (the message was set by the error report).</summary>
    public static void End(Activity? activity, int exitCode)
    {
        if (activity is null) return;
        activity.SetTag("process.exit.code", exitCode);
        if (exitCode != 0 && activity.Status == ActivityStatusCode.Unset)
            activity.SetStatus(ActivityStatusCode.Error, $"exit {exitCode}");
        activity.Dispose();
    }

    /// <summary>Marks the command's root span (when it is the current one) failed with the one line the user sees.</summary>
    public static void Failed(string message)
    {
        if (Activity.Current is { Source.Name: SourceName } root) root.SetStatus(ActivityStatusCode.Error, message);
    }

    /// <summary>Exports what is buffered (spans, then a last metrics collection) and shuts both providers down.</summary>
    public void Dispose()
    {
        _tracer.ForceFlush(FlushTimeoutMilliseconds);
        _meter.ForceFlush(FlushTimeoutMilliseconds);
        _tracer.Dispose();
        _meter.Dispose();
    }
}
