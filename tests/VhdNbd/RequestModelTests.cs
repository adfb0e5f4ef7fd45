using System.Net;
using Akka.Actor;
using Akka.Configuration;
using CsCheck;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdActors;
using Storage.VhdNbd;
using Xunit;
using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>
/// Random requests over two connections to one export against a byte-array model: every reply's
/// error and data, every block status extent (a hole must read as zeros in the model), and after
/// the server stops, the image file itself. A failure prints CsCheck's seed and the sequence.
/// </summary>
public sealed class RequestModelTests : IAsyncLifetime
{
    private const long Size = (4 << 20) + 1536; // 4 MiB and three sectors: a partial last block
    private const int BlockSize = 512 * 1024; // the smallest the engine creates
    private ActorSystem _system = null!;
    private IDiskStore _store = null!;
    private readonly TestDir _dir = new();

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create($"nbd-model-{Guid.NewGuid():N}", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.actor.provider = local"));
        _store = VhdStorage.Start(_system, new VhdStorageOptions { IdleTimeout = null });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        _dir.Dispose();
    }

    private static readonly Gen<long> Offsets = Gen.Frequency(
        (6, Gen.Long[0, Size - 1]),
        (2, Gen.Long[0, Size / BlockSize].Select(Gen.Int[-600, 600], (b, d) => Math.Clamp(b * BlockSize + d, 0, Size - 1))),
        (1, Gen.Long[Size - 4096, Size + 4096]));

    private static readonly Gen<int> Lengths = Gen.Frequency(
        (4, Gen.Int[1, 4096]),
        (3, Gen.Int[1, 16].Select(k => k * 512)),
        (2, Gen.Int[4096, 3 * BlockSize]),
        (1, Gen.Const(0)));

    private static readonly Gen<ModelOp> Ops = Gen.Select(Gen.Int[0, 1], Gen.Frequency(
        (8, Gen.Select(Offsets, Lengths, Gen.Int, Gen.Frequency((4, Gen.Const((ushort)0)), (1, Gen.Const(Fua))), (o, l, s, f) => (Write, o, l, f, s))),
        (6, Gen.Select(Offsets, Lengths, (o, l) => (Read, o, l, (ushort)0, 0))),
        (2, Gen.Select(Offsets, Lengths, (o, l) => (Trim, o, l, (ushort)0, 0))),
        (2, Gen.Select(Offsets, Lengths, Gen.Frequency((2, Gen.Const((ushort)0)), (1, Gen.Const(NoHole))), (o, l, f) => (WriteZeroes, o, l, f, 0))),
        (3, Gen.Select(Offsets, Lengths, Gen.Bool, (o, l, one) => (BlockStatus, o, l, one ? ReqOne : (ushort)0, 0))),
        (1, Gen.Const((Flush, 0L, 0, (ushort)0, 0)))),
        (c, op) => new ModelOp(c, op.Item1, op.Item2, op.Item3, op.Item4, op.Item5));

    [Fact]
    public void Random_requests_on_two_connections_match_the_model()
    {
        int run = 0;
        Ops.Array[1, 40].Sample(ops => Check(ops, ++run), iter: Iterations(60), threads: 1, print: ops => string.Join("; ", ops));
    }

    private static long Iterations(long standard) =>
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out long forced) && forced > 0 ? forced
        : Environment.GetEnvironmentVariable("STORAGE_SOAK") == "1" ? standard * 25 : standard;

    private void Check(ModelOp[] ops, int run)
    {
        string image = Images.Dynamic(_dir[$"m{run}.vhd"], size: Size, blockSize: BlockSize);
        var model = new byte[Size];
        var catalog = new NbdExportCatalog([new NbdExport("m.vhd", image, Size, ReadOnly: false)]);
        var server = NbdServer.Start(_store, catalog, new NbdServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        try
        {
            using var a = Open(server.EndPoint.Port, "m.vhd");
            using var b = Open(server.EndPoint.Port, "m.vhd");
            foreach (var op in ops) Apply(op.Connection == 0 ? a : b, op, model);
        }
        finally
        {
            server.StopAsync().GetAwaiter().GetResult();
        }
        Assert.True(model.AsSpan().SequenceEqual(Images.Content(image)), "after the server stopped, the image differs from the model");
    }

    private static void Apply(RawNbdClient client, ModelOp op, byte[] model)
    {
        bool inside = op.Offset + op.Length <= Size;
        byte[] payload = op.Command == Write ? Images.Pattern(op.Length, op.Seed) : [];
        var reply = client.Request(op.Command, (ulong)op.Offset, (uint)op.Length, payload, op.Flags);
        uint expected = Expected(op, inside);
        Assert.True(expected == reply.Error, $"{op}: error {reply.Error}, expected {expected} ({reply.Message})");
        if (expected != 0) return;
        switch (op.Command)
        {
            case Write:
                payload.CopyTo(model, op.Offset);
                break;
            case Trim or WriteZeroes: // TRIM writes zeros until IDisk can discard
                model.AsSpan((int)op.Offset, op.Length).Clear();
                break;
            case Read:
                Assert.True(model.AsSpan((int)op.Offset, op.Length).SequenceEqual(reply.Data), $"{op}: data differs from the model");
                break;
            case BlockStatus:
                CheckExtents(op, reply, model);
                break;
        }
    }

    private static uint Expected(ModelOp op, bool inside) => op.Command switch
    {
        Flush => 0,
        BlockStatus when op.Length == 0 => 22,
        Write or WriteZeroes when !inside => 28,
        _ when !inside => 22,
        _ => 0,
    };

    private static void CheckExtents(ModelOp op, RawReply reply, byte[] model)
    {
        Assert.NotEmpty(reply.Extents);
        if ((op.Flags & ReqOne) != 0) Assert.Single(reply.Extents);
        long at = op.Offset;
        foreach (var (length, flags) in reply.Extents)
        {
            Assert.True(length > 0, $"{op}: an empty extent");
            Assert.True(flags is 0 or 3, $"{op}: flags {flags}");
            Assert.True(at + length <= op.Offset + op.Length, $"{op}: extents run past the request");
            if (flags == 3) Assert.True(model.AsSpan((int)at, (int)length).IndexOfAnyExcept((byte)0) < 0, $"{op}: a hole at {at}+{length} holds data in the model");
            at += length;
        }
    }
}
