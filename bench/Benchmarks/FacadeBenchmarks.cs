using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>
/// The facade's cost: a 4 KiB read and write through <see cref="IDisk"/> (the image's actor)
/// against the same call on a <see cref="VirtualDisk"/> directly. Two copies of one allocated
/// image, so both stay open read-write side by side.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FacadeBenchmarks
{
    /// <summary>The facade's path: inline under the actor's lease (the default) or messages to the actor.</summary>
    [Params(true, false)]
    public bool InlineIo { get; set; }

    private const int RequestSize = 4096;
    private const long Size = 256L << 20;

    private BenchImages _images = null!;
    private VirtualDisk _direct = null!;
    private ServiceProvider _services = null!;
    private IDisk _facade = null!;
    private readonly byte[] _buffer = new byte[RequestSize];
    private long _next;

    /// <summary>Creates the images and starts the store.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _images = new BenchImages();
        _direct = VirtualDisk.Open(BenchImages.Fs, _images.Allocated("direct.vhd", Size), FileAccess.ReadWrite);
        string facadePath = _images.Allocated("facade.vhd", Size);
        _services = FacadeOverhead.StoreServices(InlineIo);
        var store = _services.GetRequiredService<IDiskStore>();
        _facade = store.OpenAsync(facadePath, FileAccess.ReadWrite).GetAwaiter().GetResult();
        new Random(5).NextBytes(_buffer);
    }

    /// <summary>Closes everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _facade.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _direct.Dispose();
        _images.Dispose();
    }

    private long NextOffset()
    {
        long offset = _next;
        _next = (_next + 2101248) % Size;
        return offset;
    }

    /// <summary>4 KiB read, engine called directly.</summary>
    [Benchmark(Baseline = true)]
    public void DirectRead4K() => _direct.Read(NextOffset(), _buffer);

    /// <summary>4 KiB read through the facade.</summary>
    [Benchmark]
    public Task<int> FacadeRead4K() => _facade.ReadAsync(NextOffset(), _buffer);

    /// <summary>4 KiB write, engine called directly.</summary>
    [Benchmark]
    public void DirectWrite4K() => _direct.Write(NextOffset(), _buffer);

    /// <summary>4 KiB write through the facade.</summary>
    [Benchmark]
    public Task FacadeWrite4K() => _facade.WriteAsync(NextOffset(), _buffer);
}
