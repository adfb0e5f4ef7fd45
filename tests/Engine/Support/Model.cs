using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine.Support;

/// <summary>A virtual disk next to the byte array it should equal.</summary>
internal static class Model
{
    public static void Write(VirtualDisk d, byte[] model, long offset, byte[] data)
    {
        d.Write(offset, data);
        data.CopyTo(model, offset);
    }

    /// <summary>Writes at odd offsets and lengths, across and around the block boundaries of <paramref name="block"/>.</summary>
    public static void OddWrites(VirtualDisk d, byte[] model, int block, int seed, int randomWrites = 25)
    {
        long len = d.Length;
        var r = new Random(seed);
        var fixedRanges = new List<(long Off, int Len)>
        {
            (1, 1),
            (5, 1030),                        // partial first and last sectors
            (block - 1, 2),                   // one byte each side of a boundary
            (block - 7, 19),
            (2L * block - 300, 700),
            (3L * block - 513, block + 1025), // spans three blocks
            (len - 1, 1),
            (len - 1000, 1000),
            (len / 2 + 3, 511),
        };
        foreach (var (off, n) in fixedRanges)
        {
            if (off < 0 || off + n > len) continue;
            var data = new byte[n];
            r.NextBytes(data);
            Write(d, model, off, data);
        }
        for (int i = 0; i < randomWrites; i++)
        {
            int n = r.Next(1, Math.Min(2 * block, (int)Math.Min(len, int.MaxValue)));
            long off = r.NextInt64(0, len - n + 1);
            var data = new byte[n];
            r.NextBytes(data);
            Write(d, model, off, data);
        }
    }

    /// <summary>Reads the whole disk at once and in odd-sized pieces; both must equal the model.</summary>
    public static void AssertSame(VirtualDisk d, byte[] model)
    {
        Assert.Equal(model.LongLength, d.Length);
        var all = new byte[d.Length];
        d.Read(0, all);
        AssertBytes(model, all, 0);
        foreach (int piece in new[] { 4097, 131071 })
        {
            long off = 3;
            var buf = new byte[piece];
            while (off < d.Length)
            {
                int n = (int)Math.Min(piece, d.Length - off);
                d.Read(off, buf.AsSpan(0, n));
                AssertBytes(model.AsSpan((int)off, n).ToArray(), buf.AsSpan(0, n).ToArray(), off);
                off += n;
            }
        }
    }

    private static void AssertBytes(byte[] expected, byte[] actual, long at)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        int i = expected.AsSpan().CommonPrefixLength(actual);
        Assert.Fail($"disk differs from the model at byte {at + i}: expected {expected[i]}, read {actual[i]}");
    }
}
