using CsCheck;
using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;
using Storage.FaultInjection;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>Replay strings: crash states and replay tokens print and parse back, and a token reruns exactly its state.</summary>
public sealed class ReplayTests
{
    /// <summary>The crash states of every crash point of a workload, by point name.</summary>
    private static List<(string Point, CrashState State)> StatesOf(CrashWorkload workload)
    {
        var ctx = WorkloadTemplate.Build(workload).Instantiate();
        var states = new List<(string, CrashState)>();
        ctx.FileSystem.FlushingToDisk += (_, e) =>
        {
            foreach (var s in e.FileSystem.EnumerateCrashStates().Concat(e.FileSystem.SampleCrashStates(7, 3)))
                states.Add((CrashExplorer.Point(e.FlushIndex), s));
        };
        try
        {
            workload.Run(ctx);
        }
        catch (InvalidOperationException e) when (e.Message == ThrowingWorkload.Message)
        {
            // The workload that breaks on purpose: its states up to there are what the test replays.
        }

        ctx.CloseAll();
        return states;
    }

    [Fact]
    public void Every_state_of_a_workload_round_trips_through_its_string()
    {
        var states = StatesOf(new SpanBlocksWorkload(differencing: true));
        Assert.Contains(states, s => s.State.Kind == CrashStateKind.Tear);
        Assert.Contains(states, s => s.State.Kind == CrashStateKind.Sampled);
        foreach (var (_, state) in states)
            Assert.Equal(state, CrashState.Parse(state.ToString()));
    }

    [Fact]
    public void Replay_tokens_round_trip()
    {
        var gen = Gen.Select(
            Gen.OneOf([.. CrashSuite.WorkloadNames, "random-17", "sample-virtualpc-dynamic.vhd"]),
            Gen.OneOf("end", "flush0", "flush12", "io7", "io7+", "ioshort", "iofull"),
            Gen.OneOf("E0:p0", "E3:x0110", "E2:t4.1", "E9:s-5.3", "E1:m", "E4:d2"),
            Gen.OneOf<(string?, string?)>((null, null), ("repair-flush1", "E0:x1"), ("reopen-end", "E0:p0"), ("repair-end", "E2:p1")));
        gen.Sample((workload, point, state, nested) =>
        {
            var replay = new CrashReplay { Workload = workload, Point = point, State = state, RepairPoint = nested.Item1, RepairState = nested.Item2 };
            Assert.Equal(replay, CrashReplay.Parse(replay.ToString()));
        }, iter: 300);
    }

    [Theory]
    [InlineData("")]
    [InlineData("first-write")]
    [InlineData("first-write@flush1")]
    [InlineData("first-write@later@E0:p0")]
    [InlineData("first-write@flush1@E0:q3")]
    [InlineData("first-write@flush1@E0:p0@fix-end@E0:p0")]
    [InlineData("@flush1@E0:p0")]
    [InlineData("first-write+@flush1@E0:p0")]
    [InlineData("first-write+BatBeforeData@flush1@E0:p0")]
    [InlineData("first write@flush1@E0:p0")]
    public void Malformed_tokens_are_rejected(string token)
    {
        Assert.False(CrashReplay.TryParse(token, out _));
        Assert.Throws<FormatException>(() => CrashReplay.Parse(token));
    }

    [Fact]
    public void A_token_reruns_exactly_its_state()
    {
        var states = StatesOf(new FirstWriteWorkload(differencing: true));
        foreach (var (point, state) in new[] { states[0], states[states.Count / 2], states[^1] })
        {
            string token = new CrashReplay { Workload = "first-write-differencing", Point = point, State = state.ToString() }.ToString();
            var result = CrashSuite.Replay(token);
            Assert.Equal(1, result.StatesExplored);
            Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
        }
    }

    [Fact]
    public void Replaying_a_state_at_the_wrong_crash_point_says_so()
    {
        var result = CrashSuite.Replay("first-write@flush0@E7:p0");
        var failure = Assert.Single(result.Failures);
        Assert.Contains("replay it at the same crash point", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_workload_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => CrashSuite.Replay("no-such-workload@end@E0:p0"));
        Assert.Throws<ArgumentException>(() => CrashSuite.Run(new CrashSuiteOptions { Workloads = ["no-such-workload"] }));
    }

    [Fact]
    public void A_failure_replays_exactly()
    {
        var workload = new CorruptingWorkload();
        var result = CrashSuite.RunWorkload(workload, new CrashSuiteOptions { IoErrors = false, NestedRepairEvery = 0, StopAtFirstFailure = true });
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("test-corrupting@end@", failure.Replay, StringComparison.Ordinal);

        var replayed = CrashSuite.Replay(failure.Replay, failure.Seed, [workload]);
        Assert.Equal(1, replayed.StatesExplored);
        var again = Assert.Single(replayed.Failures);
        Assert.Equal(failure.Message, again.Message);
        Assert.Equal(failure.Replay, again.Replay);
    }

    [Fact]
    public void A_replay_reports_a_workload_that_fails_after_the_replayed_state()
    {
        var workload = new ThrowingWorkload();
        var (point, state) = StatesOf(workload)[0];
        string token = new CrashReplay { Workload = workload.Name, Point = point, State = state.ToString() }.ToString();

        var result = CrashSuite.Replay(token, 0, [workload]);
        Assert.Equal(1, result.StatesExplored);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("run", failure.CrashPoint);
        Assert.Contains(ThrowingWorkload.Message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaying_a_crash_point_the_workload_never_reaches_is_an_error_naming_its_points()
    {
        var e = Assert.Throws<ArgumentException>(() => CrashSuite.Replay("first-write@flush9@E0:p0"));
        Assert.Contains("crash point flush9 is never reached; first-write has 3 crash points (flush0, flush1, end)", e.Message, StringComparison.Ordinal);

        var io = Assert.Throws<ArgumentException>(() => CrashSuite.Replay("first-write@io100000@E0:p0"));
        Assert.Contains("crash point io100000 is never reached; first-write has ", io.Message, StringComparison.Ordinal);
        Assert.Contains(" counted operations (io0 to io", io.Message, StringComparison.Ordinal);

        var (point, state) = StatesOf(new FirstWriteWorkload(differencing: false))[^1];
        string token = new CrashReplay { Workload = "first-write", Point = point, State = state.ToString(), RepairPoint = "repair-flush7", RepairState = "E0:p0" }.ToString();
        var nested = Assert.Throws<ArgumentException>(() => CrashSuite.Replay(token));
        Assert.Contains("recovery crash point repair-flush7 is never reached", nested.Message, StringComparison.Ordinal);
    }
}
