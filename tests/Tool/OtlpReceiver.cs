using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Storage.Tests.Tool;

/// <summary>
/// A tiny OTLP/HTTP receiver: an HttpListener on 127.0.0.1 at a free port that records every
/// POST (path and body) and answers 200 with an empty protobuf message.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _posts = new();

    public OtlpReceiver()
    {
        // Another process may take the port between the probe and the bind: try a few.
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Endpoint = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces, /v1/metrics).</summary>
    public string Endpoint { get; }

    public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Posts => [.. _posts];

    public IEnumerable<byte[]> Bodies(string path) => Posts.Where(p => p.Path == path).Select(p => p.Body);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.HttpMethod == "POST")
                _posts.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            // Recorded before the answer: once the exporter's flush returns, the post is here.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
    }
}
