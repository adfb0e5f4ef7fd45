using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;
using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>Stopping the server, and several connections writing one export at once.</summary>
public sealed class LifecycleTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Stopping_answers_what_was_received_and_flushes_and_closes_every_image()
    {
        Images.Dynamic(_dir["a.vhd"]);
        Images.Dynamic(_dir["b.vhd"]);
        var host = await ServerHost.StartAsync(_dir.Path);
        using var a = Open(host.Port, "a.vhd");
        using var b = Open(host.Port, "b.vhd");
        // Unflushed writes on both, and a burst in flight on one when the stop comes.
        Assert.Equal(0u, a.Request(Write, 0, 4096, Images.Pattern(4096, 1)).Error);
        Assert.Equal(0u, b.Request(Write, 1 << 20, 4096, Images.Pattern(4096, 2)).Error);
        for (int i = 0; i < 64; i++) b.SendRequest(0, Write, (ulong)(100 + i), (ulong)(2 << 20) + (ulong)i * 4096, 4096, Images.Pattern(4096, 100 + i));
        var stopping = host.DisposeAsync().AsTask();
        var answered = new List<int>();
        for (int i = 0; i < 64; i++)
        {
            RawReply reply;
            try { reply = b.Receive((ulong)(100 + i), 0); }
            catch (EndOfStreamException) { break; }
            Assert.True(reply.Error is 0 or 108, $"write {i}: error {reply.Error} (only success or ESHUTDOWN)");
            if (reply.Error == 0) answered.Add(i);
        }
        await stopping;
        output.WriteLine($"{answered.Count} of the 64 writes in flight were answered with success");
        Assert.True(a.ClosedByServer());
        // Closed and flushed: the files open for writing here, and hold every write that was answered.
        using var da = VirtualDisk.Open(Images.Fs, _dir["a.vhd"], FileAccess.ReadWrite);
        using var db = VirtualDisk.Open(Images.Fs, _dir["b.vhd"], FileAccess.ReadWrite);
        Assert.Equal(Images.Pattern(4096, 1), ReadDisk(da, 0, 4096));
        Assert.Equal(Images.Pattern(4096, 2), ReadDisk(db, 1 << 20, 4096));
        foreach (int i in answered) Assert.Equal(Images.Pattern(4096, 100 + i), ReadDisk(db, (2 << 20) + i * 4096L, 4096));
    }

    [Fact]
    public async Task Four_connections_writing_one_export_at_once_all_land_and_a_flush_on_one_covers_them()
    {
        string image = Images.Dynamic(_dir["a.vhd"], size: 16 << 20);
        await using (var host = await ServerHost.StartAsync(_dir.Path))
        {
            var clients = Enumerable.Range(0, 4).Select(_ => Open(host.Port, "a.vhd")).ToArray();
            // Each connection writes every fourth 64 KiB piece, interleaved over the same blocks.
            await Task.WhenAll(clients.Select((c, k) => Task.Run(() =>
            {
                for (int piece = k; piece < 256; piece += 4)
                    Assert.Equal(0u, c.Request(Write, (ulong)piece << 16, 1 << 16, Images.Pattern(1 << 16, piece), cookie: (ulong)piece).Error);
            })));
            Assert.Equal(0u, clients[3].Request(Flush, 0, 0).Error);
            for (int piece = 0; piece < 256; piece += 37)
                Assert.Equal(Images.Pattern(1 << 16, piece), clients[piece % 3].Request(Read, (ulong)piece << 16, 1 << 16).Data);
            foreach (var c in clients) c.Dispose();
        }
        var content = Images.Content(image);
        for (int piece = 0; piece < 256; piece++)
            Assert.True(content.AsSpan(piece << 16, 1 << 16).SequenceEqual(Images.Pattern(1 << 16, piece)), $"piece {piece} differs");
    }

    private static byte[] ReadDisk(VirtualDisk disk, long offset, int length)
    {
        var b = new byte[length];
        disk.Read(offset, b);
        return b;
    }
}
