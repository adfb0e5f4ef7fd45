using Storage.CrashTesting;
using Storage.VhdEngine.Disks;

namespace Storage.Samples.CrashTestYourWorkload;

/// <summary>
/// The crash test of the log: the workload appends five records, acknowledging each once its append
/// returned; the check recovers the log from every crash state and insists that every acknowledged
/// record is there and that every record recovery returns is one that was appended, byte for byte.
/// </summary>
public static class LogCrashTest
{
    public const string LogFile = "log.vhd";
    public const int Records = 5;

    public static string Payload(int i) => $"record {i}: hello, crash test";

    /// <summary>Crash-tests the naive log (<paramref name="naive"/>) or the fixed one.</summary>
    public static Task<CrashTestResult> RunAsync(bool naive, CrashTestOptions? options = null) =>
        CrashTest.RunAsync(ctx => Workload(ctx, naive), Check, Options(naive, options));

    /// <summary>Reruns one state from a failure's replay token.</summary>
    public static Task<CrashTestResult> ReplayAsync(string token, bool naive, CrashTestOptions? options = null) =>
        CrashTest.ReplayAsync(token, ctx => Workload(ctx, naive), Check, Options(naive, options));

    private static CrashTestOptions Options(bool naive, CrashTestOptions? options) =>
        (options ?? new CrashTestOptions()) with { Name = naive ? "naive-log" : "fixed-log", Setup = Setup };

    /// <summary>An empty log on a fresh virtual disk (made durable before the crash test starts).</summary>
    private static async Task Setup(CrashTestContext ctx)
    {
        await using var disk = await ctx.Store.CreateAsync(ctx.PathOf(LogFile), new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        await WriteAheadLog.CreateAsync(disk);
    }

    private static async Task Workload(CrashTestContext ctx, bool naive)
    {
        await using var disk = await ctx.Store.OpenAsync(ctx.PathOf(LogFile));
        var log = new WriteAheadLog(disk);
        for (int i = 0; i < Records; i++)
        {
            if (naive) await log.AppendNaiveAsync(Payload(i));
            else await log.AppendAsync(Payload(i));
            ctx.Acknowledge($"record {i}");
        }
    }

    private static async Task Check(CrashRecoveryContext check)
    {
        await using var disk = await check.Store.OpenAsync(check.PathOf(LogFile), FileAccess.Read);
        var records = await WriteAheadLog.RecoverAsync(disk);
        check.Check(records.Count >= check.Acknowledged.Count,
            $"{check.Acknowledged.Count} records were acknowledged, but recovery returns {records.Count}");
        for (int i = 0; i < records.Count; i++)
        {
            // Byte for byte: a record the commit record counts must be the one that was appended.
            await check.ExpectBytesAsync(disk, WriteAheadLog.SlotOffset(i), WriteAheadLog.Slot(Payload(i)), $"record {i}, counted by the commit record");
        }
    }
}
