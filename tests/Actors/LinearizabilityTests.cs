using Akka.Configuration;
using CsCheck;
using Storage.VhdActors;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// Concurrent facade calls on one disk must be linearizable: CsCheck runs random writes and
/// reads in parallel and looks for a sequential order of them that a plain byte array (the
/// model) agrees with, on the final contents and on every read's result. A failure prints the
/// seed that replays it (CsCheck's message).
/// </summary>
public sealed class LinearizabilityTests : Akka.TestKit.Xunit2.TestKit
{
    // A window around the first block boundary (blocks are 512 KiB), so operations race on
    // allocating both blocks and on writes that straddle them.
    private const int Window = 8192;
    private const long WindowStart = 512 * 1024 - Window / 2;
    private const int MaxLength = 700;

    private readonly ITestOutputHelper _output;
    private readonly DiskStore _store;
    private int _disks;

    public LinearizabilityTests(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(LinearizabilityTests), output)
    {
        _output = output;
        _store = DiskStore.Start(Sys, Fixtures.Options(Fixtures.NewFs()));
    }

    /// <summary>The real disk, opened only when an operation first runs on it (models are regenerated per permutation; disks need not be).</summary>
    private sealed class Actual(Func<IDisk> open)
    {
        private readonly Lazy<IDisk> _disk = new(open);
        public IDisk Disk => _disk.Value;
        public List<string> Reads { get; } = [];
        public override string ToString() => $"reads: {string.Join(" ", Reads.Order())}";
    }

    private sealed class Model
    {
        public byte[] Bytes { get; } = new byte[Window];
        public List<string> Reads { get; } = [];
        public override string ToString() => $"reads: {string.Join(" ", Reads.Order())}";
    }

    private static string ReadRecord(int offset, byte[] data) => $"{offset}+{data.Length}:{Convert.ToHexString(data)}";

    [Fact]
    public void Concurrent_reads_and_writes_are_linearizable()
    {
        var initial = Gen.Const(() => (new Actual(NewDisk), new Model()));

        var write = GenOperation.Create<Actual, Model, (int Offset, int Length, byte Value)>(
            Gen.Select(Gen.Int[0, Window - MaxLength], Gen.Int[1, MaxLength], Gen.Byte[1, 255]),
            w => $"write({w.Offset},{w.Length},{w.Value})",
            (a, w) =>
            {
                var data = new byte[w.Length];
                Array.Fill(data, w.Value);
                a.Disk.WriteAsync(WindowStart + w.Offset, data).GetAwaiter().GetResult();
            },
            (m, w) => Array.Fill(m.Bytes, w.Value, w.Offset, w.Length));

        var read = GenOperation.Create<Actual, Model, (int Offset, int Length)>(
            Gen.Select(Gen.Int[0, Window - MaxLength], Gen.Int[1, MaxLength]),
            r => $"read({r.Offset},{r.Length})",
            (a, r) =>
            {
                var data = new byte[r.Length];
                a.Disk.ReadAsync(WindowStart + r.Offset, data).GetAwaiter().GetResult();
                lock (a.Reads) a.Reads.Add(ReadRecord(r.Offset, data));
            },
            (m, r) => m.Reads.Add(ReadRecord(r.Offset, m.Bytes.AsSpan(r.Offset, r.Length).ToArray())));

        initial.SampleParallel(
            [write, read],
            equal: (a, m) =>
            {
                var now = new byte[Window];
                a.Disk.ReadAsync(WindowStart, now).GetAwaiter().GetResult();
                return now.AsSpan().SequenceEqual(m.Bytes) && a.Reads.Order().SequenceEqual(m.Reads.Order());
            },
            maxSequentialOperations: 4,
            maxParallelOperations: 4,
            iter: 60,
            threads: 2,
            writeLine: _output.WriteLine);
    }

    private IDisk NewDisk()
    {
        int n = Interlocked.Increment(ref _disks);
        return _store.CreateAsync(Fixtures.P($"lin-{n}.vhd"), Fixtures.Small(1 << 20)).GetAwaiter().GetResult();
    }
}
