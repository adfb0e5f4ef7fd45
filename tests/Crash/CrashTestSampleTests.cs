using Storage.Samples.CrashTestYourWorkload;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>samples/CrashTestYourWorkload does what its README says: the naive log is caught, readably; the fixed one passes.</summary>
public sealed class CrashTestSampleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_naive_log_is_caught_with_a_readable_failure_and_the_fixed_log_passes()
    {
        var naive = await LogCrashTest.RunAsync(naive: true);
        output.WriteLine(naive.ToString());
        Assert.False(naive.Passed);
        var failure = naive.Failures[0];
        Assert.Contains("counted by the commit record reads wrong", failure.Message, StringComparison.Ordinal);
        string text = failure.ToString();
        Assert.Contains("(dropped)", text, StringComparison.Ordinal);
        Assert.Contains("got      zeros (512 bytes)", text, StringComparison.Ordinal);
        Assert.Contains("replay: CrashTest.ReplayAsync(\"naive-log@", text, StringComparison.Ordinal);

        var replay = await LogCrashTest.ReplayAsync(failure.ReplayToken, naive: true);
        Assert.Equal(failure.Message, Assert.Single(replay.Failures).Message);

        var fixedLog = await LogCrashTest.RunAsync(naive: false);
        output.WriteLine(fixedLog.ToString());
        fixedLog.AssertPassed();
        Assert.True(fixedLog.StatesExplored >= 20, $"{fixedLog.StatesExplored} states");
    }
}
