using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// The handles a <see cref="FaultFileSystem"/> opened and not yet seen closed, found by reference
/// (with the simulation lock held). A closed handle is forgotten, and its share ended, the next
/// time a file is opened: disposing a <see cref="SafeFileHandle"/> notifies nobody, but it sets
/// <see cref="System.Runtime.InteropServices.SafeHandle.IsClosed"/> at once, so every open after
/// the close sees it gone, as on a real file system.
/// </summary>
internal sealed class HandleTable(SimulationState state)
{
    private readonly Dictionary<SafeFileHandle, FaultHandle> _open = new(ReferenceEqualityComparer.Instance);
    private long _count;

    /// <summary>Registers a new handle on <paramref name="disk"/>, whose share the caller entered as <paramref name="shareId"/>.</summary>
    internal FaultHandle Add(SimDisk disk, string path, FileAccess access, long shareId)
    {
        SafeFileHandle handle = FaultHandle.NewStandIn(++_count);
        var entry = new FaultHandle(handle, disk, path, access, state.Generation) { ShareId = shareId };
        _open[handle] = entry;
        return entry;
    }

    /// <summary>Forgets handles that were closed (or belong to a crashed generation), ending their shares.</summary>
    internal void Sweep()
    {
        List<SafeFileHandle>? gone = null;
        foreach (var (handle, entry) in _open)
        {
            if (handle.IsClosed || entry.Generation != state.Generation) (gone ??= []).Add(handle);
        }

        foreach (SafeFileHandle handle in gone ?? [])
        {
            FaultHandle entry = _open[handle];
            _open.Remove(handle);
            state.Shares.LeaveLocked(entry.Path, entry.ShareId);
        }
    }

    /// <summary>
    /// The entry of <paramref name="handle"/>, checked as <see cref="RandomAccess"/> checks: null is
    /// <see cref="ArgumentNullException"/>, a closed one <see cref="ObjectDisposedException"/>; a handle
    /// this file system did not open would bypass the simulation, so it is <see cref="NotSupportedException"/>.
    /// (Stand-ins count as invalid to the BCL on Unix, which is what keeps the real RandomAccess off them.)
    /// </summary>
    internal FaultHandle Find(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        return _open.TryGetValue(handle, out FaultHandle? entry) ? entry : throw NotOurs();
    }

    internal static NotSupportedException NotOurs() =>
        new("This handle was not opened by this FaultFileSystem: I/O through it would bypass the simulation. Open it with this file system's File.OpenHandle.");
}
