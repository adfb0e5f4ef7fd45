using Akka.Actor;
using CsCheck;
using Storage.CrashTesting;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>The CsCheck hook: generated workloads crash-tested; a failing one shrunk and printed with its seed.</summary>
public sealed class CrashTestPropertyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 512 << 10;
    private readonly ActorSystem _system = ActorSystem.Create("crash-property");

    /// <summary>Writes as (block, sector, sectors, flush after it).</summary>
    private static readonly Gen<(int Block, int Sector, int Sectors, bool Flush)[]> Writes =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 1000], Gen.Int[1, 8], Gen.Bool).Array[1, 6];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task Generated_workloads_that_flush_before_acknowledging_pass()
    {
        await Writes.SampleCrashTestAsync(
            (writes, ctx) => Workload(writes, ctx, acknowledgeEarly: false),
            Check,
            Options("generated"),
            iter: 6,
            writeLine: output.WriteLine);
    }

    [Fact]
    public async Task A_generated_workload_that_acknowledges_before_flushing_is_shrunk_and_printed_with_its_seed()
    {
        var error = await Assert.ThrowsAsync<CsCheckException>(() => Writes.SampleCrashTestAsync(
            (writes, ctx) => Workload(writes, ctx, acknowledgeEarly: true),
            Check,
            Options("generated-bug"),
            iter: 20,
            writeLine: output.WriteLine));
        output.WriteLine(error.Message);
        Assert.Contains("CsCheck_Seed", error.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<CrashTestFailedException>(error.InnerException);
        Assert.Contains("generated-bug@", inner.Message, StringComparison.Ordinal);
    }

    private CrashTestOptions Options(string name) => new()
    {
        Name = name,
        ActorSystem = _system,
        MaxStatesPerCrashPoint = 16,
        Setup = async ctx => await (await ctx.Store.CreateAsync(ctx.PathOf("g.vhd"), new VhdCreateOptions { Size = 4 << 20, BlockSize = Block })).DisposeAsync(),
    };

    /// <summary>Acknowledges each write once it is durable, or (the planted bug) as soon as it returned.</summary>
    private static async Task Workload((int Block, int Sector, int Sectors, bool Flush)[] writes, CrashTestContext ctx, bool acknowledgeEarly)
    {
        await using var disk = await ctx.Store.OpenAsync(ctx.PathOf("g.vhd"));
        var unacknowledged = new List<int>();
        for (int i = 0; i < writes.Length; i++)
        {
            await disk.WriteAsync(Offset(writes[i]), Data(writes, i));
            unacknowledged.Add(i);
            if (!writes[i].Flush && !acknowledgeEarly) continue;
            if (writes[i].Flush) await disk.FlushAsync();
            foreach (int done in unacknowledged) ctx.Acknowledge(done.ToString(System.Globalization.CultureInfo.InvariantCulture));
            unacknowledged.Clear();
        }
    }

    /// <summary>The store's own promises, then the workload's: every acknowledged write reads back where no later write went.</summary>
    private static async Task Check((int Block, int Sector, int Sectors, bool Flush)[] writes, CrashRecoveryContext check)
    {
        await check.VerifyDurableWritesAsync();
        await using var disk = await check.Store.OpenAsync(check.PathOf("g.vhd"), FileAccess.Read);
        foreach (int i in check.Acknowledged.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)))
        {
            byte[] data = Data(writes, i);
            for (int s = 0; s < writes[i].Sectors; s++)
            {
                long at = Offset(writes[i]) + s * 512L;
                if (writes.Skip(i + 1).Any(w => at >= Offset(w) && at < Offset(w) + w.Sectors * 512L)) continue;
                await check.ExpectBytesAsync(disk, at, data.AsMemory(s * 512, 512), $"acknowledged write {i}");
            }
        }
    }

    private static byte[] Data((int Block, int Sector, int Sectors, bool Flush)[] writes, int i) => CrashTestApiTests.Bytes(writes[i].Sectors * 512, i);

    private static long Offset((int Block, int Sector, int Sectors, bool Flush) w) => (long)w.Block * Block + w.Sector * 512L;
}
