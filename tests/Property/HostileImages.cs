using System.Buffers.Binary;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using CsCheck;
using Storage.Fuzz;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.Tests.Property;

/// <summary>The valid image a hostile case starts from.</summary>
public enum BaseKind
{
    /// <summary>Fixed, exact size, made by the engine.</summary>
    Fixed,
    /// <summary>Fixed, CHS-rounded, made by the engine.</summary>
    FixedChs,
    /// <summary>Dynamic, up to 640 KiB in 512 KiB blocks, made by the engine (the last block's unused tail cut off).</summary>
    Dynamic,
    /// <summary>Dynamic laid out by hand with 512 B .. 64 KiB blocks.</summary>
    DynamicSmallBlocks,
    /// <summary>Differencing child made by the engine over an engine-made parent.</summary>
    Differencing,
    /// <summary>Differencing child laid out by hand (small blocks, partial bitmaps, every locator kind).</summary>
    DifferencingSmallBlocks,
}

/// <summary>A value to put in a field, resolved against the image it goes into.</summary>
public enum ValueKind { Zero, One, AllOnes, FileLength, PastEnd, Past2TiB, IntoFooterCopy, IntoHeader, IntoBat, Original, OriginalPlusOne, OriginalMinusOne, Random, Sectors }

/// <summary>One corruption of an image's bytes.</summary>
public abstract record Corruption;
/// <summary>Sets a footer field (end footer, copy at 0, or both).</summary>
public sealed record FooterField(int Field, ValueKind Value, long Random, int Which) : Corruption;
/// <summary>Sets a dynamic header field, or a field of a locator entry.</summary>
public sealed record HeaderField(int Field, ValueKind Value, long Random) : Corruption;
/// <summary>Sets a BAT entry.</summary>
public sealed record BatEntry(int Index, ValueKind Value, long Random, bool DuplicateOther, bool OverlapOther) : Corruption;
/// <summary>Rewrites a parent locator: code, data text, and (maybe) a length or offset past the file.</summary>
public sealed record LocatorData(int Slot, int Code, string Text, ValueKind Length, ValueKind Offset, long Random) : Corruption;
/// <summary>Rewrites the header's parent name.</summary>
public sealed record ParentName(string Text) : Corruption;
/// <summary>Truncates the file.</summary>
public sealed record Truncate(ValueKind To, long Random) : Corruption;
/// <summary>Appends bytes (zeros, or a copy of the footer).</summary>
public sealed record Extend(int Bytes, bool CopyFooter) : Corruption;
/// <summary>Flips random bits.</summary>
public sealed record ByteFlips(int Count, int Seed) : Corruption;
/// <summary>Overwrites a block's bitmap (zeros, ones, or a footer).</summary>
public sealed record Bitmap(int Block, int Kind) : Corruption;

/// <summary>A hostile case: a base image, what to corrupt, and whether to fix the checksums afterwards.</summary>
public sealed record HostileCase(BaseKind Kind, int Seed, Corruption[] Corruptions, bool FixChecksums, bool CorruptParent)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Kind} seed={Seed} fix={FixChecksums} parent={CorruptParent}: {string.Join(", ", Corruptions.Select(c => c.ToString()))}";
}

/// <summary>The files of a case: the image to exercise and, for differencing images, its parent.</summary>
public sealed record CaseFiles(byte[] Image, byte[]? Parent);

/// <summary>
/// Generators of hostile images: valid fixed, dynamic and differencing images, then every footer
/// and header field set to boundary and absurd values, BAT entries out of range, overlapping and
/// duplicated, locators with traversal paths, self references and lengths past the file,
/// truncations, zero-length files and byte flips, checksums fixed up or left wrong.
/// </summary>
public static class HostileImages
{
    /// <summary>Directory and names the cases use on every file system.</summary>
    public const string ChildName = "child.vhd", ParentFileName = "parent.vhd";

    // Footer fields: (offset, width). Index 0 is the cookie.
    private static readonly (int Offset, int Width)[] FooterFields =
        [(0, 8), (8, 4), (12, 4), (16, 8), (24, 4), (28, 4), (32, 4), (36, 4), (40, 8), (48, 8), (56, 4), (60, 4), (64, 4), (68, 16), (84, 1), (56, 2), (58, 1), (59, 1)];

    // Header fields, then per-locator fields (code, space, length, offset) for slots 0..2.
    private static readonly (int Offset, int Width)[] HeaderFields = BuildHeaderFields();

    private static (int, int)[] BuildHeaderFields()
    {
        var list = new List<(int, int)> { (0, 8), (8, 8), (16, 8), (24, 4), (28, 4), (32, 4), (36, 4), (40, 16), (56, 4), (64, 2) };
        for (int slot = 0; slot < 3; slot++)
            list.AddRange([(576 + slot * 24, 4), (576 + slot * 24 + 4, 4), (576 + slot * 24 + 8, 4), (576 + slot * 24 + 16, 8)]);
        return [.. list];
    }

    /// <summary>Locator texts: traversal, self references, absolute, drive letter, UNC, devices, junk.</summary>
    public static readonly string[] LocatorTexts =
    [
        @"..\..\etc\passwd", @"..\..\..\..\..\..\..\..\etc\passwd", @"\etc\passwd", @".\child.vhd", @"\h\child.vhd", @".\parent.vhd",
        @"C:\Windows\parent.vhd", @"\\server\share\parent.vhd", @"\dev\zero", @"\dev\null", @"\proc\self\status", @".", @"..", "",
        @".\", @"\", new string('a', 300) + ".vhd", @"..\h\parent.vhd", "file:///etc/passwd", "file://host/h/child.vhd", "file:///h/parent.vhd",
        "par\0ent.vhd", "\uD800\uDC00.vhd", @"..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\..\tmp",
    ];

    private static readonly Gen<ValueKind> Values = Gen.Enum<ValueKind>();

    private static readonly Gen<Corruption> Corruptions = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, FooterFields.Length - 1], Values, Gen.Long, Gen.Int[0, 2], (f, v, r, w) => (Corruption)new FooterField(f, v, r, w))),
        (6, Gen.Select(Gen.Int[0, HeaderFields.Length - 1], Values, Gen.Long, (f, v, r) => (Corruption)new HeaderField(f, v, r))),
        (4, Gen.Select(Gen.Int[0, 64], Values, Gen.Long, Gen.Int[0, 3], (i, v, r, mode) => (Corruption)new BatEntry(i, v, r, mode == 1, mode == 2))),
        (3, Gen.Select(Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[0, LocatorTexts.Length - 1], Gen.Frequency((3, Gen.Const(ValueKind.Original)), (1, Values)),
            Gen.Frequency((3, Gen.Const(ValueKind.Original)), (1, Values)), Gen.Long,
            (slot, code, text, len, off, r) => (Corruption)new LocatorData(slot, code, LocatorTexts[text], len, off, r))),
        (1, Gen.Int[0, LocatorTexts.Length - 1].Select(t => (Corruption)new ParentName(LocatorTexts[t]))),
        (2, Gen.Select(Values, Gen.Long, (v, r) => (Corruption)new Truncate(v, r))),
        (1, Gen.Select(Gen.Int[1, 70_000], Gen.Bool, (n, f) => (Corruption)new Extend(n, f))),
        (3, Gen.Select(Gen.Int[1, 16], Gen.Int, (n, s) => (Corruption)new ByteFlips(n, s))),
        (2, Gen.Select(Gen.Int[0, 64], Gen.Int[0, 2], (b, k) => (Corruption)new Bitmap(b, k))));

    /// <summary>Hostile cases: 1..3 corruptions of a base image.</summary>
    public static readonly Gen<HostileCase> Cases = Gen.Select(
        Gen.Enum<BaseKind>(), Gen.Int[0, 1_000_000], Corruptions.Array[1, 3], Gen.Frequency((3, Gen.Const(true)), (1, Gen.Const(false))),
        Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))),
        (kind, seed, corruptions, fix, parent) => new HostileCase(kind, seed, corruptions, fix, parent));

    /// <summary>The valid files a case starts from (deterministic in the seed).</summary>
    public static CaseFiles Base(BaseKind kind, int seed, string dir)
    {
        var rnd = new Random(seed);
        switch (kind)
        {
            case BaseKind.Fixed:
            case BaseKind.FixedChs:
                return new CaseFiles(EngineImage(new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = rnd.Next(1, 256 * 1024), ExactSize = kind == BaseKind.Fixed }, rnd), null);
            case BaseKind.Dynamic:
                {
                    // Small files (the last block's unused tail cut off): the allocation bound per case
                    // has to cover MockFileSystem's copy of the file on every open and flush.
                    var image = EngineImage(new VhdCreateOptions { Size = rnd.Next(1, 640 * 1024), BlockSize = 512 * 1024, ExactSize = rnd.Next(2) == 0 }, rnd);
                    return new CaseFiles(SeedImages.TrimLastBlock(image), null);
                }
            case BaseKind.DynamicSmallBlocks:
                return new CaseFiles(Crafted(rnd, VhdDiskType.Dynamic, Guid.Empty, null), null);
            case BaseKind.Differencing:
                {
                    var fs = new MockFileSystem();
                    fs.Directory.CreateDirectory(dir);
                    string parent = $"{dir}/{ParentFileName}", child = $"{dir}/{ChildName}";
                    // Over a dynamic parent with 512 KiB blocks, so the child has them too (small files:
                    // the allocation bound per case covers MockFileSystem's copy of a file per open).
                    using (var p = VirtualDisk.Create(fs, parent, new VhdCreateOptions { Size = rnd.Next(4096, 256 * 1024), BlockSize = 512 * 1024 }))
                    {
                        Scribble(p, rnd);
                        p.Flush();
                    }
                    using (var c = VirtualDisk.CreateDifferencing(fs, child, parent))
                    {
                        Scribble(c, rnd);
                        c.Flush();
                    }
                    return new CaseFiles(SeedImages.TrimLastBlock(fs.File.ReadAllBytes(child)), SeedImages.TrimLastBlock(fs.File.ReadAllBytes(parent)));
                }
            default:
                {
                    int blockSize = 512 << rnd.Next(0, 7);
                    var parentId = Guid.NewGuid();
                    long size = (long)blockSize * rnd.Next(1, 24) - (rnd.Next(2) == 0 ? 0 : 512 * rnd.Next(0, blockSize / 512));
                    size = Math.Max(512, size);
                    var parent = new ImageBuilder(size, blockSize) { UniqueId = parentId }.Block(0, Pattern(rnd, blockSize)).Build();
                    var child = Crafted(rnd, VhdDiskType.Differencing, parentId, size, blockSize, dir);
                    return new CaseFiles(child, parent);
                }
        }
    }

    private static byte[] EngineImage(VhdCreateOptions options, Random rnd)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/b");
        using (var d = VirtualDisk.Create(fs, "/b/i.vhd", options))
        {
            Scribble(d, rnd);
            d.Flush();
        }
        return fs.File.ReadAllBytes("/b/i.vhd");
    }

    private static void Scribble(VirtualDisk d, Random rnd)
    {
        for (int i = rnd.Next(0, 5); i > 0; i--)
        {
            long off = rnd.NextInt64(d.Length);
            int n = (int)Math.Min(rnd.Next(1, 20_000), d.Length - off);
            d.Write(off, Pattern(rnd, n));
        }
    }

    private static byte[] Crafted(Random rnd, VhdDiskType type, Guid parentId, long? size, int? block = null, string dir = "/h")
    {
        int blockSize = block ?? 512 << rnd.Next(0, 7);
        long virtualSize = size ?? Math.Max(512, (long)blockSize * rnd.Next(1, 24) - 512 * rnd.Next(0, 3));
        int entries = (int)((virtualSize + blockSize - 1) / blockSize);
        var b = new ImageBuilder(virtualSize, blockSize) { Type = type, ParentId = parentId, ParentName = type == VhdDiskType.Differencing ? $@"{dir.Replace('/', '\\')}\{ParentFileName}" : "" };
        if (type == VhdDiskType.Differencing)
        {
            b.Locator(ParentLocator.W2ru, Encoding.Unicode.GetBytes($@".\{ParentFileName}"));
            b.Locator(ParentLocator.W2ku, Encoding.Unicode.GetBytes($@"{dir.Replace('/', '\\')}\{ParentFileName}"));
            b.Locator(ParentLocator.MacX, Encoding.UTF8.GetBytes($"file://{dir}/{ParentFileName}"));
        }
        var order = Enumerable.Range(0, entries).OrderBy(_ => rnd.Next()).Take(rnd.Next(0, Math.Min(entries, 8) + 1));
        foreach (int i in order)
        {
            byte[]? bitmap = null;
            if (type == VhdDiskType.Differencing)
            {
                bitmap = new byte[VhdConstants.BitmapBytes(blockSize)];
                rnd.NextBytes(bitmap.AsSpan(0, Math.Max(1, blockSize / 512 / 8)));
            }
            b.Block(i, Pattern(rnd, blockSize), bitmap);
        }
        return b.Build();
    }

    private static byte[] Pattern(Random rnd, int n)
    {
        var b = new byte[n];
        rnd.NextBytes(b);
        return b;
    }

    /// <summary>Applies every corruption of the case to <paramref name="image"/> (a copy is returned).</summary>
    public static byte[] Corrupt(byte[] image, HostileCase c)
    {
        var b = (byte[])image.Clone();
        foreach (var corruption in c.Corruptions) b = Apply(b, corruption, c.Seed);
        return c.FixChecksums ? ChecksumFixer.FixAll(b) : b;
    }

    private static ulong Resolve(ValueKind kind, long random, ulong original, int width, long fileLength, long tableOffset)
    {
        ulong mask = width >= 8 ? ulong.MaxValue : (1UL << (width * 8)) - 1;
        ulong v = kind switch
        {
            ValueKind.Zero => 0,
            ValueKind.One => 1,
            ValueKind.AllOnes => ulong.MaxValue,
            ValueKind.FileLength => (ulong)fileLength,
            ValueKind.PastEnd => (ulong)fileLength + 512 * (ulong)(1 + (random & 0xFF)),
            ValueKind.Past2TiB => (2041UL << 30) + (ulong)(random & 0xFFFF) * 512,
            ValueKind.IntoFooterCopy => (ulong)(random & 511),
            ValueKind.IntoHeader => 512 + (ulong)(random & 1023),
            ValueKind.IntoBat => (ulong)tableOffset + (ulong)(random & 511),
            ValueKind.Original => original,
            ValueKind.OriginalPlusOne => original + 1,
            ValueKind.OriginalMinusOne => original - 1,
            ValueKind.Sectors => (ulong)fileLength / 512 + (ulong)(random & 7) - 3,
            _ => (ulong)random,
        };
        return v & mask;
    }

    private static ulong ReadField(byte[] b, int offset, int width) => width switch
    {
        1 => b[offset],
        2 => BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(offset)),
        4 => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(offset)),
        _ => BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(offset)),
    };

    private static void WriteField(byte[] b, int offset, int width, ulong v)
    {
        switch (width)
        {
            case 1: b[offset] = (byte)v; break;
            case 2: BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(offset), (ushort)v); break;
            case 4: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(offset), (uint)v); break;
            case 8: BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(offset), v); break;
            default:
                // 16 bytes (ids): zero, all ones, or a value spread over both halves.
                BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(offset), v);
                BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(offset + 8), v);
                break;
        }
    }

    private static long HeaderOffset(byte[] b)
    {
        if (b.Length < 1024 + 512) return -1;
        ulong o = BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(16));
        return o <= (ulong)(b.Length - 1024) ? (long)o : -1;
    }

    private static long TableOffset(byte[] b)
    {
        long h = HeaderOffset(b);
        if (h < 0) return 1536;
        ulong t = BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan((int)h + 16));
        return t < (ulong)b.Length ? (long)t : 1536;
    }

    private static byte[] Apply(byte[] b, Corruption corruption, int seed)
    {
        long table = TableOffset(b);
        switch (corruption)
        {
            case FooterField f when b.Length >= 512:
                {
                    var (offset, width) = FooterFields[f.Field];
                    foreach (int at in (f.Which switch { 0 => new[] { b.Length - 512 }, 1 => [0], _ => [0, b.Length - 512] }))
                        WriteField(b, at + offset, width, Resolve(f.Value, f.Random, ReadField(b, at + offset, Math.Min(width, 8)), width, b.Length, table));
                    return b;
                }
            case HeaderField h:
                {
                    long at = HeaderOffset(b);
                    if (at < 0) return b;
                    var (offset, width) = HeaderFields[h.Field];
                    WriteField(b, (int)at + offset, width, Resolve(h.Value, h.Random, ReadField(b, (int)at + offset, Math.Min(width, 8)), width, b.Length, table));
                    return b;
                }
            case BatEntry e:
                {
                    long h = HeaderOffset(b);
                    if (h < 0) return b;
                    uint entries = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)h + 28));
                    if (entries == 0 || table + 4 * (long)Math.Min(entries, 65) > b.Length) return b;
                    int index = (int)(e.Index % entries);
                    int at = (int)table + index * 4;
                    uint value;
                    if (e.DuplicateOther || e.OverlapOther)
                    {
                        uint other = VhdConstants.UnallocatedEntry;
                        for (int i = 0; i < Math.Min(entries, 4096) && other == VhdConstants.UnallocatedEntry; i++)
                            if (i != index) other = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)table + i * 4));
                        if (other == VhdConstants.UnallocatedEntry) return b;
                        value = e.OverlapOther ? other + 1 + (uint)(e.Random & 3) : other;
                    }
                    else
                    {
                        ulong original = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
                        value = (uint)Resolve(e.Value, e.Random, original, 4, b.Length, table);
                        if (e.Value is ValueKind.FileLength or ValueKind.PastEnd or ValueKind.IntoFooterCopy or ValueKind.IntoHeader or ValueKind.IntoBat)
                            value /= 512; // entries are sector numbers
                    }
                    BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), value);
                    return b;
                }
            case LocatorData l:
                {
                    long h = HeaderOffset(b);
                    if (h < 0) return b;
                    int entry = (int)h + 576 + l.Slot * 24;
                    uint code = l.Code switch { 0 => ParentLocator.W2ru, 1 => ParentLocator.W2ku, 2 => ParentLocator.MacX, 3 => ParentLocator.Wi2k, _ => (uint)l.Random };
                    byte[] data = code == ParentLocator.MacX ? Encoding.UTF8.GetBytes(l.Text) : Encoding.Unicode.GetBytes(l.Text);
                    // Put the data at the end of the file, before the footer, in a new sector run.
                    int space = Math.Max(512, (data.Length + 511) / 512 * 512);
                    var r = new byte[b.Length + space];
                    b.AsSpan(0, b.Length - 512).CopyTo(r);
                    data.CopyTo(r, b.Length - 512);
                    b.AsSpan(b.Length - 512).CopyTo(r.AsSpan(r.Length - 512));
                    ulong offset = Resolve(l.Offset, l.Random, (ulong)(b.Length - 512), 8, r.Length, table);
                    ulong length = Resolve(l.Length, l.Random, (ulong)data.Length, 4, r.Length, table);
                    BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(entry), code);
                    BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(entry + 4), (uint)space);
                    BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(entry + 8), (uint)length);
                    BinaryPrimitives.WriteUInt64BigEndian(r.AsSpan(entry + 16), offset);
                    return r;
                }
            case ParentName p:
                {
                    long h = HeaderOffset(b);
                    if (h < 0) return b;
                    DynamicHeader.EncodeParentName(p.Text).CopyTo(b, (int)h + 64);
                    return b;
                }
            case Truncate t:
                {
                    long to = t.To switch
                    {
                        ValueKind.Zero => 0,
                        ValueKind.One => 1,
                        ValueKind.IntoFooterCopy => 511,
                        ValueKind.IntoHeader => 512 + (t.Random & 1023),
                        ValueKind.IntoBat => table + (t.Random & 1023),
                        ValueKind.OriginalMinusOne => b.Length - 1,
                        ValueKind.Sectors => b.Length - 512 * (1 + (t.Random & 7)),
                        _ => (long)((ulong)t.Random % (ulong)(b.Length + 1)),
                    };
                    return b[..(int)Math.Clamp(to, 0, b.Length)];
                }
            case Extend x:
                {
                    var r = new byte[b.Length + x.Bytes];
                    b.CopyTo(r, 0);
                    if (x.CopyFooter && b.Length >= 512) b.AsSpan(b.Length - 512).CopyTo(r.AsSpan(r.Length - 512));
                    return r;
                }
            case ByteFlips f when b.Length > 0:
                {
                    var rnd = new Random(f.Seed ^ seed);
                    for (int i = 0; i < f.Count; i++)
                    {
                        // Half the flips hit metadata (the first 4 KiB or the end footer).
                        int at = rnd.Next(3) switch { 0 => rnd.Next(Math.Min(4096, b.Length)), 1 => b.Length - 1 - rnd.Next(Math.Min(512, b.Length)), _ => rnd.Next(b.Length) };
                        b[at] ^= (byte)(1 << rnd.Next(8));
                    }
                    return b;
                }
            case Bitmap m:
                {
                    long h = HeaderOffset(b);
                    if (h < 0) return b;
                    uint entries = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)h + 28));
                    if (entries == 0 || table + 4L * entries > b.Length) return b;
                    uint e = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)table + (int)(m.Block % entries) * 4));
                    long at = (long)e * 512;
                    if (e == VhdConstants.UnallocatedEntry || at + 512 > b.Length) return b;
                    var sector = b.AsSpan((int)at, 512);
                    if (m.Kind == 0) sector.Clear();
                    else if (m.Kind == 1) sector.Fill(0xFF);
                    else b.AsSpan(b.Length - 512).CopyTo(sector);
                    return b;
                }
            default:
                return b;
        }
    }
}
