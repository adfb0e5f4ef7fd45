using System.Buffers;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.CrashTesting;

/// <summary>
/// What a workload drives the engine through: every call updates the models of the images it
/// touches before (writes: the new values become candidates) and after (flushes: they become
/// durable) the engine runs, so a crash point reached inside any call sees a model that is
/// exactly as strong as the engine's promises.
/// </summary>
internal sealed class WorkloadContext
{
    /// <summary>Directory the workloads keep their images in.</summary>
    public const string Directory = "/img";

    /// <summary>Block size the workloads create dynamic images with.</summary>
    public const int BlockSize = 512 * 1024;

    private readonly Dictionary<string, TrackedImage> _images;
    private readonly Dictionary<VirtualDisk, TrackedImage> _open = new(ReferenceEqualityComparer.Instance);
    private int _nextWriteId;

    public WorkloadContext(FaultFileSystem fileSystem, SectorCodec codec, Dictionary<string, TrackedImage> images, int nextWriteId)
    {
        FileSystem = fileSystem;
        Codec = codec;
        _images = images;
        _nextWriteId = nextWriteId;
    }

    public FaultFileSystem FileSystem { get; }

    public SectorCodec Codec { get; }

    /// <summary>Problems the workload noticed itself (a repair that left errors...).</summary>
    public List<string> Problems { get; } = [];

    public int NextWriteIdValue => _nextWriteId;

    /// <summary>The tracked images, children before their parents.</summary>
    public IReadOnlyList<TrackedImage> Images
    {
        get
        {
            var list = _images.Values.ToList();
            int Depth(TrackedImage i) => i.ParentPath is { } p && _images.TryGetValue(p, out var parent) ? 1 + Depth(parent) : 0;
            return list.OrderByDescending(Depth).ThenBy(i => i.Path, StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyDictionary<string, TrackedImage> ImagesByPath => _images;

    /// <summary>Disks the workload holds open, with their images.</summary>
    public IReadOnlyCollection<KeyValuePair<VirtualDisk, TrackedImage>> OpenDisks => _open;

    public static string PathOf(string name) => $"{Directory}/{name}";

    public TrackedImage Image(string name) => _images[PathOf(name)];

    /// <summary>Creates a fixed or dynamic image (4 MiB-ish, 512 KiB blocks by default).</summary>
    public VirtualDisk Create(string name, VhdDiskType type, long size, int blockSize = BlockSize)
    {
        string path = PathOf(name);
        var image = new TrackedImage(path, null, null) { Existence = ImageExistence.Creating };
        _images[path] = image;
        var disk = VirtualDisk.Create(FileSystem, path, new VhdCreateOptions
        {
            Type = type,
            Size = size,
            BlockSize = blockSize,
            UniqueId = DeterministicId(name),
            Timestamp = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });
        image.Model = new ImageModel(disk.Length, disk.BlockSize);
        image.Existence = ImageExistence.Present;
        _open[disk] = image;
        return disk;
    }

    /// <summary>Creates a differencing child of <paramref name="parentName"/> (which must be flushed and closed).</summary>
    public VirtualDisk CreateDifferencing(string name, string parentName) =>
        NewChild(name, parentName, (path, parentPath) => VirtualDisk.CreateDifferencing(FileSystem, path, parentPath));

    /// <summary>VhdMaintenance.Snapshot: freezes <paramref name="parentName"/> and returns the new child, open.</summary>
    public VirtualDisk Snapshot(string parentName, string name) =>
        NewChild(name, parentName, (path, parentPath) => VhdMaintenance.Snapshot(FileSystem, parentPath, path));

    /// <summary>Puts an existing image file in place (set-up only); it reads whatever it reads now.</summary>
    public void Adopt(string name, byte[] bytes)
    {
        string path = PathOf(name);
        FileSystem.File.WriteAllBytes(path, bytes);
        _images[path] = new TrackedImage(path, null, null) { Existence = ImageExistence.Present };
        using var disk = VirtualDisk.Open(FileSystem, path);
        var model = new ImageModel(disk.Length, disk.BlockSize);
        foreach (var (sector, key) in DiskView.Read(disk).NonZero)
        {
            model.Write(sector, key);
        }

        model.MarkDurable();
        _images[path].Model = model;
    }

    /// <summary>Opens an existing image read-write.</summary>
    public VirtualDisk Open(string name)
    {
        var image = Image(name);
        var disk = VirtualDisk.Open(FileSystem, image.Path, FileAccess.ReadWrite);
        image.Model ??= new ImageModel(disk.Length, disk.BlockSize);
        _open[disk] = image;
        return disk;
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes at <paramref name="offset"/>: every whole sector gets a
    /// new stamp, a partial sector the stamp's bytes over what it reads now.
    /// </summary>
    public void Write(VirtualDisk disk, long offset, int length, int? writeId = null)
    {
        var image = _open[disk];
        var model = image.Model!;
        int id = writeId ?? _nextWriteId++;
        const int S = SectorCodec.SectorSize;
        long first = offset / S;
        long end = (offset + length + S - 1) / S;
        int span = (int)(end - first) * S;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(span);
        try
        {
            for (long s = first; s < end; s++)
            {
                model.Write(s, Stamp(model, id, s, offset, length, buffer.AsSpan((int)(s - first) * S, S)));
                image.OwnSectors.Add(s);
            }

            WriteToDisk(disk, model, offset, buffer.AsSpan((int)(offset - first * S), length), first, end);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Puts sector <paramref name="sector"/>'s new contents in <paramref name="target"/>: the write's
    /// stamp if the write covers it whole, else the stamp's bytes over what it reads now. Returns the
    /// model's key for those contents.
    /// </summary>
    private ulong Stamp(ImageModel model, int id, long sector, long offset, int length, Span<byte> target)
    {
        const int S = SectorCodec.SectorSize;
        long sectorStart = sector * S;
        int from = (int)Math.Max(0, offset - sectorStart);
        int to = (int)Math.Min(S, offset + length - sectorStart);
        ulong stamp = SectorCodec.Stamp(id, sector);
        if (from == 0 && to == S)
        {
            Codec.Encode(stamp, target);
            return stamp;
        }

        Span<byte> stamped = stackalloc byte[S];
        Codec.Encode(model.Current(sector), target);
        Codec.Encode(stamp, stamped);
        stamped[from..to].CopyTo(target[from..to]);
        return Codec.Register(target);
    }

    /// <summary>The engine's write; every sector's model hears whether it succeeded, either way.</summary>
    private static void WriteToDisk(VirtualDisk disk, ImageModel model, long offset, ReadOnlySpan<byte> data, long first, long end)
    {
        bool succeeded = false;
        try
        {
            disk.Write(offset, data);
            succeeded = true;
        }
        finally
        {
            for (long s = first; s < end; s++) model.WriteCompleted(s, succeeded);
        }
    }

    /// <summary>Flushes; once the flush returned, everything written before is durable.</summary>
    public void Flush(VirtualDisk disk)
    {
        var image = _open[disk];
        disk.Flush();
        image.Model!.MarkDurable();
    }

    /// <summary>Closes <paramref name="disk"/> without flushing, reopens it and takes what it reads as the latest values.</summary>
    public VirtualDisk ReopenWithoutFlush(VirtualDisk disk)
    {
        var image = _open[disk];
        image.Model!.Abandon();
        Close(disk);
        var reopened = VirtualDisk.Open(FileSystem, image.Path, FileAccess.ReadWrite);
        _open[reopened] = image;
        if (image.Model!.Reread(DiskView.Read(reopened)) is { } problem)
            Problems.Add($"{image.Path} reopened without a flush: {problem}");
        return reopened;
    }

    /// <summary>Closes a disk (without flushing).</summary>
    public void Close(VirtualDisk disk)
    {
        _open.Remove(disk);
        disk.Dispose();
    }

    /// <summary>Closes every open disk.</summary>
    public void CloseAll()
    {
        foreach (var disk in _open.Keys.ToList()) Close(disk);
    }

    /// <summary>
    /// VhdMaintenance.Commit of <paramref name="childName"/> into its parent. Forced, the parent's other
    /// children may refuse to open from the start, and must once it returned; so may the child
    /// until it returned (it is re-pointed at the parent's new id on the way).
    /// </summary>
    public long Commit(string childName, bool keepChild, bool force = false)
    {
        var child = Image(childName);
        var parent = _images[child.ParentPath!];
        var siblings = _images.Values.Where(i => i.ParentPath == parent.Path && i != child && i.Checked).ToList();
        if (force)
        {
            foreach (var sibling in siblings.Where(s => s.ParentLink == ParentLink.Intact)) sibling.ParentLink = ParentLink.MayBeBroken;
            child.ParentLink = ParentLink.MayBeBroken;
        }

        foreach (long s in child.OwnSectors)
        {
            parent.Model!.Write(s, child.Model!.Current(s));
            parent.OwnSectors.Add(s);
        }

        if (!keepChild) child.Existence = ImageExistence.Deleting;
        long copied = VhdMaintenance.Commit(FileSystem, child.Path, new CommitOptions { KeepChild = keepChild, Force = force });
        parent.Model!.MarkDurable();
        if (force)
        {
            foreach (var sibling in siblings) sibling.ParentLink = ParentLink.Broken;
            child.ParentLink = ParentLink.Intact;
        }

        if (!keepChild) child.Existence = ImageExistence.Gone;
        return copied;
    }

    /// <summary>Writes zeros over whole sectors at <paramref name="offset"/> (what a compaction frees).</summary>
    public void WriteZeros(VirtualDisk disk, long offset, int length) =>
        Zeroing(disk, offset, length, () => disk.Write(offset, new byte[length]));

    /// <summary>VirtualDisk.Discard: the range reads zeros, durable at the next flush (whole sectors only).</summary>
    public void Discard(VirtualDisk disk, long offset, long length) =>
        Zeroing(disk, offset, length, () => disk.Discard(offset, length));

    /// <summary>Runs <paramref name="call"/>, which makes the whole sectors of the range read zeros, with the model following.</summary>
    private void Zeroing(VirtualDisk disk, long offset, long length, Action call)
    {
        var model = _open[disk].Model!;
        const int S = SectorCodec.SectorSize;
        if (offset % S != 0 || length % S != 0) throw new ArgumentException("whole sectors only");
        for (long s = offset / S; s < (offset + length) / S; s++) model.Write(s, 0);
        bool succeeded = false;
        try
        {
            call();
            succeeded = true;
        }
        finally
        {
            for (long s = offset / S; s < (offset + length) / S; s++) model.WriteCompleted(s, succeeded);
        }
    }

    /// <summary>VhdMaintenance.SetParent of <paramref name="childName"/> to the file <paramref name="parentFile"/> (which must hold the same data: the model does not change).</summary>
    public void SetParent(string childName, string parentFile) => VhdMaintenance.SetParent(FileSystem, Image(childName).Path, PathOf(parentFile));

    /// <summary>VhdMaintenance.Pull: the child reads the same throughout; once it returned, it stands alone.</summary>
    public long Pull(string childName) => VhdMaintenance.Pull(FileSystem, Image(childName).Path);

    /// <summary>VhdMaintenance.Compact: the content never changes, so the model does not either.</summary>
    public CompactResult Compact(string name) => VhdMaintenance.Compact(FileSystem, Image(name).Path);

    /// <summary>The virtual size create gives <paramref name="size"/> (its CHS rounding), from a scratch image off the simulated disk.</summary>
    private static long CreatedSize(long size)
    {
        var scratch = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
        using var disk = VirtualDisk.Create(scratch, "/size.vhd", new VhdCreateOptions { Size = size });
        return disk.Length;
    }

    /// <summary>VhdMaintenance.Resize: a crash may leave the old size or the new one, until it returned.</summary>
    public long Resize(string name, long size, bool allowShrink = false)
    {
        var image = Image(name);
        // The workloads' images keep the CHS rule, so the new size is creation's rounding.
        long rounded = CreatedSize(size);
        image.Model!.BeginResize(rounded);
        long result = VhdMaintenance.Resize(FileSystem, image.Path, new ResizeOptions { Size = size, AllowShrink = allowShrink });
        image.Model.EndResize();
        if (result != rounded) Problems.Add($"resize of {image.Path} to {size} gave {result} bytes, expected {rounded}");
        return result;
    }

    /// <summary>VhdMaintenance.Repair; a report with errors is a problem.</summary>
    public CheckReport Repair(string name)
    {
        var image = Image(name);
        var report = VhdMaintenance.Repair(FileSystem, image.Path);
        if (report.Errors.Count > 0)
            Problems.Add($"repair of {image.Path} left errors: {string.Join("; ", report.Errors)}");
        if (report.ReclaimableBytes > 0)
            Problems.Add($"repair of {image.Path} left {report.ReclaimableBytes} reclaimable bytes");
        return report;
    }

    /// <summary>Crashes the file system now (set-up only): <paramref name="state"/> of the pending epoch.</summary>
    public void CrashInto(CrashState state)
    {
        CloseAll();
        FileSystem.ApplyCrash(state);
    }

    /// <summary>The sequence number of a fresh write id for the verifier's own writes.</summary>
    public int ReserveWriteId() => _nextWriteId++;

    private VirtualDisk NewChild(string name, string parentName, Func<string, string, VirtualDisk> create)
    {
        var parent = Image(parentName);
        if (parent.Model is null || parent.Model.HasPending)
            throw new InvalidOperationException($"{parent.Path} must be flushed before it gets a child");
        string path = PathOf(name);
        var image = new TrackedImage(path, parent.Model.Clone(), parent.Path) { Existence = ImageExistence.Creating };
        _images[path] = image;
        var disk = create(path, parent.Path);
        image.Existence = ImageExistence.Present;
        _open[disk] = image;
        return disk;
    }

    private static Guid DeterministicId(string name)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        System.Text.Encoding.ASCII.GetBytes(name.AsSpan(0, Math.Min(16, name.Length)), bytes);
        bytes[15] ^= 0x5A;
        return new Guid(bytes);
    }
}
