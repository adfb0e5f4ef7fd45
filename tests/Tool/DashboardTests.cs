using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// scripts/dashboard.sh starts the real Aspire dashboard; the built tool exports a `vhd write` to
/// it over OTLP/gRPC, and the dashboard's own API (/api/telemetry/traces) must hold the span tree
/// `vhd write` > `vhd.write` > `vhd.block.allocate`. Free ports, its own pid file, stopped after.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DashboardTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Dictionary<string, string> _ports = new()
    {
        ["VHD_DASHBOARD_UI_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["VHD_DASHBOARD_GRPC_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["VHD_DASHBOARD_HTTP_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public DashboardTests() => _ports["VHD_DASHBOARD_PID"] = _dir["dashboard.pid"];

    public void Dispose()
    {
        Script("--stop");
        _dir.Dispose();
    }

    [Fact]
    public async Task A_vhd_write_exported_to_the_dashboard_shows_its_span_tree()
    {
        Script("--start");
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "8M");
        var input = ReadWriteTests.Random(3_000_000, 60);
        var env = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_ports["VHD_DASHBOARD_GRPC_PORT"]}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        };
        var r = Vhd.Exec(input, env, "write", image, "--offset", "0");
        Assert.True(r.ExitCode == 0, r.ToString());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports["VHD_DASHBOARD_UI_PORT"]}") };
        List<(string Name, string Id, string Parent)> spans = [];
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(500))
        {
            spans = Spans(await http.GetStringAsync("/api/telemetry/traces"));
            if (spans.Count(s => s.Name == "vhd.block.allocate") >= 2) break;
        }

        var root = Assert.Single(spans, s => s.Name == "vhd write");
        Assert.Equal("", root.Parent);
        var writes = spans.Where(s => s.Name == "vhd.write").ToList();
        Assert.Equal(3, writes.Count);
        Assert.All(writes, w => Assert.Equal(root.Id, w.Parent));
        var allocations = spans.Where(s => s.Name == "vhd.block.allocate").ToList();
        Assert.Equal(2, allocations.Count);
        Assert.All(allocations, a => Assert.Contains(writes, w => w.Id == a.Parent));
    }

    /// <summary>Name, id and parent id of every span in the API's OTLP-JSON answer.</summary>
    private static List<(string Name, string Id, string Parent)> Spans(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<(string, string, string)>();
        foreach (var resource in doc.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                    list.Add((span.GetProperty("name").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var p) ? p.GetString() ?? "" : ""));
        return list;
    }

    private void Script(string verb)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Sample.RepositoryRoot, "scripts", "dashboard.sh"));
        psi.ArgumentList.Add(verb);
        foreach (var (name, value) in _ports) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(600_000), $"dashboard.sh {verb} did not finish");
        Assert.True(p.ExitCode == 0, $"dashboard.sh {verb} exited {p.ExitCode}\n{output}\n{err.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
