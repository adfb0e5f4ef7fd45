using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// A crash point captured from a <see cref="FaultFileSystem"/> (<see cref="FaultFileSystem.CaptureCrashPoint"/>):
/// the durable state and the pending epoch of every file and name at that moment, frozen, so its crash
/// states can be enumerated, materialized and described later, on any thread, while the live file system
/// moves on. Thread-safe: it never changes.
/// </summary>
/// <remarks>
/// Capturing copies each file's durable sector map (the sector arrays themselves are shared, since they
/// never change), so it costs memory in proportion to the files' stored sectors.
/// </remarks>
public sealed class CrashPoint
{
    private readonly CrashModel _model;

    internal CrashPoint(CrashModel model, long flushIndex)
    {
        _model = model;
        FlushIndex = flushIndex;
    }

    /// <summary>The epoch its crash states carry (durability points passed).</summary>
    public int Epoch => _model.Epoch;

    /// <summary>The index of the <c>Flush(true)</c> it was captured in (see <see cref="FlushToDiskEventArgs.FlushIndex"/>), or -1 outside one.</summary>
    public long FlushIndex { get; }

    /// <summary>Pending changes (contents and names) at this point.</summary>
    public int PendingChangeCount => _model.OperationCount;

    /// <summary>Crash-model pieces at this point (see <see cref="CrashState"/>).</summary>
    public int PieceCount => _model.PieceCount;

    /// <summary>Exhaustive up to <see cref="CrashStates.ExhaustiveThreshold"/> pieces, else ALICE-style (see <see cref="CrashStates.Enumerate(CrashPoint)"/>).</summary>
    /// <returns>Replayable crash states.</returns>
    public IReadOnlyList<CrashState> EnumerateCrashStates() => CrashStates.Enumerate(this);

    /// <summary><paramref name="count"/> random crash states, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="count">How many.</param>
    /// <returns>Replayable crash states.</returns>
    public IReadOnlyList<CrashState> SampleCrashStates(int seed, int count) => CrashStates.Sample(this, seed, count);

    /// <summary>The files a crash in <paramref name="state"/> leaves, by full path (see <see cref="FaultFileSystem.Materialize"/>).</summary>
    /// <param name="state">A state of this crash point.</param>
    /// <returns>The post-crash files.</returns>
    /// <exception cref="ArgumentException">The state belongs to another crash point.</exception>
    public IReadOnlyDictionary<string, SimDisk> Materialize(CrashState state) => CrashImaging.Materialize(_model, state);

    /// <summary>A new <see cref="FaultFileSystem"/> over <paramref name="inner"/> holding the files a crash in <paramref name="state"/> leaves, all durable (see <see cref="FaultFileSystem.CrashedCopy"/>).</summary>
    /// <param name="state">A state of this crash point.</param>
    /// <param name="inner">The name store of the copy (typically a fresh MockFileSystem).</param>
    /// <param name="plan">Faults for the copy, or null.</param>
    /// <returns>The crashed copy.</returns>
    /// <exception cref="ArgumentException">The state belongs to another crash point.</exception>
    public FaultFileSystem CrashedCopy(CrashState state, IFileSystem inner, FaultPlan? plan = null) => CrashImaging.CrashedCopy(_model, state, inner, plan);

    /// <summary>Each pending change at this point and what a crash in <paramref name="state"/> keeps of it.</summary>
    /// <param name="state">A state of this crash point.</param>
    /// <returns>The changes in pending order.</returns>
    /// <exception cref="ArgumentException">The state belongs to another crash point.</exception>
    public IReadOnlyList<PendingChange> Describe(CrashState state) => _model.Describe(state);

    internal T Use<T>(Func<CrashModel, T> action) => action(_model);
}
