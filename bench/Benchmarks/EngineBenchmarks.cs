using BenchmarkDotNet.Attributes;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.Benchmarks;

/// <summary>
/// The engine's hot paths, called directly: 4 KiB reads and writes into allocated blocks, a
/// 4 KiB write that allocates a new block, and converting a small raw image into a dynamic one.
/// Files live in the page cache; no fsync is measured except where the operation itself does one.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int RequestSize = 4096;
    private const long AllocatedSize = 256L << 20;
    private const int NewBlocksPerIteration = 256;

    private BenchImages _images = null!;
    private VirtualDisk _allocated = null!;
    private VirtualDisk? _fresh;
    private string _freshPath = "";
    private string _raw = "";
    private readonly byte[] _buffer = new byte[RequestSize];
    private long _next;

    /// <summary>Creates the images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _images = new BenchImages();
        _allocated = VirtualDisk.Open(BenchImages.Fs, _images.Allocated("allocated.vhd", AllocatedSize), FileAccess.ReadWrite);
        _raw = _images.RandomRaw("small.raw", 32 << 20);
        new Random(3).NextBytes(_buffer);
    }

    /// <summary>Closes and deletes everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _allocated.Dispose();
        _fresh?.Dispose();
        _images.Dispose();
    }

    /// <summary>The next 4 KiB-aligned offset, striding across blocks (like qemu-img bench -S 2101248).</summary>
    private long NextOffset()
    {
        long offset = _next;
        _next = (_next + 2101248) % AllocatedSize;
        return offset;
    }

    /// <summary>4 KiB read from an allocated block.</summary>
    [Benchmark]
    public void Read4KAllocated() => _allocated.Read(NextOffset(), _buffer);

    /// <summary>4 KiB write into an allocated block (no flush).</summary>
    [Benchmark]
    public void Write4KAllocated() => _allocated.Write(NextOffset(), _buffer);

    /// <summary>A fresh sparse image for <see cref="Write4KNewBlock"/>.</summary>
    [IterationSetup(Target = nameof(Write4KNewBlock))]
    public void FreshImage()
    {
        _fresh?.Dispose();
        if (_freshPath.Length > 0) File.Delete(_freshPath);
        _freshPath = _images[$"fresh-{Guid.NewGuid():N}.vhd"];
        _fresh = VirtualDisk.Create(BenchImages.Fs, _freshPath, new VhdCreateOptions { Size = (long)NewBlocksPerIteration * 2 * 1024 * 1024 + (1 << 20) });
    }

    /// <summary>4 KiB write that allocates a block (footer moved, bitmap and data written; no flush).</summary>
    [Benchmark(OperationsPerInvoke = NewBlocksPerIteration)]
    public void Write4KNewBlock()
    {
        var disk = _fresh!;
        long step = disk.BlockSize;
        for (int i = 0; i < NewBlocksPerIteration; i++) disk.Write(i * step, _buffer);
    }

    /// <summary>Converts a 32 MiB random raw image into a new dynamic VHD (no fsync, as `vhd convert`).</summary>
    [Benchmark]
    public long Convert32MiBRawToDynamic()
    {
        string target = _images["converted.vhd"];
        if (File.Exists(target)) File.Delete(target);
        return VhdMaintenance.Convert(BenchImages.Fs, _raw, target, new ConvertOptions { To = DiskImageFormat.Dynamic, From = DiskImageFormat.Raw }).DataBytesWritten;
    }
}
