using System.Buffers.Binary;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;

namespace Storage.Fuzz;

/// <summary>What one <see cref="FuzzHarness.Exercise"/> got through without a <see cref="VhdException"/>.</summary>
[Flags]
public enum Outcome
{
    /// <summary>Every stage refused the image with a VhdException.</summary>
    None = 0,
    /// <summary>A read-only open succeeded and every byte that may hold data was read.</summary>
    ReadOnlyOpened = 1,
    /// <summary>VhdMaintenance.Check returned a report (clean or not).</summary>
    Checked = 2,
    /// <summary>The report had no errors.</summary>
    CheckClean = 4,
    /// <summary>A read-write open succeeded.</summary>
    ReadWriteOpened = 8,
    /// <summary>Writes and a flush succeeded and read back, also after a reopen.</summary>
    Written = 16,
    /// <summary>VhdMaintenance.Repair returned.</summary>
    Repaired = 32,
    /// <summary>VhdMaintenance.Convert made a dynamic copy that reads the same.</summary>
    Converted = 64,
    /// <summary>A differencing image was committed into its parent (keeping the child); both read right after.</summary>
    Committed = 128,
}

/// <summary>
/// A harness invariant other than "only VhdException" broke: a read-only stage changed the file,
/// or data the engine accepted did not read back. Deliberately not a <see cref="VhdException"/>,
/// so every driver treats it as a crash.
/// </summary>
public sealed class HarnessViolationException(string message) : Exception(message);

/// <summary>
/// The hostile-input harness (DESIGN.md §3): given an image file, open it read-only, read every
/// property and every byte that may hold data, check it, make sure none of that changed the file,
/// then open it read-write, write, flush, read back, reopen, and repair. Any exception that is
/// not a <see cref="VhdException"/> escapes: that is a crash. Shared by the SharpFuzz entry
/// points, the in-process mutation loop, the replay mode and tests/Property. It drives the engine
/// through its public API only, as an application would; what it checks about the file afterwards
/// it reads itself (<see cref="EndFooter"/>).
/// </summary>
public static class FuzzHarness
{
    /// <summary>Where <see cref="Run"/> puts the input on its MockFileSystem.</summary>
    public const string ImagePath = "/fuzz/image.vhd";

    /// <summary>A valid dynamic image always present beside the input, so differencing inputs can resolve it.</summary>
    public const string ParentPath = "/fuzz/parent.vhd";

    /// <summary>Largest block size for which the read-write stage may allocate a block (MockFileSystem holds files in memory).</summary>
    public const int MaxAllocatingBlockSize = 2 << 20;

    private static readonly Lazy<byte[]> ParentBytes = new(() => SeedImages.Parent());

    /// <summary>The parent image every <see cref="Run"/> places at <see cref="ParentPath"/>.</summary>
    public static ReadOnlySpan<byte> Parent => ParentBytes.Value;

    /// <summary>
    /// The fuzz entry point: the input as-is, then (when it differs) the input with its footer,
    /// footer copy and dynamic header checksums fixed up, so mutations get past the checksum gate.
    /// </summary>
    public static Outcome Run(ReadOnlySpan<byte> data)
    {
        var raw = data.ToArray();
        var outcome = RunOne(raw);
        var fixedUp = ChecksumFixer.FixAll(raw);
        if (!fixedUp.AsSpan().SequenceEqual(raw)) outcome |= RunOne(fixedUp);
        return outcome;
    }

    /// <summary>One input on a fresh MockFileSystem with the shared parent beside it.</summary>
    public static Outcome RunOne(byte[] image)
    {
        var fs = NewFileSystem();
        fs.AddFile(ImagePath, new MockFileData(image));
        return Exercise(fs, ImagePath);
    }

    /// <summary>A MockFileSystem holding only the shared parent.</summary>
    public static MockFileSystem NewFileSystem()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/fuzz");
        fs.AddFile(ParentPath, new MockFileData(Parent.ToArray()));
        return fs;
    }

    /// <summary>
    /// Runs every stage on <paramref name="path"/>. Files in <paramref name="watched"/> (default:
    /// the image and every file in its directory) must be byte-identical after the read-only stages.
    /// </summary>
    /// <remarks>
    /// With <paramref name="write"/> false only the read-only stages run (open, info, read, check,
    /// and convert unless <paramref name="convert"/> is false); nothing may change any watched file.
    /// </remarks>
    public static Outcome Exercise(IFileSystem fs, string path, bool write = true, IEnumerable<string>? watched = null, bool convert = true)
    {
        var outcome = Outcome.None;
        string full = fs.Path.GetFullPath(path);
        string dir = fs.Path.GetDirectoryName(full)!;
        var files = (watched ?? fs.Directory.GetFiles(dir)).Select(fs.Path.GetFullPath).Distinct().ToList();
        var before = files.ToDictionary(f => f, f => fs.File.ReadAllBytes(f));

        // Read-only: open, every property, every byte that may hold data.
        try
        {
            using var disk = VirtualDisk.Open(fs, full, FileAccess.Read);
            Inspect(disk);
            ReadEverything(disk);
            outcome |= Outcome.ReadOnlyOpened;
        }
        catch (VhdException) { }

        try
        {
            var report = VhdMaintenance.Check(fs, full);
            _ = report.Errors.Count + report.Warnings.Count + report.LeakedBytes + report.ReclaimableBytes;
            outcome |= Outcome.Checked;
            if (report.IsClean) outcome |= Outcome.CheckClean;
        }
        catch (VhdException) { }

        // Convert (a read-only use of the source) into a new dynamic image beside it, and compare.
        string converted = full + ".converted.vhd";
        try
        {
            if (convert && outcome.HasFlag(Outcome.ReadOnlyOpened) && !fs.File.Exists(converted) && ConvertAndCompare(fs, full, converted))
                outcome |= Outcome.Converted;
        }
        catch (VhdException) { }
        finally
        {
            if (fs.File.Exists(converted)) fs.File.Delete(converted);
        }

        foreach (var (f, bytes) in before)
        {
            var now = fs.File.ReadAllBytes(f);
            if (!now.AsSpan().SequenceEqual(bytes))
                throw new HarnessViolationException($"read-only open/read/check changed '{f}' ({bytes.Length} -> {now.Length} bytes)");
        }
        if (!write) return outcome;

        // Read-write: open (which may put the end footer back), read, write, flush, read back, reopen.
        byte[]? head = null, tail = null;
        long tailOffset = 0;
        try
        {
            using (var disk = VirtualDisk.Open(fs, full, FileAccess.ReadWrite))
            {
                outcome |= Outcome.ReadWriteOpened;
                Inspect(disk);
                ReadEverything(disk);
                if (disk.Length > 0 && (disk.BlockSize <= MaxAllocatingBlockSize))
                {
                    // Head and tail never overlap: the head takes at most half the disk.
                    head = Pattern((int)Math.Min(4096 + 300, (disk.Length + 1) / 2), 0x5A);
                    disk.Write(0, head);
                    int tailLength = (int)Math.Min(700, disk.Length - head.Length);
                    tailOffset = disk.Length - tailLength;
                    tail = Pattern(tailLength, 0xC3);
                    disk.Write(tailOffset, tail);
                    disk.Flush();
                    ExpectRead(disk, 0, head, "after write and flush");
                    ExpectRead(disk, tailOffset, tail, "after write and flush");
                }
            }
            // A read-write session leaves a valid end footer (open puts a missing or stale one back,
            // and no write may reach it), and an image that opens.
            if (EndFooter.Problem(fs.File.ReadAllBytes(full)) is { } problem)
                throw new HarnessViolationException($"after a read-write session {problem}");
            if (head is not null)
            {
                VirtualDisk reopened;
                try { reopened = VirtualDisk.Open(fs, full, FileAccess.Read); }
                catch (VhdException e) { throw new HarnessViolationException($"the image no longer opens after the engine wrote to it: {e.Message}"); }
                using (reopened)
                {
                    ExpectRead(reopened, 0, head, "after reopen");
                    ExpectRead(reopened, tailOffset, tail!, "after reopen");
                }
                outcome |= Outcome.Written;
            }
        }
        catch (VhdException) { }

        // An image that checked clean still does after the engine wrote to it.
        if (outcome.HasFlag(Outcome.CheckClean) && outcome.HasFlag(Outcome.ReadWriteOpened))
        {
            var after = VhdMaintenance.Check(fs, full);
            if (!after.IsClean)
                throw new HarnessViolationException($"check was clean, but after a read-write session: {string.Join("; ", after.Errors)}");
        }

        // Repair never changes what the disk reads, and leaves a clean image clean.
        List<(long Offset, byte[] Bytes)>? view = null;
        try
        {
            using var d = VirtualDisk.Open(fs, full, FileAccess.Read);
            if (d.Length <= MaxConvertSize) view = Snapshot(d);
        }
        catch (VhdException) { }
        try
        {
            var report = VhdMaintenance.Repair(fs, full);
            outcome |= Outcome.Repaired;
            if (outcome.HasFlag(Outcome.CheckClean) && !report.IsClean)
                throw new HarnessViolationException($"check was clean, but after repair: {string.Join("; ", report.Errors)}");
        }
        catch (VhdException) { }
        if (view is not null)
        {
            VirtualDisk repaired;
            try { repaired = VirtualDisk.Open(fs, full, FileAccess.Read); }
            catch (VhdException e) { throw new HarnessViolationException($"the image opened before repair but not after: {e.Message}"); }
            using (repaired) CompareView(repaired, view, "the image after repair");
        }

        try
        {
            if (CommitAndCompare(fs, full)) outcome |= Outcome.Committed;
        }
        catch (VhdException) { }
        return outcome;
    }

    /// <summary>Largest virtual size the convert stage copies (the target is a MockFileSystem file).</summary>
    public const long MaxConvertSize = 64L << 20;

    private static bool ConvertAndCompare(IFileSystem fs, string source, string target)
    {
        using (var probe = VirtualDisk.Open(fs, source, FileAccess.Read))
            if (probe.Length > MaxConvertSize) return false;
        VhdMaintenance.Convert(fs, source, target, new ConvertOptions { From = DiskImageFormat.Vhd, To = DiskImageFormat.Dynamic, BlockSize = 512 * 1024 });
        using var a = VirtualDisk.Open(fs, source, FileAccess.Read);
        using var b = VirtualDisk.Open(fs, target, FileAccess.Read);
        if (b.Length < a.Length)
            throw new HarnessViolationException($"converted image is {b.Length} bytes, the source {a.Length}");
        const int chunk = 256 * 1024;
        var x = new byte[chunk];
        var y = new byte[chunk];
        for (long off = 0; off < b.Length; off += chunk)
        {
            int n = (int)Math.Min(chunk, b.Length - off);
            bool inSource = off < a.Length;
            if (!(inSource && a.MayContainData(off, Math.Min(n, a.Length - off))) && !b.MayContainData(off, n)) continue;
            Array.Clear(x);
            if (inSource) a.Read(off, x.AsSpan(0, (int)Math.Min(n, a.Length - off)));
            b.Read(off, y.AsSpan(0, n));
            if (!x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)))
                throw new HarnessViolationException($"converted image differs from the source in the 256 KiB at {off}");
        }
        return true;
    }

    /// <summary>
    /// Commits a differencing image into its parent, keeping the child: the child must read as
    /// before, and the parent must now read as the child did, everywhere the child reaches (where
    /// the child held data it now has that data; elsewhere the child read through to it anyway).
    /// </summary>
    private static bool CommitAndCompare(IFileSystem fs, string child)
    {
        List<(long Offset, byte[] Bytes)> view;
        string parentPath;
        long length;
        using (var d = VirtualDisk.Open(fs, child, FileAccess.Read))
        {
            if (d.Parent is not { } p || d.Length > p.Length || d.Length > MaxConvertSize) return false;
            parentPath = p.Path;
            length = d.Length;
            view = Snapshot(d);
        }
        VhdMaintenance.Commit(fs, child, new CommitOptions { KeepChild = true });
        using (var d = VirtualDisk.Open(fs, child, FileAccess.Read))
            CompareView(d, view, "the child after commit");
        using var parent = VirtualDisk.Open(fs, parentPath, FileAccess.Read);
        CompareView(parent, view, "the parent after commit", length);
        return true;
    }

    /// <summary>What <paramref name="disk"/> reads in its first <paramref name="limit"/> bytes (all of it by default), skipping what certainly reads zeros.</summary>
    private static List<(long, byte[])> Snapshot(VirtualDisk disk, long limit = long.MaxValue)
    {
        var list = new List<(long, byte[])>();
        const int chunk = 256 * 1024;
        long end = Math.Min(disk.Length, limit);
        for (long off = 0; off < end; off += chunk)
        {
            int n = (int)Math.Min(chunk, end - off);
            if (!disk.MayContainData(off, n)) continue;
            var b = new byte[n];
            disk.Read(off, b);
            list.Add((off, b));
        }
        return list;
    }

    /// <summary>The first <paramref name="limit"/> bytes of <paramref name="disk"/> read as <paramref name="view"/> says (zeros where it has nothing).</summary>
    private static void CompareView(VirtualDisk disk, List<(long Offset, byte[] Bytes)> view, string what, long limit = long.MaxValue)
    {
        var now = Snapshot(disk, limit).ToDictionary(x => x.Item1, x => x.Item2);
        foreach (var (offset, bytes) in now)
        {
            if (!view.Exists(v => v.Offset == offset) && bytes.AsSpan().ContainsAnyExcept((byte)0))
                throw new HarnessViolationException($"{what} reads data at {offset} where it read zeros before");
        }
        foreach (var (offset, bytes) in view)
        {
            if (!now.TryGetValue(offset, out var b)) b = new byte[bytes.Length];
            if (!b.AsSpan().SequenceEqual(bytes)) throw new HarnessViolationException($"{what} reads differently at {offset}");
        }
    }

    /// <summary>Every property an `info` command shows: the disk's, its <see cref="VhdImageInfo"/> (locators decoded) and its parent's.</summary>
    public static void Inspect(VirtualDisk disk)
    {
        var sink = new List<object?> { disk.Length, disk.CanWrite, disk.Path, string.Join(",", disk.Chain) };
        var i = disk.Info;
        sink.AddRange([i.DiskType, i.VirtualSize, i.CurrentSize, i.OriginalSize, i.Cylinders, i.Heads, i.SectorsPerTrack,
            i.CreatorApplication, i.CreatorVersion, i.CreatorHostOs, i.Timestamp, i.UniqueId, i.SavedState, i.Features,
            i.BlockSize, i.MaxTableEntries, i.AllocatedBlocks, i.FileLength, i.ParentUniqueId, i.ParentName, i.ParentTimestamp,
            string.Join(";", i.Warnings), i.ToString()]);
        foreach (var l in i.ParentLocators) sink.AddRange([l.PlatformCode, l.Location, l.DataOffset, l.DataLength, l.DataSpace]);
        if (disk.Parent is { } p) sink.AddRange([p.Length, p.Path, p.Info.UniqueId]);
        _ = sink.Count;
    }

    /// <summary>
    /// Reads every range that may hold data, block by block (at most 1 MiB a call), plus unaligned
    /// reads across sector and block boundaries. Bounded by the file: a block that may hold data is
    /// in some file of the chain.
    /// </summary>
    public static long ReadEverything(VirtualDisk disk)
    {
        long len = disk.Length;
        int blockSize = disk.BlockSize;
        int chunk = blockSize > 0 ? Math.Min(blockSize, 1 << 20) : 1 << 20;
        var buffer = new byte[chunk];
        long read = 0;
        for (long off = 0; off < len; off += chunk)
        {
            int n = (int)Math.Min(chunk, len - off);
            if (!disk.MayContainData(off, n)) continue;
            disk.Read(off, buffer.AsSpan(0, n));
            read += n;
        }
        if (len > 0)
        {
            var small = new byte[777];
            disk.Read(len - 1, small.AsSpan(0, 1));
            disk.Read(len / 2, small.AsSpan(0, (int)Math.Min(777, len - len / 2)));
            if (blockSize > 300 && len > blockSize + 300)
                disk.Read(blockSize - 300, small.AsSpan(0, 600));
        }
        return read;
    }

    private static void ExpectRead(VirtualDisk disk, long offset, byte[] expected, string when)
    {
        var back = new byte[expected.Length];
        disk.Read(offset, back);
        if (!back.AsSpan().SequenceEqual(expected))
            throw new HarnessViolationException($"{expected.Length} bytes written at {offset} read back differently {when}");
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var b = new byte[length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(seed + i * 31 + (i >> 9));
        return b;
    }
}

/// <summary>Recomputes the checksums of whatever footers and dynamic header an input holds.</summary>
public static class ChecksumFixer
{
    /// <summary>A copy of <paramref name="image"/> with valid checksums on the end footer, the copy at 0 and the header it points at.</summary>
    public static byte[] FixAll(byte[] image)
    {
        var b = (byte[])image.Clone();
        var dataOffsets = new List<ulong>();
        if (b.Length >= VhdConstants.FooterSize)
        {
            if (FixFooter(b.AsSpan(b.Length - VhdConstants.FooterSize, VhdConstants.FooterSize), out var o)) dataOffsets.Add(o);
            if (FixFooter(b.AsSpan(0, VhdConstants.FooterSize), out o)) dataOffsets.Add(o);
        }
        foreach (ulong o in dataOffsets)
        {
            if (o > (ulong)(b.Length - VhdConstants.DynamicHeaderSize) || b.Length < VhdConstants.DynamicHeaderSize) continue;
            var h = b.AsSpan((int)o, VhdConstants.DynamicHeaderSize);
            if (!h[..8].SequenceEqual(DynamicHeader.CookieValue)) continue;
            BinaryPrimitives.WriteUInt32BigEndian(h[DynamicHeaderFieldLocations.Checksum..], VhdChecksum.Compute(h, DynamicHeaderFieldLocations.Checksum));
        }
        return b;
    }

    /// <summary>Fixes one footer's checksum if its cookie is right; returns its data offset.</summary>
    public static bool FixFooter(Span<byte> footer, out ulong dataOffset)
    {
        dataOffset = 0;
        if (!footer[..8].SequenceEqual(VhdFooter.CookieValue)) return false;
        BinaryPrimitives.WriteUInt32BigEndian(footer[FooterFieldLocations.Checksum..], VhdChecksum.Compute(footer, FooterFieldLocations.Checksum));
        dataOffset = BinaryPrimitives.ReadUInt64BigEndian(footer[FooterFieldLocations.DataOffset..]);
        return true;
    }
}
