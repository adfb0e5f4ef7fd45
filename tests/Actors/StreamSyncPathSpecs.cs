using Akka.Configuration;
using Storage.VhdActors;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// Issue 13's third defect: the Stream's synchronous path blocked on the asynchronous one and
/// Read(Span) allocated an array per call. On allocated space (inline I/O, the default) a sync
/// read or write now runs on the caller's thread without a buffer per call.
/// </summary>
public sealed class StreamSyncPathSpecs : Akka.TestKit.Xunit2.TestKit
{
    public StreamSyncPathSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(StreamSyncPathSpecs), output)
    {
    }

    [Fact]
    public async Task Sync_reads_and_writes_of_allocated_space_allocate_no_buffer_per_call()
    {
        var store = DiskStore.Start(Sys, Fixtures.Options(Fixtures.NewFs()));
        await using var disk = await store.CreateAsync(Fixtures.P("s.vhd"), Fixtures.Small());
        await disk.WriteAsync(0, new byte[64 * 1024]); // allocated: inline I/O serves the calls below
        await disk.FlushAsync();
        using var stream = new VirtualDiskStream(disk, leaveOpen: true);
        Span<byte> buffer = new byte[4096];
        const int Calls = 2000;
        for (int i = 0; i < 50; i++) { stream.Position = 0; stream.ReadExactly(buffer); stream.Position = 0; stream.Write(buffer); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            stream.Position = (i % 16) * 4096L;
            stream.ReadExactly(buffer);
            stream.Position = (i % 16) * 4096L;
            stream.Write(buffer);
        }
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (2 * Calls);
        // A buffer per call would be 4 KiB; the generous bound leaves room for incidental objects.
        Assert.True(perCall < 1024, $"{perCall} bytes allocated per 4 KiB sync call on this thread");
    }
}
