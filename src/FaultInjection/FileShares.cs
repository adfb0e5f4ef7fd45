namespace Storage.FaultInjection;

/// <summary>
/// The sharing model of a <see cref="FaultFileSystem"/> (file locking as Windows and MockFileSystem
/// do it): which open streams and handles hold which file, with what access and share. An open is refused with a
/// sharing violation when a stream already open does not grant it its access, or it does not grant
/// an open stream that stream's access; the plan may refuse an open that locks anything, as if
/// another process held the file. A crash (a new generation) ends every earlier stream's share.
/// </summary>
internal sealed class FileShares(SimulationState state)
{
    private readonly Dictionary<string, List<(long Id, FileAccess Access, FileShare Share, int Generation)>> _open = new(SimulationState.PathComparer);
    private long _nextId;

    /// <summary>Admits an open of <paramref name="path"/> (with the simulation lock held); returns the id its stream or handle leaves with.</summary>
    internal long Enter(string path, FileAccess access, FileShare share)
    {
        // Handles closed since the last open no longer hold anything.
        state.Handles.Sweep();
        bool locks = (share & FileShare.ReadWrite) != FileShare.ReadWrite;
        if (locks && state.Log.Plan is { } plan && plan.RefusesLock())
        {
            throw new InjectedFaultException(
                $"Injected lock refusal: '{path}' is held by another process (sharing violation).",
                state.Log.OperationCount - 1,
                FaultPlan.LockRefusedHResult);
        }

        if (!_open.TryGetValue(path, out var streams))
        {
            streams = [];
            _open[path] = streams;
        }

        streams.RemoveAll(e => e.Generation != state.Generation);
        foreach (var held in streams)
        {
            if (!Grants(held.Share, access) || !Grants(share, held.Access))
            {
                throw new IOException($"The process cannot access the file '{path}' because it is being used by another process.", FaultPlan.LockRefusedHResult);
            }
        }

        long id = ++_nextId;
        streams.Add((id, access, share, state.Generation));
        return id;
    }

    /// <summary>Ends a closed stream's share.</summary>
    internal void Leave(string path, long id)
    {
        lock (state.Gate)
        {
            LeaveLocked(path, id);
        }
    }

    /// <summary>Ends a closed stream's or handle's share, with the simulation lock held.</summary>
    internal void LeaveLocked(string path, long id)
    {
        if (_open.TryGetValue(path, out var streams) && streams.RemoveAll(e => e.Id == id) > 0 && streams.Count == 0)
        {
            _open.Remove(path);
        }
    }

    private static bool Grants(FileShare share, FileAccess access) =>
        ((access & FileAccess.Read) == 0 || (share & FileShare.Read) != 0)
        && ((access & FileAccess.Write) == 0 || (share & FileShare.Write) != 0);
}
