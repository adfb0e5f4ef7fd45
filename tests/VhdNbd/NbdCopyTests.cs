using Storage.Tests.VhdNbd.Infrastructure;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>nbdcopy (libnbd): a sparse copy out that skips the holes, and a copy in over several connections at once.</summary>
public sealed class NbdCopyTests : IDisposable
{
    private const int Block = 2 << 20;
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_copy_out_of_a_sparse_image_skips_its_holes()
    {
        var data = Images.Pattern(Block + 4096, 3);
        Images.Dynamic(_dir["big.vhd"], size: 1L << 30, blockSize: Block, fill: d =>
        {
            d.Write(10L * Block + 512, data);
            d.Write(400L * Block, data.AsSpan(0, 4096));
        });
        string output = _dir["out.raw"];
        await using (var host = await ServerHost.StartAsync(_dir.Path))
            Cli.Ok("nbdcopy", host.Uri("big.vhd"), output);
        Assert.Equal(1L << 30, new FileInfo(output).Length);
        using (var f = File.OpenRead(output))
        {
            Assert.Equal(data, ReadAt(f, 10L * Block + 512, data.Length));
            Assert.Equal(data.AsSpan(0, 4096).ToArray(), ReadAt(f, 400L * Block, 4096));
            Assert.Equal(new byte[4096], ReadAt(f, 10L * Block + 512 - 4096, 4096));
        }
        // Three blocks hold data; nbdcopy learned where the holes are and left them unwritten.
        Assert.InRange(AllocatedBytes(output), 1, 16L << 20);
    }

    [Fact]
    public async Task A_copy_in_over_four_connections_lands_whole()
    {
        // A zero stretch in the source, over data in the target: nbdcopy sends it as WRITE_ZEROES.
        var raw = Images.Pattern(16 << 20, 11);
        raw.AsSpan(4 << 20, 5 << 20).Clear();
        File.WriteAllBytes(_dir["in.raw"], raw);
        string image = Images.Dynamic(_dir["served/a.vhd"], size: 16 << 20, fill: d => d.Write(0, Enumerable.Repeat((byte)0xff, 16 << 20).ToArray()));
        await using (var host = await ServerHost.StartAsync(_dir["served"]))
            Cli.Ok("nbdcopy", "--connections=4", "--requests=16", _dir["in.raw"], host.Uri("a.vhd"));
        Assert.True(raw.AsSpan().SequenceEqual(Images.Content(image)), "the image differs from what was copied in");
    }

    private static byte[] ReadAt(FileStream f, long offset, int length)
    {
        var b = new byte[length];
        f.Position = offset;
        f.ReadExactly(b);
        return b;
    }

    private static long AllocatedBytes(string path)
    {
        var stat = Cli.Ok("stat", "-c", "%b %B", path).Out.Split(' ', StringSplitOptions.TrimEntries);
        return long.Parse(stat[0]) * long.Parse(stat[1]);
    }
}
