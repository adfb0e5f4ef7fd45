using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using CsCheck;
using Storage.Fuzz;
using Storage.VhdEngine;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Property;

/// <summary>
/// Hostile images (DESIGN.md §3): valid images corrupted by <see cref="HostileImages"/>, each
/// opened read-only and read-write, read, checked, written and repaired through
/// <see cref="FuzzHarness.Exercise"/>. Only VhdException may escape; read-only stages leave every
/// file byte-identical; work is bounded (bytes of I/O and bytes allocated per case, measured, not
/// timed); a share runs on the real file system, and a share in a child process with a capped GC heap.
/// </summary>
public class HostileImageTests(ITestOutputHelper output)
{
    private const string Dir = "/h";
    private static readonly ConcurrentDictionary<string, int> Outcomes = new();
    private static long _maxAllocated, _maxIoPerFileByte;
    private static string? _maxAllocatedCase;

    private static void Max(ref long field, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref field)) < value && Interlocked.CompareExchange(ref field, value, seen) != seen) { }
    }

    /// <summary>Runs a case on <paramref name="fs"/> in <paramref name="dir"/>; returns the outcome of the target.</summary>
    public static Outcome RunCase(IFileSystem fs, string dir, HostileCase c)
    {
        var files = HostileImages.Base(c.Kind, c.Seed, dir);
        string child = fs.Path.Combine(dir, HostileImages.ChildName);
        string parent = fs.Path.Combine(dir, HostileImages.ParentFileName);
        byte[] image = files.Image, parentImage = files.Parent ?? [];
        if (c.CorruptParent && files.Parent is not null) parentImage = HostileImages.Corrupt(parentImage, c);
        else image = HostileImages.Corrupt(image, c);
        fs.File.WriteAllBytes(child, image);
        if (files.Parent is not null) fs.File.WriteAllBytes(parent, parentImage);

        long fileBytes = image.Length + parentImage.Length;

        // The read-only surface (open, info, read everything, check): under 64 MiB allocated,
        // whatever the fields say.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        FuzzHarness.Exercise(fs, child, write: false, convert: false);
        long readOnlyAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (readOnlyAllocated > 64L << 20) throw new InvalidOperationException($"{readOnlyAllocated} bytes allocated by open/read/check (bound 64 MiB)");

        // Every stage (read-write, convert, repair, commit too): MockFileSystem copies a file on
        // each open and flush, so the bound grows with the files, never with what fields claim.
        allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        IoMeter.Reset();
        var outcome = FuzzHarness.Exercise(fs, child);
        if (files.Parent is not null) FuzzHarness.Exercise(fs, parent, write: false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long io = IoMeter.Bytes;

        // Bounded work: I/O linear in the files (each stage reads each file a few times, writes
        // add at most a block or two).
        long grown = fileBytes + 2 * FuzzHarness.MaxAllocatingBlockSize;
        long ioBound = 64 * grown + (16L << 20);
        if (io > ioBound) throw new InvalidOperationException($"{io} bytes of I/O for {fileBytes} bytes of files (bound {ioBound})");
        long allocationBound = (64L << 20) + 64 * grown;
        if (allocated > allocationBound) throw new InvalidOperationException($"{allocated} bytes allocated by all stages (bound {allocationBound})");
        allocated = readOnlyAllocated;
        if (allocated > Interlocked.Read(ref _maxAllocated)) _maxAllocatedCase = $"{c} ({outcome})";
        Max(ref _maxAllocated, allocated);
        Max(ref _maxIoPerFileByte, io / Math.Max(1, fileBytes));
        return outcome;
    }

    private static MockFileSystem NewMock()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory(Dir);
        // Something for traversal paths to find.
        fs.AddFile("/etc/passwd", new MockFileData("root:x:0:0:root:/root:/bin/bash\n"));
        return fs;
    }

    [Fact]
    public void Hostile_images_on_MockFileSystem_fail_only_with_VhdException()
    {
        HostileImages.Cases.Sample(c =>
        {
            var outcome = RunCase(NewMock(), Dir, c);
            Outcomes.AddOrUpdate(outcome.ToString(), 1, (_, n) => n + 1);
        }, iter: Soak.Iter(4000), print: c => c.ToString());
        Report();
    }

    [Fact]
    public void Hostile_images_on_the_real_file_system_fail_only_with_VhdException()
    {
        HostileImages.Cases.Sample(c =>
        {
            string dir = Path.Combine(Path.GetTempPath(), "storage-hostile-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try { RunCase(new FileSystem(), dir, c); }
            finally { TempDirs.Delete(dir); }
        }, iter: Soak.Iter(500), print: c => c.ToString());
    }

    [Fact]
    public void Hostile_single_file_images_fail_only_with_VhdException_in_a_child_process_with_a_capped_heap()
    {
        // Single-file inputs in the fuzz harness's layout: corrupted corpus seeds (their parent is
        // the harness's built-in one), replayed by `Storage.Fuzz replay` under a 128 MiB GC heap.
        string dir = Path.Combine(Path.GetTempPath(), "storage-hostile-child-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var seeds = SeedImages.All().ToArray();
            int count = 0;
            var gen = Gen.Select(Gen.Int[0, seeds.Length - 1], HostileImages.Cases);
            foreach (var (seed, c) in gen.Array[(int)Soak.Iter(500)].Single())
            {
                File.WriteAllBytes(Path.Combine(dir, $"case{count++:D5}.vhd"), HostileImages.Corrupt(seeds[seed].Bytes, c));
            }
            var (code, stdout) = ChildProcess.Replay([dir], heapLimitBytes: 128L << 20);
            output.WriteLine(stdout.Split('\n').LastOrDefault(l => l.StartsWith("replayed", StringComparison.Ordinal)) ?? stdout);
            Assert.True(code == 0, stdout);
            Assert.Contains($"replayed {count} inputs, 0 crashes", stdout);
        }
        finally { TempDirs.Delete(dir); }
    }

    [Fact]
    public void Zero_length_and_tiny_files_fail_with_VhdException()
    {
        for (int n = 0; n <= 1600; n += n < 40 ? 1 : 37)
        {
            var fs = NewMock();
            fs.AddFile("/h/child.vhd", new MockFileData(new byte[n]));
            Assert.ThrowsAny<VhdException>(() => Storage.VhdEngine.Disks.VirtualDisk.Open(fs, "/h/child.vhd"));
            var outcome = FuzzHarness.Exercise(fs, "/h/child.vhd");
            Assert.False(outcome.HasFlag(Outcome.ReadOnlyOpened) || outcome.HasFlag(Outcome.CheckClean), $"{n} bytes: {outcome}");
        }
    }

    private void Report()
    {
        int total = Outcomes.Values.Sum();
        output.WriteLine($"hostile cases: {total}; most allocated by the read-only stages of one case {_maxAllocated >> 10} KiB; most I/O per file byte {_maxIoPerFileByte}; largest: {_maxAllocatedCase}");
        foreach (var (k, n) in Outcomes.OrderByDescending(kv => kv.Value)) output.WriteLine($"  {n,6} {k}");
    }
}

/// <summary>Bytes of image I/O on the current thread, from the engine's "vhd.io" counter.</summary>
public static class IoMeter
{
    [ThreadStatic] private static long _bytes;
    private static readonly MeterListener Listener = Start();

    private static MeterListener Start()
    {
        var l = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == VhdTelemetry.Name && instrument.Name == "vhd.io") listener.EnableMeasurementEvents(instrument);
            },
        };
        l.SetMeasurementEventCallback<long>((_, value, _, _) => _bytes += value);
        l.Start();
        return l;
    }

    /// <summary>Starts counting on this thread from zero.</summary>
    public static void Reset()
    {
        _ = Listener;
        _bytes = 0;
    }

    /// <summary>Bytes counted on this thread since <see cref="Reset"/>.</summary>
    public static long Bytes => _bytes;
}

/// <summary>Parent chains that loop or never end.</summary>
public class HostileChainTests
{
    private static byte[] Child(Guid id, Guid parentId, string parentName) =>
        new ImageBuilder(16384, 4096) { Type = Storage.VhdEngine.Disks.VhdDiskType.Differencing, UniqueId = id, ParentId = parentId, ParentName = parentName }
            .Locator(Storage.VhdEngine.Format.ParentLocator.W2ru, System.Text.Encoding.Unicode.GetBytes(@".\" + parentName))
            .Block(1, new byte[4096], new byte[512])
            .Build();

    [Fact]
    public void A_self_reference_a_cycle_and_an_endless_chain_are_format_errors()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/c");
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        fs.AddFile("/c/self.vhd", new MockFileData(Child(a, a, "self.vhd")));
        fs.AddFile("/c/a.vhd", new MockFileData(Child(a, b, "b.vhd")));
        fs.AddFile("/c/b.vhd", new MockFileData(Child(b, a, "a.vhd")));
        // 300 images, each the child of the next: deeper than the limit of 256.
        var ids = Enumerable.Range(0, 301).Select(_ => Guid.NewGuid()).ToArray();
        for (int i = 0; i < 300; i++) fs.AddFile($"/c/d{i}.vhd", new MockFileData(Child(ids[i], ids[i + 1], $"d{i + 1}.vhd")));
        fs.AddFile("/c/d300.vhd", new MockFileData(new ImageBuilder(16384, 4096) { UniqueId = ids[300] }.Build()));

        foreach (var path in new[] { "/c/self.vhd", "/c/a.vhd", "/c/b.vhd", "/c/d0.vhd" })
        {
            var e = Assert.Throws<VhdFormatException>(() => Storage.VhdEngine.Disks.VirtualDisk.Open(fs, path));
            Assert.Equal("parent chain", e.Field);
            var outcome = FuzzHarness.Exercise(fs, path);
            Assert.False(outcome.HasFlag(Outcome.ReadOnlyOpened) || outcome.HasFlag(Outcome.CheckClean), $"{path}: {outcome}");
        }
        // 256 deep is the limit, and it opens.
        using var ok = Storage.VhdEngine.Disks.VirtualDisk.Open(fs, "/c/d45.vhd");
        Assert.Equal(256, ok.Chain.Count);
    }
}
