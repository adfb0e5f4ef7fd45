namespace Storage.FaultInjection;

// The crash side of a SimDisk used alone: its crash model, states and crash images.
public sealed partial class SimDisk
{
    /// <summary>The crash states of the pending epoch: exhaustive when small, ALICE-style otherwise (see <see cref="CrashStates.Enumerate(SimDisk)"/>).</summary>
    /// <returns>Replayable crash state descriptions.</returns>
    public IReadOnlyList<CrashState> EnumerateCrashStates() => CrashStates.Enumerate(this);

    /// <summary><paramref name="count"/> random crash states of the pending epoch, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="seed">Sampling seed; it is part of each state's string.</param>
    /// <param name="count">How many states.</param>
    /// <returns>Replayable crash state descriptions.</returns>
    public IReadOnlyList<CrashState> SampleCrashStates(int seed, int count) => CrashStates.Sample(this, seed, count);

    /// <summary>The file as a crash in <paramref name="state"/> leaves it: a new disk whose contents are all durable, or null if the file does not survive.</summary>
    /// <param name="state">A state of this disk's current pending epoch.</param>
    /// <returns>The crash image, or null when the (new) file is absent after the crash.</returns>
    public SimDisk? Materialize(CrashState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Model().Materialize(state)[0];
    }

    /// <summary>The crash model of this disk alone, rebuilt only after a change.</summary>
    internal CrashModel Model()
    {
        if (_model is null || _model.Version != Version)
        {
            _model = new CrashModel(Epoch, [(string.Empty, this)], Version);
        }

        return _model;
    }

    /// <summary>
    /// A copy of the durable state and the pending epoch that later changes of this disk do not
    /// touch: enough for a crash model (not for reads of the volatile view).
    /// </summary>
    internal SimDisk Freeze() => new(new Dictionary<long, byte[]>(_durable), _durableLength, [.. _pending], IsNew, Epoch);
}
