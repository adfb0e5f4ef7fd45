using System.Buffers.Binary;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine.Support;

/// <summary>Builds images on a <see cref="MockFileSystem"/> and patches their bytes.</summary>
internal static class Img
{
    public const string Dir = "/d";
    public const int K = 1024;
    public const int M = 1024 * 1024;

    public static MockFileSystem NewFs()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory(Dir);
        return fs;
    }

    /// <summary>A dynamic image (default 4 MiB requested, 512 KiB blocks), optionally written to, as bytes.</summary>
    public static byte[] Dynamic(long size = 4 * M, int blockSize = 512 * K, Action<VirtualDisk>? fill = null)
    {
        var fs = NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = size, BlockSize = blockSize }))
        {
            fill?.Invoke(d);
            d.Flush();
        }
        return fs.File.ReadAllBytes("/d/a.vhd");
    }

    /// <summary>A fixed image as bytes.</summary>
    public static byte[] Fixed(long size = 1 * M)
    {
        var fs = NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = size }))
            d.Flush();
        return fs.File.ReadAllBytes("/d/a.vhd");
    }

    public static byte[] Random(int seed, int length)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static VhdFooter Footer(byte[] img, long offset) => VhdFooter.Read(img.AsSpan(checked((int)offset), VhdConstants.FooterSize));

    public static VhdFooter EndFooter(byte[] img) => Footer(img, img.Length - VhdConstants.FooterSize);

    public static void PutFooter(byte[] img, long offset, VhdFooter f) => f.Write(img.AsSpan(checked((int)offset), VhdConstants.FooterSize));

    /// <summary>Changes the footer at the end and (for dynamic images) the copy at offset 0 alike.</summary>
    public static void PatchFooters(byte[] img, Func<VhdFooter, VhdFooter> change, bool fixChecksum = true)
    {
        var end = EndFooter(img);
        var changed = change(end);
        if (fixChecksum) changed = changed.WithChecksum();
        PutFooter(img, img.Length - VhdConstants.FooterSize, changed);
        if (end.DiskType is VhdDiskType.Dynamic or VhdDiskType.Differencing) PutFooter(img, 0, changed);
    }

    public static int HeaderOffset(byte[] img) => checked((int)Footer(img, 0).DataOffset);

    public static DynamicHeader Header(byte[] img) => DynamicHeader.Read(img.AsSpan(HeaderOffset(img), VhdConstants.DynamicHeaderSize));

    public static void PatchHeader(byte[] img, Func<DynamicHeader, DynamicHeader> change, bool fixChecksum = true)
    {
        var h = change(Header(img));
        if (fixChecksum) h = h.WithChecksum();
        h.Write(img.AsSpan(HeaderOffset(img), VhdConstants.DynamicHeaderSize));
    }

    public static uint BatEntry(byte[] img, int index) =>
        BinaryPrimitives.ReadUInt32BigEndian(img.AsSpan(checked((int)Header(img).TableOffset + index * 4)));

    public static void SetBatEntry(byte[] img, int index, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(img.AsSpan(checked((int)Header(img).TableOffset + index * 4)), value);

    public static MockFileSystem Put(byte[] img, string path = "/d/x.vhd")
    {
        var fs = NewFs();
        fs.File.WriteAllBytes(path, img);
        return fs;
    }

    public static ImageMetadata Load(IFileSystem fs, string path)
    {
        using var f = BlockFile.Open(fs, path, writable: false);
        return ImageMetadata.Load(f);
    }

    /// <summary>
    /// Opens the image read-only (and the metadata alone) and expects a <see cref="VhdFormatException"/>;
    /// checks the file is unchanged afterwards.
    /// </summary>
    public static VhdFormatException OpenFails(byte[] img)
    {
        var fs = Put(img);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/x.vhd").Dispose());
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
        var e2 = Assert.Throws<VhdFormatException>(() => Load(fs, "/d/x.vhd"));
        Assert.Equal(e.Message, e2.Message);
        return e;
    }

    /// <summary>True if <paramref name="needle"/> occurs in <paramref name="hay"/>.</summary>
    public static bool Contains(ReadOnlySpan<byte> hay, ReadOnlySpan<byte> needle) => hay.IndexOf(needle) >= 0;

    public static byte[] ReadAll(VirtualDisk d)
    {
        var b = new byte[d.Length];
        d.Read(0, b);
        return b;
    }
}
