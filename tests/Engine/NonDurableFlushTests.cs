using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Flush(durable: false) writes the BAT and the dirty bitmaps into the file without a sync, so any
/// reader of the file sees every write; the next durable flush only syncs. On the real file system:
/// MockFileSystem publishes a stream's writes only when the stream is flushed, which this path never does.
/// </summary>
public sealed class NonDurableFlushTests : IDisposable
{
    private const int M = 1024 * 1024, Block = 512 * 1024;
    private readonly FileSystem _fs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-nondurable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The file as another reader sees it now, while the disk holds it open.</summary>
    private static byte[] FileBytes(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public void A_dynamic_images_bat_entry_reaches_the_file_and_the_next_durable_flush_writes_no_metadata()
    {
        string path = Path.Combine(_dir, "a.vhd");
        using var d = VirtualDisk.Create(_fs, path, new VhdCreateOptions { Size = 4 * M, BlockSize = Block });
        d.Write(Block, Img.Random(1, 512));
        Assert.Equal(VhdConstants.UnallocatedEntry, Img.BatEntry(FileBytes(path), 1));
        using var t = new TelemetryRecorder();
        d.Flush(durable: false);
        byte[] file = FileBytes(path);
        uint sector = Img.BatEntry(file, 1);
        Assert.NotEqual(VhdConstants.UnallocatedEntry, sector);
        Assert.Equal(Img.Random(1, 512), file.AsSpan((int)(sector * 512L) + 512, 512).ToArray());
        Assert.Equal(1, t.MetadataWrites("bat"));
        t.Clear();
        d.Flush();
        Assert.Equal(0, t.MetadataWrites("bat"));
    }

    [Fact]
    public void A_differencing_images_new_bits_reach_the_file()
    {
        string parent = Path.Combine(_dir, "p.vhd"), child = Path.Combine(_dir, "c.vhd");
        using (VirtualDisk.Create(_fs, parent, new VhdCreateOptions { Size = 4 * M, BlockSize = Block })) { }
        using var d = VirtualDisk.CreateDifferencing(_fs, child, parent);
        d.Write(Block, new byte[512]);
        d.Flush();
        d.Write(Block + 4096, new byte[512]);
        using var t = new TelemetryRecorder();
        d.Flush(durable: false);
        Assert.Equal(1, t.MetadataWrites("bitmap"));
        byte[] file = FileBytes(child);
        // Sectors 0 and 8 of the block: the MSB of bytes 0 and 1 (DESIGN.md §2), nothing else.
        var expected = new byte[512];
        expected[0] = expected[1] = 0x80;
        Assert.Equal(expected, file.AsSpan((int)(Img.BatEntry(file, 1) * 512L), 512).ToArray());
    }
}
