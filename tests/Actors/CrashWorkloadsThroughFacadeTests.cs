using System.Buffers.Binary;
using System.IO.Abstractions.TestingHelpers;
using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// Crash consistency through the facade: write workloads run through <see cref="IDiskStore"/> and
/// <see cref="IDisk"/> (so every byte goes through the image actors) on a <see cref="FaultFileSystem"/>.
/// At every fsync the actors issue (the crash points: inside allocating writes, flushes, closes,
/// snapshots) the crash states of the pending epoch are enumerated (a bounded, evenly spread
/// subset when there are many) and materialized with <see cref="FaultFileSystem.CrashedCopy"/>,
/// together with a model of what the caller has been promised at that moment; afterwards each
/// crashed copy is reopened with <see cref="VirtualDisk.Open"/> and checked: the image opens, the
/// checker finds no error, every sector holds its last flushed value or a value written since,
/// and nothing else appears (unwritten sectors read as zeros, or as the parent's data).
/// </summary>
/// <remarks>
/// The crash suite (src/CrashTesting) keeps its workloads, models and verifier internal and drives
/// <see cref="VirtualDisk"/> directly, so its workloads cannot be run over an <see cref="IDisk"/>
/// from here; this file carries its own small model instead.
/// </remarks>
public sealed class CrashWorkloadsThroughFacadeTests : Akka.TestKit.Xunit2.TestKit
{
    private const int Sector = 512;
    private const int Block = 512 * 1024;
    private const long Size = 4L << 20;

    /// <summary>Crash states checked per crash point at most (all of them when there are fewer).</summary>
    private const int StatesPerPoint = 16;

    private readonly ITestOutputHelper _output;

    public CrashWorkloadsThroughFacadeTests(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(CrashWorkloadsThroughFacadeTests), output)
    {
        _output = output;
    }

    public static TheoryData<string> Workloads =>
        ["first-write", "span-blocks", "small-writes", "create-and-write", "snapshot-then-write", "unflushed-tail"];

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task Every_crash_state_of_the_workload_reopens_with_flushed_data_and_nothing_else(string workload)
    {
        var fs = new FaultFileSystem(NewInner());
        var run = new Run(fs, DiskStore.Start(Sys, Fixtures.Options(fs)));
        await Setup(workload, run);
        fs.Sync();
        run.Recording = true;
        await Workload(workload, run);
        run.Recording = false;

        Assert.NotEmpty(run.Captures);
        var failures = new List<string>();
        foreach (var capture in run.Captures)
            failures.AddRange(Verify(capture).Select(p => $"{workload} at {capture.Point}, crash state {capture.State}: {p}"));
        _output.WriteLine($"{workload}: {run.Points} crash points, {run.Captures.Count} crash states checked ({run.StatesSeen} enumerated)");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private static MockFileSystem NewInner()
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory(Fixtures.Dir);
        return inner;
    }

    private static async Task Setup(string workload, Run run)
    {
        switch (workload)
        {
            case "create-and-write":
                break;
            case "snapshot-then-write":
                await using (var parent = await run.CreateAsync("base.vhd"))
                {
                    await run.WriteAsync(parent, 0, 64 * 1024);
                    await run.WriteAsync(parent, Block * 2L + 4096, 8192);
                    await run.FlushAsync(parent);
                }
                break;
            default:
                await using (var disk = await run.CreateAsync("a.vhd"))
                {
                    await run.WriteAsync(disk, 0, 64 * 1024);
                    await run.FlushAsync(disk);
                }
                break;
        }
    }

    /// <summary>The crashed part. Every disk is disposed at the end (its close flushes: more crash points).</summary>
    private static async Task Workload(string workload, Run run)
    {
        switch (workload)
        {
            case "first-write":
                // The allocation protocol alone: a new block, then the flush.
                await using (var disk = await run.OpenAsync("a.vhd"))
                {
                    await run.WriteAsync(disk, Block + 1024, 4096);
                    await run.FlushAsync(disk);
                }
                break;
            case "span-blocks":
                await using (var disk = await run.OpenAsync("a.vhd"))
                {
                    await run.WriteAsync(disk, Block * 3L - 2048, 6144);
                    await run.FlushAsync(disk);
                }
                break;
            case "small-writes":
                // Overwrites in place, new blocks, unaligned pieces; a flush after every three.
                (long Offset, int Length)[] writes =
                [
                    (512, 512), (Block * 2L + 1024, 512), (100, 300),
                    (40 * 1024, 1024), (Block * 2L + 1024, 512), (Block * 5L + 4096, 512),
                    (Block * 5L + 8192, 700), (0, 512), (Block * 2L - 512, 1024),
                ];
                await using (var disk = await run.OpenAsync("a.vhd"))
                {
                    for (int i = 0; i < writes.Length; i++)
                    {
                        await run.WriteAsync(disk, writes[i].Offset, writes[i].Length);
                        if (i % 3 == 2) await run.FlushAsync(disk);
                    }
                }
                break;
            case "create-and-write":
                await using (var disk = await run.CreateAsync("new.vhd"))
                {
                    await run.WriteAsync(disk, 4096, 8192);
                    await run.FlushAsync(disk);
                    await run.WriteAsync(disk, Block * 6L, 1024);
                }
                break;
            case "snapshot-then-write":
                await run.SnapshotAsync("base.vhd", "child.vhd");
                await using (var child = await run.OpenAsync("child.vhd"))
                {
                    // Over the parent's data (whole and partial sectors) and over nothing.
                    await run.WriteAsync(child, 8192, 4096);
                    await run.WriteAsync(child, Block * 2L + 4000, 300);
                    await run.FlushAsync(child);
                    await run.WriteAsync(child, Block * 4L, 2048);
                    await run.FlushAsync(child);
                }
                break;
            case "unflushed-tail":
                // Writes nobody flushed, crashed while the image is still open (before the close flushes them).
                await using (var disk = await run.OpenAsync("a.vhd"))
                {
                    await run.WriteAsync(disk, 1024, 2048);
                    await run.FlushAsync(disk);
                    await run.WriteAsync(disk, 2048, 1024);
                    await run.WriteAsync(disk, Block * 3L, 4096);
                    await run.WriteAsync(disk, 0, 512);
                    run.CaptureNow("after the last write, before the close");
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(workload), workload, null);
        }
    }

    private static List<string> Verify(Capture capture)
    {
        var problems = new List<string>();
        foreach (var image in capture.Images)
        {
            if (!capture.FileSystem.File.Exists(image.Path))
            {
                if (!image.MayBeAbsent) problems.Add($"{image.Path} is gone");
                continue;
            }
            var check = VhdMaintenance.Check(capture.FileSystem, image.Path);
            if (check.Errors.Count > 0) problems.Add($"{image.Path}: check: {string.Join("; ", check.Errors)}");
            byte[] content;
            try
            {
                using var disk = VirtualDisk.Open(capture.FileSystem, image.Path, FileAccess.Read);
                content = new byte[disk.Length];
                disk.Read(0, content);
            }
            catch (VhdException e)
            {
                problems.Add($"{image.Path} does not open: {e.Message}");
                continue;
            }
            for (long s = 0; s < content.Length / Sector; s++)
            {
                var actual = content.AsMemory((int)(s * Sector), Sector);
                var allowed = image.Allowed(s);
                if (!allowed.Any(a => actual.Span.SequenceEqual(a)))
                {
                    problems.Add($"{image.Path} sector {s} reads {Describe(actual.Span)}; allowed: {string.Join(" | ", allowed.Select(a => Describe(a)))}");
                    if (problems.Count > 10) return problems;
                }
            }
        }
        return problems;
    }

    /// <summary>The byte a write puts at an absolute position: its id and the sector in the first 16 bytes, a pattern after.</summary>
    private static byte Pattern(int writeId, long position)
    {
        long sector = position / Sector;
        int i = (int)(position % Sector);
        Span<byte> head = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(head, writeId);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], sector);
        return i < 16 ? head[i] : (byte)(writeId * 31 + sector * 7 + i);
    }

    private static string Describe(ReadOnlySpan<byte> sector)
    {
        if (!sector.ContainsAnyExcept((byte)0)) return "zeros";
        // FNV-1a: tells apart merges that start with the same write's header.
        uint hash = 2166136261;
        foreach (byte b in sector) hash = (hash ^ b) * 16777619;
        return $"write {BinaryPrimitives.ReadInt64LittleEndian(sector)} of sector {BinaryPrimitives.ReadInt64LittleEndian(sector[8..])} (#{hash:x8})";
    }

    /// <summary>One crashed copy with what was promised at its crash point.</summary>
    private sealed record Capture(string Point, CrashState State, FaultFileSystem FileSystem, IReadOnlyList<ImageSnapshot> Images);

    /// <summary>An image's promised contents at a crash point.</summary>
    private sealed record ImageSnapshot(string Path, bool MayBeAbsent, IReadOnlyDictionary<long, byte[][]> Written, Func<long, byte[]> Base)
    {
        /// <summary>The last flushed value (or the base) and every value written since.</summary>
        public IReadOnlyList<byte[]> Allowed(long sector) => Written.TryGetValue(sector, out var values) ? values : [Base(sector)];
    }

    /// <summary>Model of one image: per sector the durable value and the values written since the last flush.</summary>
    private sealed class Model(string path, Func<long, byte[]> baseContent)
    {
        private readonly Dictionary<long, byte[]> _current = [];
        private readonly Dictionary<long, byte[]> _durable = [];
        private readonly Dictionary<long, List<byte[]>> _since = [];

        public string Path { get; } = path;

        /// <summary>True until the call that creates the file has returned.</summary>
        public bool MayBeAbsent { get; set; }

        public byte[] Durable(long sector) => _durable.TryGetValue(sector, out var d) ? d : baseContent(sector);

        public void Write(int writeId, long offset, int length)
        {
            for (long s = offset / Sector; s * Sector < offset + length; s++)
            {
                var value = (byte[])(_current.TryGetValue(s, out var c) ? c : baseContent(s)).Clone();
                long from = Math.Max(offset, s * Sector), to = Math.Min(offset + length, (s + 1) * Sector);
                for (long p = from; p < to; p++) value[p - s * Sector] = Pattern(writeId, p);
                _current[s] = value;
                if (!_since.TryGetValue(s, out var list)) _since[s] = list = [];
                list.Add(value);
            }
        }

        public void Flushed()
        {
            foreach (var (s, v) in _current) _durable[s] = v;
            _since.Clear();
        }

        public ImageSnapshot Take()
        {
            var written = new Dictionary<long, byte[][]>();
            foreach (long s in _current.Keys)
                written[s] = [Durable(s), .. _since.GetValueOrDefault(s) ?? []];
            return new ImageSnapshot(Path, MayBeAbsent, written, baseContent);
        }
    }

    /// <summary>
    /// Drives the store and keeps the models: a write is recorded before it is sent (from then on
    /// it may be on disk), a flush after it returned (from then on it must be). Crash points are
    /// taken on the actor's thread, inside its fsyncs, while the caller waits for that request.
    /// </summary>
    private sealed class Run
    {
        private readonly FaultFileSystem _fs;
        private readonly IDiskStore _store;
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Model> _models = new(StringComparer.Ordinal);
        private int _nextWriteId = 1;

        public Run(FaultFileSystem fs, IDiskStore store)
        {
            _fs = fs;
            _store = store;
            fs.FlushingToDisk += (_, e) =>
            {
                if (Recording) Capture($"flush{e.FlushIndex} of {e.Path}", e.FileSystem);
            };
        }

        public volatile bool Recording;

        public List<Capture> Captures { get; } = [];

        public int Points { get; private set; }

        public int StatesSeen { get; private set; }

        public async Task<IDisk> CreateAsync(string name)
        {
            var model = Track(name, _ => new byte[Sector]);
            lock (_gate) model.MayBeAbsent = true;
            var disk = await _store.CreateAsync(model.Path, Fixtures.Small(Size));
            lock (_gate) model.MayBeAbsent = false;
            return disk;
        }

        public Task<IDisk> OpenAsync(string name) => _store.OpenAsync(Fixtures.P(name));

        public async Task SnapshotAsync(string parentName, string childName)
        {
            Model parent;
            lock (_gate) parent = _models[Fixtures.P(parentName)];
            // The parent is flushed and frozen: the child starts out reading its durable data.
            var child = Track(childName, parent.Durable);
            lock (_gate) child.MayBeAbsent = true;
            await _store.SnapshotAsync(parent.Path, child.Path);
            lock (_gate) child.MayBeAbsent = false;
        }

        public async Task WriteAsync(IDisk disk, long offset, int length)
        {
            int id;
            lock (_gate)
            {
                id = _nextWriteId++;
                _models[disk.Path].Write(id, offset, length);
            }
            var data = new byte[length];
            for (int i = 0; i < length; i++) data[i] = Pattern(id, offset + i);
            await disk.WriteAsync(offset, data);
        }

        public async Task FlushAsync(IDisk disk)
        {
            await disk.FlushAsync();
            lock (_gate) _models[disk.Path].Flushed();
        }

        /// <summary>A crash point between requests (the actor idle, the image still open).</summary>
        public void CaptureNow(string point) => Capture(point, _fs);

        private Model Track(string name, Func<long, byte[]> baseContent)
        {
            var model = new Model(Fixtures.P(name), baseContent);
            lock (_gate) _models[model.Path] = model;
            return model;
        }

        private void Capture(string point, FaultFileSystem fs)
        {
            var states = fs.EnumerateCrashStates();
            ImageSnapshot[] images;
            lock (_gate)
            {
                images = [.. _models.Values.Select(m => m.Take())];
                Points++;
                StatesSeen += states.Count;
            }
            foreach (var state in Spread(states))
            {
                var copy = fs.CrashedCopy(state, NewInner());
                lock (_gate) Captures.Add(new Capture(point, state, copy, images));
            }
        }

        /// <summary>All states when there are few; else an even spread that keeps the first and the last.</summary>
        private static IEnumerable<CrashState> Spread(IReadOnlyList<CrashState> states)
        {
            if (states.Count <= StatesPerPoint) return states;
            return Enumerable.Range(0, StatesPerPoint).Select(i => states[(int)((long)i * (states.Count - 1) / (StatesPerPoint - 1))]).Distinct();
        }
    }
}
