using System.Diagnostics;
using System.Net.Sockets;
using Storage.Tests.VhdNbd.Infrastructure;

namespace Storage.Tests.Cluster;

/// <summary>
/// Writes to one export through one node, one request at a time, each to a slot of its own (nothing is
/// overwritten), flushing every few writes: a write is owed back once a later flush succeeded. Records
/// every failed request (what the client saw, and when) and when each request completed, to tell how
/// long the image went unserved. Reconnects when the server closes the connection.
/// </summary>
internal sealed class ImageLoad
{
    public const int SlotSize = 16 << 10;
    private const int FlushEvery = 8;

    private readonly int _port;
    private readonly int _slots;
    private readonly List<int> _pending = [];
    private readonly Lock _gate = new();
    private int _next;

    public ImageLoad(string export, int port, long size)
    {
        Export = export;
        _port = port;
        _slots = (int)(size / SlotSize);
    }

    public string Export { get; }

    /// <summary>Slots whose write a later flush confirmed: they must read back.</summary>
    public HashSet<int> Flushed { get; } = [];

    private List<(DateTime At, string What)> Failures { get; } = [];

    // Each successful request: when it was sent and when its reply came.
    private List<(DateTime Sent, DateTime Done)> Successes { get; } = [];

    /// <summary>Each request that failed from <paramref name="since"/> on: when, and what the client saw.</summary>
    public List<(DateTime At, string What)> FailuresSince(DateTime since)
    {
        lock (_gate) return [.. Failures.Where(f => f.At >= since)];
    }

    public static byte[] Pattern(string export, int slot)
    {
        var bytes = new byte[SlotSize];
        new Random(HashCode.Combine(export.Length, export[^5], slot)).NextBytes(bytes);
        bytes[0] = (byte)slot;
        bytes[1] = (byte)(slot >> 8);
        return bytes;
    }

    /// <summary>Writes until <paramref name="stop"/> (or the slots run out), then flushes once more.</summary>
    public void Run(CancellationToken stop)
    {
        RawNbdClient? client = null;
        while (!stop.IsCancellationRequested && _next < _slots)
        {
            client ??= Connect(stop);
            if (client is null) break;
            if (!Step(client, () => Write(client))) client = Drop(client);
            if (client is not null && _next % FlushEvery == 0 && !Step(client, () => Flush(client))) client = Drop(client);
            Thread.Sleep(2);
        }
        client ??= Connect(CancellationToken.None);
        if (client is not null) Step(client, () => Flush(client));
        client?.Dispose();
    }

    /// <summary>When the first request sent after <paramref name="since"/> that succeeded completed, if one has.</summary>
    public DateTime? ServedAfter(DateTime since)
    {
        lock (_gate) return Successes.Where(s => s.Sent > since).Select(s => (DateTime?)s.Done).FirstOrDefault();
    }

    /// <summary>The longest time between two successful requests in [from, to].</summary>
    public TimeSpan LongestGap(DateTime from, DateTime to)
    {
        List<DateTime> times;
        lock (_gate) times = [.. Successes.Select(s => s.Done).Where(t => t >= from && t <= to).Prepend(from).Append(to).Order()];
        return times.Zip(times.Skip(1), (a, b) => b - a).Max();
    }

    private bool Step(RawNbdClient client, Func<string?> request)
    {
        string? error;
        var sent = DateTime.UtcNow;
        try
        {
            error = request();
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or IOException or InvalidOperationException)
        {
            Fail($"connection: {e.GetType().Name}: {e.Message}");
            return false;
        }
        if (error is null) lock (_gate) Successes.Add((sent, DateTime.UtcNow));
        else Fail(error);
        return true;
    }

    private string? Write(RawNbdClient client)
    {
        int slot = _next++;
        var reply = client.Request(RawNbdClient.Write, (ulong)slot * SlotSize, SlotSize, Pattern(Export, slot));
        if (reply.Error != 0) return $"write: NBD error {reply.Error} {reply.Message}".TrimEnd();
        _pending.Add(slot);
        return null;
    }

    private string? Flush(RawNbdClient client)
    {
        var reply = client.Request(RawNbdClient.Flush, 0, 0);
        // A failed flush promises nothing about the writes before it.
        if (reply.Error != 0)
        {
            _pending.Clear();
            return $"flush: NBD error {reply.Error} {reply.Message}".TrimEnd();
        }
        lock (_gate) Flushed.UnionWith(_pending);
        _pending.Clear();
        return null;
    }

    private void Fail(string what)
    {
        lock (_gate) Failures.Add((DateTime.UtcNow, what));
    }

    private RawNbdClient? Drop(RawNbdClient client)
    {
        client.Dispose();
        _pending.Clear();
        return null;
    }

    private RawNbdClient? Connect(CancellationToken stop)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !stop.IsCancellationRequested)
        {
            try
            {
                return RawNbdClient.Open(_port, Export);
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException or IOException or InvalidOperationException)
            {
                Fail($"connect: {e.Message}");
                Thread.Sleep(200);
            }
        }
        return null;
    }
}
