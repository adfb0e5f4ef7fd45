using Storage.FaultInjection;
using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting;

/// <summary>
/// A workload's starting point, built once: the durable files after <see cref="CrashWorkload.Setup"/>
/// and their models. Each run starts from a cheap copy (the files share their sector arrays).
/// </summary>
internal sealed class WorkloadTemplate
{
    private readonly FaultFileSystem _fs;
    private readonly Dictionary<string, TrackedImage> _images;
    private readonly int _nextWriteId;

    private WorkloadTemplate(CrashWorkload workload, FaultFileSystem fs, SectorCodec codec, Dictionary<string, TrackedImage> images, int nextWriteId)
    {
        Workload = workload;
        _fs = fs;
        Codec = codec;
        _images = images;
        _nextWriteId = nextWriteId;
    }

    public CrashWorkload Workload { get; }

    public SectorCodec Codec { get; }

    /// <summary>Length of the largest file of the set-up (a disk-full limit that fails every growth).</summary>
    public long LargestFile => _fs.SimulatedFiles.Select(p => _fs.GetDisk(p)?.Length ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>Runs the set-up without faults or crash points and makes everything durable.</summary>
    public static WorkloadTemplate Build(CrashWorkload workload)
    {
        var fs = new FaultFileSystem(NewInner());
        var codec = new SectorCodec();
        var images = new Dictionary<string, TrackedImage>(StringComparer.Ordinal);
        var ctx = new WorkloadContext(fs, codec, images, nextWriteId: 1);
        workload.Setup(ctx);
        ctx.CloseAll();
        fs.Sync();
        foreach (var image in images.Values)
        {
            if (image.Model is not { HasPending: true } model) continue;
            using var disk = VirtualDisk.Open(fs, image.Path);
            if (model.Settle(DiskView.Read(disk)) is { } problem)
                throw new InvalidOperationException($"set-up of {workload.Name}: {image.Path} does not read as modelled after its deliberate crash: {problem}");
        }

        return new WorkloadTemplate(workload, fs, codec, images, ctx.NextWriteIdValue);
    }

    /// <summary>A fresh file system holding the set-up's files, and a context over copies of the models.</summary>
    public WorkloadContext Instantiate()
    {
        var copy = _fs.CrashedCopy(CrashState.Prefix(_fs.Epoch, 0), NewInner());
        var images = new Dictionary<string, TrackedImage>(StringComparer.Ordinal);
        foreach (var (path, image) in _images) images[path] = image.Clone();
        return new WorkloadContext(copy, Codec, images, _nextWriteId);
    }

    /// <summary>A fresh in-memory name store with the workload directory.</summary>
    public static NameStore NewInner() => new();
}
