using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>The end footer missing, damaged or stale: open uses the copy at offset 0, a read-write open writes it back.</summary>
public class EndFooterStateTests
{
    private static byte[] WithBlocks() => Img.Dynamic(fill: d =>
    {
        d.Write(10, Img.Random(1, 1000));
        d.Write(600 * 1024, Img.Random(2, 5000));
    });

    [Fact]
    public void BadEndChecksumWithValidCopyOpensWithTheCopy()
    {
        var img = WithBlocks();
        var copy = Img.Footer(img, 0);
        img[img.Length - 512 + 200] ^= 0x10; // reserved byte: checksum no longer matches
        var fs = Img.Put(img);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(EndFooterState.Missing, m.EndFooterState);
        Assert.Equal(copy, m.Footer);
        Assert.NotEmpty(m.Warnings);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            Assert.NotEmpty(d.Warnings);
            Assert.Equal(copy, d.Footer);
            var buf = new byte[1000];
            d.Read(10, buf);
            Assert.Equal(Img.Random(1, 1000), buf);
        }
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }

    [Fact]
    public void StaleEndFooterOpensWithTheCopy()
    {
        var img = WithBlocks();
        var copy = Img.Footer(img, 0);
        var stale = Img.EndFooter(img) with { Timestamp = copy.Timestamp - 100 };
        Img.PutFooter(img, img.Length - 512, stale.WithChecksum());
        var fs = Img.Put(img);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(EndFooterState.Stale, m.EndFooterState);
        Assert.Equal(copy, m.Footer);
        Assert.Contains(m.Warnings, w => w.Contains("stale"));
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
            Assert.Equal(copy.Timestamp, d.Footer.Timestamp);
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }

    [Fact]
    public void ReadWriteOpenRewritesAStaleEndFooter()
    {
        var img = WithBlocks();
        var copy = Img.Footer(img, 0);
        Img.PutFooter(img, img.Length - 512, (Img.EndFooter(img) with { Timestamp = 5 }).WithChecksum());
        var fs = Img.Put(img);
        using (VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite)) { }
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(img.Length, after.Length);
        Assert.Equal(copy, Img.EndFooter(after));
        Assert.Equal(EndFooterState.Valid, Img.Load(fs, "/d/x.vhd").EndFooterState);
    }

    public static TheoryData<string> MissingKinds() => new("zeroed", "garbage", "truncated", "bad checksum");

    private static byte[] Damage(byte[] img, string kind)
    {
        switch (kind)
        {
            case "zeroed": Array.Clear(img, img.Length - 512, 512); return img;
            case "garbage": Img.Random(9, 512).CopyTo(img, img.Length - 512); return img;
            case "truncated": return img[..^512];
            default: img[^300] ^= 0xff; return img;
        }
    }

    [Theory]
    [MemberData(nameof(MissingKinds))]
    public void MissingEndFooterOpensReadOnlyWithoutAnyWrite(string kind)
    {
        var img = Damage(WithBlocks(), kind);
        var fs = Img.Put(img);
        Assert.Equal(EndFooterState.Missing, Img.Load(fs, "/d/x.vhd").EndFooterState);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            Assert.NotEmpty(d.Warnings);
            Img.ReadAll(d);
        }
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }

    [Theory]
    [MemberData(nameof(MissingKinds))]
    public void ReadWriteOpenWritesTheMissingEndFooterBack(string kind)
    {
        var original = WithBlocks();
        var copy = Img.Footer(original, 0);
        byte[] expectedData;
        var fs0 = Img.Put(original);
        using (var d = VirtualDisk.Open(fs0, "/d/x.vhd")) expectedData = Img.ReadAll(d);

        var img = Damage(original.ToArray(), kind);
        var fs = Img.Put(img);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite))
            Assert.Equal(expectedData, Img.ReadAll(d));
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(0, after.Length % 512);
        var end = Img.EndFooter(after);
        Assert.True(end.HasValidCookie);
        Assert.True(end.HasValidChecksum);
        Assert.Equal(copy, end);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(EndFooterState.Valid, m.EndFooterState);
        Assert.Empty(m.Warnings);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
            Assert.Equal(expectedData, Img.ReadAll(d));
    }

    [Fact]
    public void FooterOf511BytesIsAccepted()
    {
        var img = Img.Dynamic(fill: d => d.Write(0, Img.Random(3, 700)));
        Assert.Equal(0, img[^1]); // the last reserved byte is zero, as old Virtual PC left it out
        var shorter = img[..^1];
        var fs = Img.Put(shorter);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(EndFooterState.Valid, m.EndFooterState);
        Assert.Equal(shorter.Length - 511, m.FooterOffset);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            var buf = new byte[700];
            d.Read(0, buf);
            Assert.Equal(Img.Random(3, 700), buf);
        }
        // Writing a new block puts it where the short footer was and ends the file with a full footer.
        long before;
        using (var d = (DynamicDisk)VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite))
        {
            before = d.EndFooterOffset;
            d.Write(3L * 512 * 1024 + 1, [5, 6]);
            d.Flush();
        }
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(0, after.Length % 512);
        Assert.Equal(Img.Footer(after, 0), Img.EndFooter(after));
        Assert.Equal((uint)(before / 512), Img.BatEntry(after, 3));
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            var all = Img.ReadAll(d);
            Assert.Equal(Img.Random(3, 700), all[..700]);
            Assert.Equal(new byte[] { 5, 6 }, all[(3 * 512 * 1024 + 1)..(3 * 512 * 1024 + 3)]);
            Assert.Equal(702, all.Count(b => b != 0) + Img.Random(3, 700).Count(b => b == 0));
            Assert.False(Img.Contains(all, "conectix"u8));
        }
    }

    [Fact]
    public void FeaturesWithoutTheReservedBitOpenWithAWarning()
    {
        var img = Img.Dynamic();
        Img.PatchFooters(img, f => f with { Features = 0 });
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Contains(d.Warnings, w => w.Contains("reserved bit"));
    }

    [Fact]
    public void ReadWriteOpenOfAValidImageWritesNothing()
    {
        var img = WithBlocks();
        var fs = Img.Put(img);
        using var t = new TelemetryRecorder();
        using (VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite)) { }
        Assert.Equal(0, t.MetadataWrites("footer"));
        Assert.Equal(0, t.IoBytes("write"));
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }

    [Fact]
    public void ReadWriteOpenCutsWhatFollowsTheEndFooterItWritesBack()
    {
        var img = WithBlocks();
        // 100 bytes past the footer: the last 512 bytes hold no footer, and the file is not whole sectors.
        var longer = img.Concat(Img.Random(7, 100)).ToArray();
        var fs = Img.Put(longer);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(EndFooterState.Missing, m.EndFooterState);
        Assert.Equal(img.Length - 512, m.FooterOffset);
        using var t = new TelemetryRecorder();
        using (VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite)) { }
        Assert.Equal(1, t.MetadataWrites("footer"));
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }
}
