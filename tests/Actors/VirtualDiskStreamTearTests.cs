using System.IO.Abstractions.TestingHelpers;
using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// The Stream adapter buffers sequential writes and hands the disk whole sectors: a copy into
/// the stream at a position that is not a multiple of 512 (CopyTo cuts at 80 KiB) must not have
/// one sector written by two engine writes, or a crash between them leaves it half old, half new.
/// Checked in every crash state at the first fsync of the stream's flush, on the fault file system.
/// </summary>
public sealed class VirtualDiskStreamTearTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(VirtualDiskStreamTearTests), output)
{
    private const int Sector = 512;
    private static readonly string Image = Fixtures.P("s.vhd");

    [Theory]
    [InlineData(100, false)]
    [InlineData(100, true)]
    [InlineData(7 * 512 + 1, true)]
    public async Task A_crash_during_a_copy_into_the_stream_never_tears_a_sector(long position, bool async)
    {
        const int length = 600_000; // eight CopyTo chunks
        var fs = new FaultFileSystem(Fixtures.NewFs());
        byte[] old = Enumerable.Repeat((byte)0x11, 4 << 20).ToArray();
        Fixtures.CreateImage(fs, Image, fill: d => d.Write(0, old)); // allocated: the copy writes in place
        fs.Sync();

        var crashed = new List<(CrashState State, FaultFileSystem Files)>();
        fs.FlushingToDisk += (_, _) =>
        {
            if (crashed.Count > 0) return;
            foreach (var state in fs.EnumerateCrashStates()) crashed.Add((state, fs.CrashedCopy(state, new MockFileSystem())));
        };
        byte[] input = Fixtures.Bytes(length, 5);
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using (var stream = new VirtualDiskStream(await store.OpenAsync(Image, FileAccess.ReadWrite)))
        {
            stream.Position = position;
            // What Stream.CopyTo does with a source that does not override it: 80 KiB at a time.
            for (int done = 0; done < length; done += 81920)
            {
                var chunk = input.AsMemory(done, Math.Min(81920, length - done));
                if (async) await stream.WriteAsync(chunk);
                else stream.Write(chunk.Span);
            }
            await stream.FlushAsync();
        }
        Assert.NotEmpty(crashed);

        var torn = new List<string>();
        foreach (var (state, files) in crashed)
        {
            using var disk = VirtualDisk.Open(files, Image);
            var content = new byte[disk.Length];
            disk.Read(0, content);
            for (long s = position / Sector; s <= (position + length - 1) / Sector; s++)
            {
                long start = s * Sector;
                bool allOld = content.AsSpan((int)start, Sector).SequenceEqual(old.AsSpan((int)start, Sector));
                bool allNew = Enumerable.Range(0, Sector).All(i => content[start + i] == Expected(start + i));
                if (!allOld && !allNew) torn.Add($"{state}: sector {s}");
            }
        }
        Assert.True(torn.Count == 0, $"{torn.Count} torn sector(s) in {crashed.Count} crash states: {string.Join(", ", torn.Take(10))}");

        byte Expected(long at) => at >= position && at < position + length ? input[at - position] : old[at];
    }

    [Fact]
    public async Task Buffered_writes_read_back_and_reach_the_disk_on_seek_flush_and_dispose()
    {
        var fs = Fixtures.NewFs();
        Fixtures.CreateImage(fs, Image);
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        byte[] a = Fixtures.Bytes(1000, 1), b = Fixtures.Bytes(3000, 2);
        await using (var stream = new VirtualDiskStream(await store.OpenAsync(Image, FileAccess.ReadWrite)))
        {
            stream.Position = 10;
            stream.Write(a);
            var back = new byte[1000];
            stream.Position = 10;
            Assert.Equal(1000, stream.Read(back));
            Assert.Equal(a, back);
            stream.Position = 5000;
            await stream.WriteAsync(b);
        }
        await using var disk = await store.OpenAsync(Image, FileAccess.Read);
        var got = new byte[3000];
        await disk.ReadAsync(5000, got);
        Assert.Equal(b, got);
        await disk.ReadAsync(10, got.AsMemory(0, 1000));
        Assert.Equal(a, got[..1000]);
    }
}
