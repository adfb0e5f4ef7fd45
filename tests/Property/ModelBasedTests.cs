using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using CsCheck;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Property;

/// <summary>The disk a sequence starts from.</summary>
public sealed record ModelConfig(VhdDiskType Type, long Size, int BlockSize, bool ExactSize)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type} size={Size} block={BlockSize} exact={ExactSize}";
}

/// <summary>One step of a sequence.</summary>
public abstract record Op;
/// <summary>Write <see cref="Length"/> bytes drawn from <see cref="Seed"/> at <see cref="Offset"/> (clipped to the disk).</summary>
public sealed record WriteOp(long Offset, int Length, int Seed) : Op;
/// <summary>Read and compare with the model.</summary>
public sealed record ReadOp(long Offset, int Length) : Op;
/// <summary>Flush.</summary>
public sealed record FlushOp : Op;
/// <summary>Close and reopen read-write; without a flush first, unflushed writes may be lost (sector by sector).</summary>
public sealed record ReopenOp(bool FlushFirst) : Op;
/// <summary>Committer.Snapshot the current image into a new child and go on writing the child.</summary>
public sealed record SnapshotOp : Op;
/// <summary>Committer.Commit the current child into its parent.</summary>
public sealed record CommitOp(bool KeepChild) : Op;

/// <summary>
/// Model-based: random sequences of write / read / flush / close-reopen / snapshot / commit on
/// fixed, dynamic and differencing disks against a byte-array model, on MockFileSystem and on
/// the real file system. Frozen snapshot parents must stay byte-identical (file and contents).
/// </summary>
public class ModelBasedTests
{
    private const int MaxDepth = 3;

    private static readonly Gen<ModelConfig> Configs =
        Gen.Select(
            Gen.Frequency((1, Gen.Const(VhdDiskType.Fixed)), (3, Gen.Const(VhdDiskType.Dynamic))),
            Gen.Frequency((2, Gen.Long[1, 64 * 1024]), (3, Gen.Long[64 * 1024, 4L << 20]), (1, Gen.Long[4L << 20, 16L << 20])),
            Gen.Int[19, 22].Select(shift => 1 << shift),
            Gen.Bool,
            (type, size, block, exact) => new ModelConfig(type, size, block, exact));

    private static Gen<long> Offsets(ModelConfig c)
    {
        long block = c.Type == VhdDiskType.Dynamic ? c.BlockSize : VhdConstants.DefaultBlockSize;
        long blocks = Math.Max(1, c.Size / block + 1);
        return Gen.Frequency(
            (3, Gen.Long[0, Math.Max(0, c.Size - 1)]),
            (2, Gen.Select(Gen.Long[0, blocks], Gen.Int[-1100, 1100], (b, d) => Math.Clamp(b * block + d, 0, Math.Max(0, c.Size - 1)))),
            (1, Gen.Long[0, Math.Max(0, c.Size - 1) / 512].Select(s => s * 512)),
            (1, Gen.Long[Math.Max(0, c.Size - 2048), Math.Max(0, c.Size - 1)]));
    }

    private static Gen<int> Lengths(ModelConfig c)
    {
        int block = c.Type == VhdDiskType.Dynamic ? c.BlockSize : VhdConstants.DefaultBlockSize;
        return Gen.Frequency(
            (3, Gen.Int[1, 511]),
            (3, Gen.Int[1, 8].Select(k => k * 512)),
            (2, Gen.Int[512, 70_000]),
            (1, Gen.Int[block - 1024, 2 * block + 1024]));
    }

    private static Gen<Op> Ops(ModelConfig c) => Gen.Frequency(
        (10, Gen.Select(Offsets(c), Lengths(c), Gen.Int, (o, l, s) => (Op)new WriteOp(o, l, s))),
        (4, Gen.Select(Offsets(c), Lengths(c), (o, l) => (Op)new ReadOp(o, l))),
        (3, Gen.Const((Op)new FlushOp())),
        (2, Gen.Bool.Select(f => (Op)new ReopenOp(f))),
        (2, Gen.Const((Op)new SnapshotOp())),
        (2, Gen.Bool.Select(k => (Op)new CommitOp(k))));

    /// <summary>A start configuration and 1..40 operations.</summary>
    public static readonly Gen<(ModelConfig, Op[])> Sequences = Configs.SelectMany(c => Ops(c).Array[1, 40].Select(ops => (c, ops)));

    private static string Print((ModelConfig Config, Op[] Ops) s) =>
        $"{s.Config}\n  " + string.Join("\n  ", s.Ops.Select(o => o.ToString()));

    [Fact]
    public void Sequences_on_MockFileSystem_match_the_model()
    {
        Sequences.Sample((config, ops) =>
        {
            var fs = new MockFileSystem();
            fs.Directory.CreateDirectory("/m");
            Run(fs, "/m", config, ops);
        }, iter: Soak.Iter(200), print: Print);
    }

    [Fact]
    public void Sequences_on_the_real_file_system_match_the_model()
    {
        Sequences.Sample((config, ops) =>
        {
            var fs = new FileSystem();
            string dir = Path.Combine(Path.GetTempPath(), "storage-model-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try { Run(fs, dir, config, ops); }
            finally { TempDirs.Delete(dir); }
        }, iter: Soak.Iter(80), print: Print);
    }

    /// <summary>A frozen snapshot parent: its model and its file as they must stay.</summary>
    private sealed class Frozen(string path, byte[] model, byte[] file)
    {
        public string Path { get; } = path;
        public byte[] Model { get; set; } = model;
        public byte[] File { get; set; } = file;
    }

    /// <summary>Runs one sequence; throws on any disagreement with the model.</summary>
    internal static void Run(IFileSystem fs, string dir, ModelConfig config, IReadOnlyList<Op> ops)
    {
        string leafPath = fs.Path.Combine(dir, "base.vhd");
        var leaf = VirtualDisk.Create(fs, leafPath, new VhdCreateOptions { Type = config.Type, Size = config.Size, BlockSize = config.BlockSize, ExactSize = config.ExactSize });
        try
        {
            long length = leaf.Length;
            Assert.True(length >= config.Size, $"created {length} bytes for {config.Size} requested");
            var model = new byte[length];
            var flushed = new byte[length];
            var frozen = new List<Frozen>();
            int children = 0;
            for (int step = 0; step < ops.Count; step++)
            {
                string at = $"step {step} ({ops[step]})";
                switch (ops[step])
                {
                    case WriteOp w:
                        {
                            long off = w.Offset % length;
                            int n = (int)Math.Min(w.Length, length - off);
                            var data = new byte[n];
                            new Random(w.Seed).NextBytes(data);
                            leaf.Write(off, data);
                            data.CopyTo(model, off);
                            break;
                        }
                    case ReadOp r:
                        {
                            long off = r.Offset % length;
                            int n = (int)Math.Min(r.Length, length - off);
                            var back = new byte[n];
                            leaf.Read(off, back);
                            AssertSame(model.AsSpan((int)off, n), back, $"{at}: read");
                            break;
                        }
                    case FlushOp:
                        leaf.Flush();
                        model.CopyTo(flushed, 0);
                        break;
                    case ReopenOp { FlushFirst: true }:
                        leaf.Flush();
                        leaf.Dispose();
                        leaf = VirtualDisk.Open(fs, leafPath, FileAccess.ReadWrite);
                        model.CopyTo(flushed, 0);
                        AssertDisk(leaf, model, $"{at}: after reopen");
                        break;
                    case ReopenOp { FlushFirst: false }:
                        {
                            // No crash, but no flush: each sector holds its last flushed value or the
                            // last written one (allocation metadata only reaches the file on flush).
                            leaf.Dispose();
                            leaf = VirtualDisk.Open(fs, leafPath, FileAccess.ReadWrite);
                            var back = new byte[length];
                            leaf.Read(0, back);
                            for (int s = 0; s < length; s += 512)
                            {
                                int n = (int)Math.Min(512, length - s);
                                var got = back.AsSpan(s, n);
                                if (!got.SequenceEqual(model.AsSpan(s, n)) && !got.SequenceEqual(flushed.AsSpan(s, n)))
                                    Assert.Fail($"{at}: sector at {s} reads neither its flushed nor its last written value");
                            }
                            back.CopyTo(model, 0);
                            back.CopyTo(flushed, 0);
                            break;
                        }
                    case SnapshotOp:
                        {
                            if (frozen.Count >= MaxDepth) break;
                            leaf.Flush();
                            leaf.Dispose();
                            frozen.Add(new Frozen(leafPath, (byte[])model.Clone(), fs.File.ReadAllBytes(leafPath)));
                            leafPath = fs.Path.Combine(dir, $"child{++children}.vhd");
                            leaf = Committer.Snapshot(fs, frozen[^1].Path, leafPath);
                            Assert.Equal(length, leaf.Length);
                            Assert.Equal(VhdDiskType.Differencing, leaf.DiskType);
                            model.CopyTo(flushed, 0);
                            AssertDisk(leaf, model, $"{at}: new child");
                            break;
                        }
                    case CommitOp c:
                        {
                            if (frozen.Count == 0) break;
                            leaf.Flush();
                            leaf.Dispose();
                            var parent = frozen[^1];
                            Committer.Commit(fs, leafPath, new CommitOptions { KeepChild = c.KeepChild });
                            parent.Model = (byte[])model.Clone();
                            if (c.KeepChild)
                            {
                                Assert.True(fs.File.Exists(leafPath), $"{at}: the kept child is gone");
                                parent.File = fs.File.ReadAllBytes(parent.Path);
                            }
                            else
                            {
                                Assert.False(fs.File.Exists(leafPath), $"{at}: the child was not deleted");
                                frozen.RemoveAt(frozen.Count - 1);
                                leafPath = parent.Path;
                            }
                            leaf = VirtualDisk.Open(fs, leafPath, FileAccess.ReadWrite);
                            model.CopyTo(flushed, 0);
                            AssertDisk(leaf, model, $"{at}: after commit");
                            break;
                        }
                }
                foreach (var f in frozen)
                    if (ops[step] is SnapshotOp or CommitOp || step == ops.Count - 1)
                        AssertFrozen(fs, f, $"{at}: frozen parent {f.Path}");
            }

            AssertDisk(leaf, model, "end");
            leaf.Flush();
            leaf.Dispose();
            using (var reopened = VirtualDisk.Open(fs, leafPath, FileAccess.Read))
                AssertDisk(reopened, model, "end, reopened read-only");
            foreach (var f in frozen) AssertFrozen(fs, f, $"end: frozen parent {f.Path}");
            foreach (var p in frozen.Select(f => f.Path).Append(leafPath))
            {
                var report = Checker.Check(fs, p);
                Assert.True(report.IsClean, $"check of {p}: {string.Join("; ", report.Errors)}");
            }
            // Repair (which reclaims space leaked by unflushed closes) never changes what the disk reads.
            var repaired = Checker.Repair(fs, leafPath);
            Assert.True(repaired.IsClean, $"check after repair of {leafPath}: {string.Join("; ", repaired.Errors)}");
            Assert.Equal(0, repaired.ReclaimableBytes);
            using (var reopened = VirtualDisk.Open(fs, leafPath, FileAccess.Read))
                AssertDisk(reopened, model, "end, after repair");
            foreach (var f in frozen) AssertFrozen(fs, f, $"end, after repair: frozen parent {f.Path}");
        }
        finally
        {
            leaf.Dispose();
        }
    }

    private static void AssertFrozen(IFileSystem fs, Frozen f, string at)
    {
        AssertSame(f.File, fs.File.ReadAllBytes(f.Path), $"{at}: file bytes changed");
        using var d = VirtualDisk.Open(fs, f.Path, FileAccess.Read);
        AssertDisk(d, f.Model, at);
    }

    private static void AssertDisk(VirtualDisk disk, byte[] model, string at)
    {
        Assert.Equal(model.Length, disk.Length);
        var back = new byte[model.Length];
        disk.Read(0, back);
        AssertSame(model, back, at);
    }

    private static void AssertSame(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string at)
    {
        if (expected.SequenceEqual(actual)) return;
        if (expected.Length != actual.Length) Assert.Fail($"{at}: {actual.Length} bytes, expected {expected.Length}");
        int i = 0;
        while (expected[i] == actual[i]) i++;
        int j = expected.Length - 1;
        while (expected[j] == actual[j]) j--;
        Assert.Fail($"{at}: bytes differ from {i} to {j} (expected 0x{expected[i]:x2}, got 0x{actual[i]:x2} at {i})");
    }
}

/// <summary>Temporary directories on the real file system.</summary>
public static class TempDirs
{
    /// <summary>Deletes <paramref name="dir"/>, clearing read-only attributes first (snapshots set them).</summary>
    public static void Delete(string dir)
    {
        try
        {
            foreach (var f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
                File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
    }
}
