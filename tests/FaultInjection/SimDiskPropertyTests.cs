using CsCheck;
using Storage.FaultInjection;
using Xunit;

namespace Storage.Tests.FaultInjection;

/// <summary>
/// Model-based: random writes, length changes and flushes on a <see cref="SimDisk"/> against a plain
/// byte array. Before a crash the view equals the model; after every enumerated or sampled crash
/// state each sector holds its durable value or a value some pending write gave it, and the length
/// is the durable one or one the pending epoch set. Failures print the CsCheck seed and the crash state.
/// </summary>
public sealed class SimDiskPropertyTests
{
    private const int S = SimDisk.SectorSize;
    private const int Capacity = 16 * 1024;

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 6000], Gen.Int[1, 1500], Gen.Byte[1, 255], (offset, length, seed) => (Op)new Write(offset, length, seed))),
        (1, Gen.Int[0, 8000].Select(length => (Op)new Resize(length))),
        (1, Gen.Const((Op)new Sync())));

    [Fact]
    public void Views_match_the_model_and_every_crash_state_is_sector_sound()
    {
        Gen.Select(GenOp.Array[1, 30], Gen.Int).Sample((ops, crashSeed) => Run(ops, crashSeed), iter: 300);
    }

    [Fact]
    public void Crash_state_strings_round_trip()
    {
        var state = Gen.Frequency(
            (1, Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 1000], (e, n) => CrashState.Prefix(e, n))),
            (1, Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 1000], (e, n) => CrashState.Drop(e, n))),
            (1, Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 20], (e, n, v) => CrashState.Tear(e, n, v))),
            (1, Gen.Int[0, 1000].Select(CrashState.MetadataOnly)),
            (1, Gen.Select(Gen.Int[0, 1000], Gen.Bool.Array[0, 40], (e, bits) => CrashState.Explicit(e, string.Concat(bits.Select(b => b ? '1' : '0'))))),
            (1, Gen.Select(Gen.Int[0, 1000], Gen.Int, Gen.Int[0, 1000], (e, seed, i) => CrashState.Sampled(e, seed, i))));
        state.Sample(s => Assert.Equal(s, CrashState.Parse(s.ToString())), iter: 500);
    }

    private static void Run(Op[] ops, int crashSeed)
    {
        var disk = new SimDisk();
        var model = new byte[Capacity];
        long length = 0;
        var durable = new byte[Capacity];
        long durableLength = 0;
        var lengths = new HashSet<long> { 0 };
        var written = new Dictionary<long, List<byte[]>>();

        foreach (Op op in ops)
        {
            switch (op)
            {
                case Write(int offset, int count, byte seed):
                    byte[] data = Enumerable.Range(0, count).Select(i => unchecked((byte)(seed + i * 7))).ToArray();
                    disk.Write(offset, data);
                    data.CopyTo(model, offset);
                    if (offset + count > length)
                    {
                        length = offset + count;
                        lengths.Add(length);
                    }

                    for (long s = offset / S; s <= (offset + count - 1) / S; s++)
                    {
                        (written.TryGetValue(s, out var list) ? list : written[s] = []).Add(model.AsSpan((int)(s * S), S).ToArray());
                    }

                    break;
                case Resize(int newLength):
                    disk.SetLength(newLength);
                    if (newLength < length)
                    {
                        Array.Clear(model, newLength, (int)(length - newLength));

                        // A cut "writes" zeros (or a zero-tailed partial sector) to what it removes.
                        for (long s = newLength / S; s * S < length; s++)
                        {
                            (written.TryGetValue(s, out var list) ? list : written[s] = []).Add(model.AsSpan((int)(s * S), S).ToArray());
                        }
                    }

                    length = newLength;
                    lengths.Add(length);
                    break;
                default:
                    disk.Flush();
                    model.CopyTo(durable, 0);
                    durableLength = length;
                    lengths = [length];
                    written.Clear();
                    break;
            }

            Assert.Equal(length, disk.Length);
            Assert.Equal(model.AsSpan(0, (int)length).ToArray(), disk.ToArray());
        }

        Assert.Equal(durable.AsSpan(0, (int)durableLength).ToArray(), disk.ToDurableArray());
        IReadOnlyList<CrashState> states = [.. disk.EnumerateCrashStates(), .. disk.SampleCrashStates(crashSeed, 16)];
        Assert.Equal(durable.AsSpan(0, (int)durableLength).ToArray(), disk.Materialize(CrashState.Prefix(disk.Epoch, 0))!.ToArray());
        Assert.Equal(model.AsSpan(0, (int)length).ToArray(), disk.Materialize(CrashState.Prefix(disk.Epoch, disk.PendingOperationCount))!.ToArray());

        foreach (CrashState state in states)
        {
            SimDisk image = disk.Materialize(state) ?? throw new Xunit.Sdk.XunitException($"{state}: an existing file vanished");
            Assert.True(lengths.Contains(image.Length), $"{state}: length {image.Length} is neither durable nor set in the epoch ({string.Join(",", lengths)})");
            byte[] bytes = image.ToArray();
            for (long s = 0; s * S < bytes.Length; s++)
            {
                int from = (int)(s * S);
                int to = (int)Math.Min(bytes.Length, from + S);
                byte[] actual = bytes[from..to];
                bool ok = actual.AsSpan().SequenceEqual(durable.AsSpan(from, to - from))
                    || (written.TryGetValue(s, out var candidates) && candidates.Exists(c => actual.AsSpan().SequenceEqual(c.AsSpan(0, to - from))));
                Assert.True(ok, $"{state}: sector {s} holds bytes nobody wrote there");
            }
        }
    }

    private abstract record Op;

    private sealed record Write(int Offset, int Count, byte Seed) : Op;

    private sealed record Resize(int Length) : Op;

    private sealed record Sync : Op;
}
