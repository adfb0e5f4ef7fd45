using System.Buffers.Binary;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.Fuzz;

/// <summary>
/// Small valid images: made by the engine and then trimmed (the engine's smallest block is
/// 512 KiB, so the last block's unused tail is cut off, which the format allows for a block the
/// virtual size ends inside), or laid out by hand with <see cref="ImageBuilder"/> to get small
/// blocks. Deterministic: fixed ids and timestamps.
/// </summary>
public static class SeedImages
{
    /// <summary>Unique id of the shared parent.</summary>
    public static readonly Guid ParentId = new("5eed0000-0000-4000-8000-000000000001");

    /// <summary>Virtual size of the shared parent.</summary>
    public const int ParentSize = 16 * 1024;

    private static readonly DateTimeOffset Time = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The shared parent: dynamic, 16 KiB, one 512 KiB block holding a pattern.</summary>
    public static byte[] Parent()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/seed");
        using (var d = VirtualDisk.Create(fs, "/seed/p.vhd", new VhdCreateOptions { Size = ParentSize, ExactSize = true, BlockSize = 512 * 1024, UniqueId = ParentId, Timestamp = Time }))
        {
            d.Write(0, Fill(ParentSize, 0x11));
            d.Flush();
        }
        return TrimLastBlock(fs.File.ReadAllBytes("/seed/p.vhd"));
    }

    /// <summary>Every seed by file name.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        yield return ("dynamic-empty.vhd", EngineDynamic(4096, d => { }));
        var oneBlock = EngineDynamic(16 * 1024, d =>
        {
            d.Write(1000, Fill(2000, 0x22));
            d.Write(10_000, Fill(3000, 0x33));
        });
        yield return ("dynamic-one-block.vhd", oneBlock);
        yield return ("dynamic-no-end-footer.vhd", oneBlock[..^VhdConstants.FooterSize]);
        yield return ("dynamic-511-footer.vhd", oneBlock[..^1]);
        yield return ("fixed-tiny.vhd", EngineFixed(4096, exact: true));
        yield return ("fixed-chs.vhd", EngineFixed(20_000, exact: false));
        yield return ("differencing-child.vhd", EngineChild());
        yield return ("crafted-dynamic-4k-blocks.vhd", CraftedDynamic());
        yield return ("crafted-differencing-4k-blocks.vhd", CraftedDifferencing());
    }

    /// <summary>A dynamic image of <paramref name="size"/> bytes (exact) with 512 KiB blocks, trimmed.</summary>
    public static byte[] EngineDynamic(int size, Action<VirtualDisk> write)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/seed");
        using (var d = VirtualDisk.Create(fs, "/seed/d.vhd", new VhdCreateOptions { Size = size, ExactSize = true, BlockSize = 512 * 1024, UniqueId = new Guid("5eed0000-0000-4000-8000-000000000002"), Timestamp = Time }))
        {
            write(d);
            d.Flush();
        }
        return TrimLastBlock(fs.File.ReadAllBytes("/seed/d.vhd"));
    }

    /// <summary>A fixed image with a pattern in it.</summary>
    public static byte[] EngineFixed(int size, bool exact)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/seed");
        using (var d = VirtualDisk.Create(fs, "/seed/f.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = size, ExactSize = exact, UniqueId = new Guid("5eed0000-0000-4000-8000-000000000003"), Timestamp = Time }))
        {
            d.Write(100, Fill(1000, 0x44));
            d.Flush();
        }
        return fs.File.ReadAllBytes("/seed/f.vhd");
    }

    /// <summary>A differencing child of <see cref="Parent"/> as it sits at <see cref="FuzzHarness.ParentPath"/>.</summary>
    public static byte[] EngineChild()
    {
        var fs = FuzzHarness.NewFileSystem();
        string child = "/fuzz/child.vhd";
        using (var d = VirtualDisk.CreateDifferencing(fs, child, FuzzHarness.ParentPath))
        {
            d.Write(512, Fill(1024, 0x55));
            d.Write(5000, Fill(100, 0x66));
            d.Flush();
        }
        return TrimLastBlock(fs.File.ReadAllBytes(child));
    }

    /// <summary>Dynamic, 32 KiB, 4 KiB blocks, blocks 7, 0 and 3 allocated in that file order.</summary>
    public static byte[] CraftedDynamic() => new ImageBuilder(32 * 1024, 4096)
    {
        UniqueId = new Guid("5eed0000-0000-4000-8000-000000000004"),
    }.Block(7, Fill(4096, 0x77)).Block(0, Fill(4096, 0x78)).Block(3, Fill(4096, 0x79)).Build();

    /// <summary>Differencing over the shared parent, 4 KiB blocks with partial bitmaps, W2ru and W2ku locators.</summary>
    public static byte[] CraftedDifferencing()
    {
        var b = new ImageBuilder(ParentSize, 4096)
        {
            Type = VhdDiskType.Differencing,
            UniqueId = new Guid("5eed0000-0000-4000-8000-000000000005"),
            ParentId = ParentId,
            ParentName = @"\fuzz\parent.vhd",
        };
        b.Locator(ParentLocator.W2ru, Encoding.Unicode.GetBytes(@".\parent.vhd"));
        b.Locator(ParentLocator.W2ku, Encoding.Unicode.GetBytes(@"\fuzz\parent.vhd"));
        var bitmap1 = new byte[512]; bitmap1[0] = 0b1010_0000;
        var bitmap2 = new byte[512]; bitmap2[0] = 0xFF;
        return b.Block(1, Fill(4096, 0x88), bitmap1).Block(2, Fill(4096, 0x99), bitmap2).Build();
    }

    /// <summary>
    /// Cuts the unused tail of the last block in file order when the virtual size ends inside it,
    /// moving the end footer to just after the used part.
    /// </summary>
    public static byte[] TrimLastBlock(byte[] image)
    {
        var footer = VhdFooter.Read(image.AsSpan(image.Length - VhdConstants.FooterSize));
        if (footer.DiskType == VhdDiskType.Fixed) return image;
        var header = DynamicHeader.Read(image.AsSpan((int)footer.DataOffset, VhdConstants.DynamicHeaderSize));
        long size = (long)footer.CurrentSize; // the seeds are the engine's ("svhd"): no CHS rule
        int bitmap = VhdConstants.BitmapBytes(header.BlockSize);
        long lastStart = -1, lastUsed = 0;
        for (int i = 0; i < header.MaxTableEntries; i++)
        {
            uint e = BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan((int)header.TableOffset + i * 4));
            if (e == VhdConstants.UnallocatedEntry) continue;
            long start = (long)e * VhdConstants.SectorSize;
            if (start > lastStart) { lastStart = start; lastUsed = Math.Min(header.BlockSize, size - (long)i * header.BlockSize); }
        }
        if (lastStart < 0) return image;
        long end = lastStart + bitmap + (lastUsed + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
        if (end + VhdConstants.FooterSize >= image.Length) return image;
        var trimmed = new byte[end + VhdConstants.FooterSize];
        image.AsSpan(0, (int)end).CopyTo(trimmed);
        image.AsSpan(image.Length - VhdConstants.FooterSize).CopyTo(trimmed.AsSpan((int)end));
        return trimmed;
    }

    /// <summary>A recognisable pattern.</summary>
    public static byte[] Fill(int length, byte seed)
    {
        var b = new byte[length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(seed ^ (i * 7) ^ (i >> 8));
        return b;
    }
}

/// <summary>
/// Lays out a dynamic or differencing image by hand, with any block size: footer copy, header,
/// BAT, locator data, blocks in the order added, end footer. Checksums are valid.
/// </summary>
public sealed class ImageBuilder(long virtualSize, int blockSize)
{
    private readonly List<(int Index, byte[] Data, byte[]? Bitmap)> _blocks = [];
    private readonly List<(uint Code, byte[] Data)> _locators = [];

    /// <summary>Dynamic or differencing.</summary>
    public VhdDiskType Type { get; init; } = VhdDiskType.Dynamic;
    /// <summary>Footer unique id.</summary>
    public Guid UniqueId { get; init; } = Guid.NewGuid();
    /// <summary>Header parent id.</summary>
    public Guid ParentId { get; init; }
    /// <summary>Header parent name.</summary>
    public string ParentName { get; init; } = "";
    /// <summary>Creator application written into the footer.</summary>
    public uint CreatorApplication { get; init; } = FourCc.FromText("svhd");

    /// <summary>Adds block <paramref name="index"/> (data up to the block size; bitmap all ones when null).</summary>
    public ImageBuilder Block(int index, byte[] data, byte[]? bitmap = null)
    {
        _blocks.Add((index, data, bitmap));
        return this;
    }

    /// <summary>Adds a parent locator entry with its data.</summary>
    public ImageBuilder Locator(uint code, byte[] data)
    {
        _locators.Add((code, data));
        return this;
    }

    /// <summary>The image bytes.</summary>
    public byte[] Build()
    {
        const int S = VhdConstants.SectorSize;
        long entries = (virtualSize + blockSize - 1) / blockSize;
        long tableOffset = VhdConstants.FooterSize + VhdConstants.DynamicHeaderSize;
        long next = tableOffset + (entries * 4 + S - 1) / S * S;
        var locators = new ParentLocator[VhdConstants.LocatorCount];
        var locatorOffsets = new long[_locators.Count];
        for (int i = 0; i < _locators.Count; i++)
        {
            long space = Math.Max(S, (_locators[i].Data.Length + S - 1) / S * S);
            locators[i] = new ParentLocator(_locators[i].Code, (uint)space, (uint)_locators[i].Data.Length, 0, (ulong)next);
            locatorOffsets[i] = next;
            next += space;
        }
        int bitmapBytes = VhdConstants.BitmapBytes(blockSize);
        var bat = new uint[entries];
        Array.Fill(bat, VhdConstants.UnallocatedEntry);
        var blockOffsets = new long[_blocks.Count];
        for (int k = 0; k < _blocks.Count; k++)
        {
            blockOffsets[k] = next;
            bat[_blocks[k].Index] = (uint)(next / S);
            next += bitmapBytes + blockSize;
        }
        var footer = new VhdFooter
        {
            DataOffset = VhdConstants.FooterSize,
            Timestamp = 1,
            CreatorApplication = CreatorApplication,
            CreatorVersion = 0x00010000,
            CreatorHostOs = FourCc.FromText("Wi2k"),
            OriginalSize = (ulong)virtualSize,
            CurrentSize = (ulong)virtualSize,
            Geometry = DiskGeometry.Max,
            DiskType = Type,
            UniqueId = UniqueId,
        }.WithChecksum();
        var header = new DynamicHeader
        {
            TableOffset = (ulong)tableOffset,
            MaxTableEntries = (uint)entries,
            BlockSize = (uint)blockSize,
            ParentUniqueId = ParentId,
            ParentUnicodeNameBytes = DynamicHeader.EncodeParentName(ParentName),
            ParentLocators = locators,
        }.WithChecksum();
        var image = new byte[next + VhdConstants.FooterSize];
        footer.Write(image);
        header.Write(image.AsSpan(VhdConstants.FooterSize));
        for (int i = 0; i < entries; i++)
            BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan((int)tableOffset + i * 4), bat[i]);
        image.AsSpan((int)(tableOffset + entries * 4), (int)((entries * 4 + S - 1) / S * S - entries * 4)).Fill(0xFF);
        for (int i = 0; i < _locators.Count; i++) _locators[i].Data.CopyTo(image, locatorOffsets[i]);
        for (int k = 0; k < _blocks.Count; k++)
        {
            var bitmap = _blocks[k].Bitmap ?? Enumerable.Repeat((byte)0xFF, bitmapBytes).ToArray();
            bitmap.CopyTo(image, blockOffsets[k]);
            _blocks[k].Data.AsSpan(0, Math.Min(_blocks[k].Data.Length, blockSize)).CopyTo(image.AsSpan((int)blockOffsets[k] + bitmapBytes));
        }
        footer.Write(image.AsSpan(image.Length - VhdConstants.FooterSize));
        return image;
    }
}
