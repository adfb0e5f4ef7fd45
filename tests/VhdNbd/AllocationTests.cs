using Storage.Tests.VhdNbd.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>
/// The hot path allocates nothing per request: 4 KiB reads and writes into allocated space, the
/// client on this thread with preallocated buffers (it allocates nothing itself), the whole
/// process's allocations counted. What is left per request is noise (timers, the runtime): under
/// 16 bytes, less than the smallest object.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class AllocationTests(ITestOutputHelper output) : IDisposable
{
    private const int Requests = 20_000;
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reads_and_writes_of_4_KiB_allocate_nothing_per_request()
    {
        Images.Dynamic(_dir["a.vhd"], size: 8 << 20, fill: d => d.Write(0, new byte[8 << 20]));
        await using var host = await ServerHost.StartAsync(_dir.Path);
        using var c = Open(host.Port, "a.vhd");
        var data = Images.Pattern(4096, 4);
        var into = new byte[4096];
        double perRead = BytesPerRequest(() => Run(c, Read, data, into));
        double perWrite = BytesPerRequest(() => Run(c, Write, data, into));
        output.WriteLine($"allocated per request: read {perRead:0.0} B, write {perWrite:0.0} B");
        Assert.True(perRead < 16, $"{perRead:0.0} bytes allocated per 4 KiB read");
        Assert.True(perWrite < 16, $"{perWrite:0.0} bytes allocated per 4 KiB write");
        Assert.Equal(data, c.Request(Read, 4096 * 7, 4096).Data);
    }

    private static double BytesPerRequest(Action run)
    {
        run(); // warm up: JIT, pools, leases
        long before = GC.GetTotalAllocatedBytes(precise: true);
        run();
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Requests;
    }

    private static void Run(RawNbdClient c, ushort command, byte[] data, byte[] into)
    {
        for (int i = 0; i < Requests; i++)
        {
            ulong offset = (ulong)(i % 2048) * 4096;
            c.SendRequest(0, command, (ulong)i, offset, 4096, command == Write ? data : default);
            uint error = c.ReceiveInto(into);
            if (error != 0) throw new InvalidOperationException($"request {i} failed with {error}");
        }
    }
}
