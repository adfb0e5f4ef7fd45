using System.IO.Abstractions.TestingHelpers;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class SmokeTests
{
    [Theory]
    [InlineData(VhdDiskType.Dynamic)]
    [InlineData(VhdDiskType.Fixed)]
    public void WriteReadReopen(VhdDiskType type)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        var model = new byte[10 * 1024 * 1024];
        long len;
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = model.Length, BlockSize = 512 * 1024 }))
        {
            len = d.Length;
            Array.Resize(ref model, (int)len);
            var rnd = new Random(1);
            for (int i = 0; i < 200; i++)
            {
                int off = rnd.Next((int)len - 5000);
                var data = new byte[rnd.Next(1, 5000)];
                rnd.NextBytes(data);
                d.Write(off, data);
                data.CopyTo(model, off);
            }
            d.Flush();
            var back = new byte[len];
            d.Read(0, back);
            Assert.Equal(model, back);
        }
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
        {
            var back = new byte[len];
            d.Read(0, back);
            Assert.Equal(model, back);
        }
    }

    [Fact]
    public void DifferencingChain()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        using (var b = VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = 4 << 20 }))
        {
            b.Write(1000, new byte[] { 1, 2, 3 });
            b.Flush();
        }
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/d/base.vhd"))
        {
            c.Write(1001, new byte[] { 9 });
            c.Flush();
        }
        using var r = VirtualDisk.Open(fs, "/d/child.vhd");
        var buf = new byte[4];
        r.Read(1000, buf);
        Assert.Equal(new byte[] { 1, 9, 3, 0 }, buf);
        Assert.Equal(["/d/child.vhd", "/d/base.vhd"], r.Chain);
    }
}
