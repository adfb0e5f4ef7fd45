using System.Text;
using Storage.VhdTool;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// OTLP export (DESIGN.md §8): the tool runs in-process against a local OTLP/HTTP receiver with
/// OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf set, and must have
/// posted its spans and metrics before Run returns (the providers are flushed on exit).
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class OtlpExportTests : IDisposable
{
    private static readonly string[] Variables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME"];

    private readonly TempDir _dir = new();
    private readonly OtlpReceiver _receiver = new();
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        _receiver.Dispose();
        _dir.Dispose();
    }

    private void ExportTo(OtlpReceiver receiver)
    {
        foreach (var v in Variables) Environment.SetEnvironmentVariable(v, null);
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint);
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private string NewImageWithInput(out string input)
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "8M");
        input = _dir["in.bin"];
        // Three 1 MiB chunks, two of them allocating a block.
        File.WriteAllBytes(input, ReadWriteTests.Random(3_000_000, 40));
        return image;
    }

    [Fact]
    public void A_write_posts_its_trace_and_metrics_before_the_tool_returns()
    {
        string image = NewImageWithInput(out string input);
        ExportTo(_receiver);
        var r = Vhd.Run("write", image, "--offset", "0", "--input", input);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Out + r.Err);

        var traces = _receiver.Bodies("/v1/traces").ToList();
        var metrics = _receiver.Bodies("/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(_receiver.Posts, p => Assert.Equal("application/x-protobuf", p.ContentType));
        Assert.All(traces.Concat(metrics), b => Assert.NotEmpty(b));
        // Protobuf strings are plain UTF-8 in the body.
        Assert.Contains(traces, b => Contains(b, "vhd.write") && Contains(b, "vhd write") && Contains(b, "service.name"));
        Assert.Contains(metrics, b => Contains(b, "vhd.io") && Contains(b, "vhd.io.duration") && Contains(b, "vhd.block.allocations"));

        // The tree: root "vhd write" -> the store's operation spans (the command runs on the engine
        // in-process) -> the engine's allocations inside the writes that allocate.
        var spans = traces.SelectMany(OtlpSpan.Parse).ToList();
        var root = Assert.Single(spans, s => s.Name == "vhd write");
        Assert.Equal(OtlpSpan.Internal, root.Kind);
        Assert.Equal("", root.ParentSpanId);
        Assert.Equal(ToolTelemetry.SourceName, root.Scope);
        Assert.Equal("vhd", root.Resource["service.name"]);
        Assert.Equal(0L, root.Attributes["process.exit.code"]);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        var children = spans.Where(s => s.ParentSpanId == root.SpanId).OrderBy(c => c.StartNanos).ToList();
        Assert.Equal(["vhd.open", "vhd.write", "vhd.write", "vhd.write", "vhd.flush"], children.Select(c => c.Name));
        foreach (var child in children)
        {
            Assert.Equal(("Storage.Vhd", OtlpSpan.Internal), (child.Scope, child.Kind));
            Assert.Equal(image, child.Attributes["vhd.image"]);
            Assert.InRange(child.StartNanos, root.StartNanos, root.EndNanos);
        }
        var writes = children.Where(c => c.Name == "vhd.write").ToList();
        Assert.Equal([0L, 1L << 20, 2L << 20], writes.Select(w => (long)w.Attributes["vhd.offset"]!));
        var allocations = spans.Where(s => s.Name == "vhd.block.allocate").ToList();
        Assert.Equal(2, allocations.Count);
        Assert.All(allocations, a => Assert.Contains(writes, w => w.SpanId == a.ParentSpanId));
    }

    [Fact]
    public void An_error_exit_still_flushes_and_marks_the_root_span_failed()
    {
        ExportTo(_receiver);
        string missing = _dir["missing.vhd"];
        File.WriteAllBytes(_dir["in.bin"], new byte[512]);
        var r = Vhd.Run("write", missing, "--offset", "0", "--input", _dir["in.bin"]);
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.ErrLines);
        Assert.StartsWith("vhd: ", line);

        var spans = _receiver.Bodies("/v1/traces").SelectMany(OtlpSpan.Parse).ToList();
        var root = Assert.Single(spans, s => s.Name == "vhd write");
        Assert.Equal(OtlpSpan.StatusError, root.StatusCode);
        Assert.Equal(line["vhd: ".Length..], root.StatusMessage);
        Assert.Equal(1L, root.Attributes["process.exit.code"]);
        var open = Assert.Single(spans, s => s.Name == "vhd.open");
        Assert.Equal(OtlpSpan.StatusError, open.StatusCode);
        Assert.NotEmpty(_receiver.Bodies("/v1/metrics"));
    }

    [Fact]
    public void A_usage_error_and_an_engine_command_are_traced_too()
    {
        ExportTo(_receiver);
        Assert.Equal(2, Vhd.Run("create", _dir["a.vhd"], "--size", "1X").ExitCode);
        Vhd.Ok("create", _dir["b.vhd"], "--size", "1M");
        Vhd.Ok("info", _dir["b.vhd"]);
        var names = _receiver.Bodies("/v1/traces").SelectMany(OtlpSpan.Parse).Where(s => s.ParentSpanId == "").Select(s => s.Name).ToList();
        Assert.Equal(2, names.Count(n => n == "vhd create"));
        Assert.Contains("vhd info", names);
    }

    [Fact]
    public void Without_the_endpoint_variable_nothing_is_built_or_sent()
    {
        foreach (var v in Variables) Environment.SetEnvironmentVariable(v, null);
        Assert.Null(ToolTelemetry.StartIfConfigured("1"));
        string image = NewImageWithInput(out string input);
        Vhd.Ok("write", image, "--offset", "0", "--input", input);

        ExportTo(_receiver);
        Environment.SetEnvironmentVariable("OTEL_SDK_DISABLED", "true");
        Assert.Null(ToolTelemetry.StartIfConfigured("1"));
        Vhd.Ok("read", image, "--offset", "0", "--length", "4096");
        Assert.Empty(_receiver.Posts);
    }

    [Fact]
    public void OTEL_SERVICE_NAME_overrides_the_default_service_name()
    {
        ExportTo(_receiver);
        Environment.SetEnvironmentVariable("OTEL_SERVICE_NAME", "nightly-backup");
        Vhd.Ok("create", _dir["a.vhd"], "--size", "1M");
        var root = Assert.Single(_receiver.Bodies("/v1/traces").SelectMany(OtlpSpan.Parse), s => s.Name == "vhd create");
        Assert.Equal("nightly-backup", root.Resource["service.name"]);
    }
}
