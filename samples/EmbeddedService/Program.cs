// A service that embeds the VHD store: the generic host owns the store's ActorSystem and the
// OpenTelemetry providers, and a hosted worker uses IDiskStore the way application code would.
//
//   dotnet run --project samples/EmbeddedService [directory]
//
// Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4317) to export the vhd.* spans and
// metrics over OTLP (the sample's own "sample" span is the root of the trace); without it the
// providers still run but export nothing.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Storage.Samples.EmbeddedService;
using Storage.VhdActors;

string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"vhd-sample-{Environment.ProcessId}");
bool otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

// snippet: host
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddVhdStorage(new VhdStorageOptions { IdleTimeout = TimeSpan.FromMinutes(1) });
var otel = builder.Services.AddOpenTelemetry()
    .ConfigureResource(r => r.AddService("vhd-embedded-sample"))
    .WithTracing(t =>
    {
        t.AddVhdInstrumentation().AddSource(SampleWorker.ActivitySourceName);
        if (otlp) t.AddOtlpExporter();
    })
    .WithMetrics(m =>
    {
        m.AddVhdInstrumentation();
        if (otlp) m.AddOtlpExporter();
    });
builder.Services.AddSingleton(new SampleSettings(directory));
builder.Services.AddHostedService<SampleWorker>();
// end snippet

using var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
