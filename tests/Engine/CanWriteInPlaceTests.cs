using System.IO.Abstractions.TestingHelpers;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>Which writes change no allocation or bitmap state (what the facade may run off the actor).</summary>
public class CanWriteInPlaceTests
{
    private static MockFileSystem NewFs()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        return fs;
    }

    [Fact]
    public void FixedImagesAlwaysWriteInPlace()
    {
        var fs = NewFs();
        using var d = VirtualDisk.Create(fs, "/d/f.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = 4 << 20 });
        Assert.True(d.CanWriteInPlace(12345, 4096));
    }

    [Fact]
    public void DynamicImagesWriteInPlaceOnlyIntoAllocatedBlocks()
    {
        var fs = NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 });
        Assert.False(d.CanWriteInPlace(0, 4096));
        d.Write(0, new byte[1]);
        Assert.True(d.CanWriteInPlace(0, 512 * 1024));
        Assert.False(d.CanWriteInPlace(512 * 1024 - 1, 2), "the range reaches the unallocated block 1");
    }

    [Fact]
    public void DifferencingImagesWriteInPlaceOnlyOverPresentSectors()
    {
        var fs = NewFs();
        using (var b = VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = 4 << 20 })) { }
        using var c = VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/d/base.vhd");
        c.Write(1024, new byte[1024]);
        Assert.True(c.CanWriteInPlace(1024, 1024));
        Assert.True(c.CanWriteInPlace(1100, 10));
        Assert.False(c.CanWriteInPlace(512, 1024), "sector 1 is still the parent's");
        Assert.False(c.CanWriteInPlace(1024, 1025), "sector 4 is still the parent's");
    }

    [Fact]
    public void ReadOnlyImagesNeverWriteInPlace()
    {
        var fs = NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/f.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = 4 << 20 })) { }
        using var r = VirtualDisk.Open(fs, "/d/f.vhd");
        Assert.False(r.CanWriteInPlace(0, 512));
    }

    [Fact]
    public void A_write_in_place_writes_its_bytes_once()
    {
        var fs = NewFs();
        using var d = VirtualDisk.Create(fs, "/d/d.vhd", new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        d.Write(0, new byte[4096]);
        Assert.True(d.CanWriteInPlace(4096, 4096));
        using var t = new TelemetryRecorder();
        d.Write(4096, new byte[4096]);
        Assert.Equal(4096, t.IoBytes("write"));
    }
}
