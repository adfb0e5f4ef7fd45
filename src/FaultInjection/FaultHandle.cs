using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// What a <see cref="FaultFileSystem"/> knows about one handle it opened (<c>File.OpenHandle</c>):
/// the simulated file, the access and share it was opened with, and the crash generation it
/// belongs to. The <see cref="SafeFileHandle"/> itself is a stand-in: its value is negative, never
/// a descriptor, and the handle does not own it, so the BCL refuses it (on Unix a negative value is
/// an invalid handle) and a kernel call on it fails (EBADF) instead of touching a real file, and
/// closing it closes nothing. Closing is seen through
/// <see cref="System.Runtime.InteropServices.SafeHandle.IsClosed"/>, which disposing sets.
/// </summary>
internal sealed class FaultHandle
{
    internal FaultHandle(SafeFileHandle handle, SimDisk disk, string path, FileAccess access, int generation)
    {
        Handle = handle;
        Disk = disk;
        Path = path;
        Access = access;
        Generation = generation;
    }

    /// <summary>The stand-in the caller holds.</summary>
    internal SafeFileHandle Handle { get; }

    /// <summary>The simulated contents.</summary>
    internal SimDisk Disk { get; }

    /// <summary>Full path it was opened by.</summary>
    internal string Path { get; }

    /// <summary>Read, write or both.</summary>
    internal FileAccess Access { get; }

    /// <summary>The crash generation it was opened in: after a crash it fails, as a stream does.</summary>
    internal int Generation { get; }

    /// <summary>This handle's entry in the sharing model.</summary>
    internal long ShareId { get; init; }

    /// <summary>A stand-in handle numbered <paramref name="number"/> (1, 2, ...): value -1 - number, so never 0, -1 or a descriptor.</summary>
    internal static SafeFileHandle NewStandIn(long number) => new((IntPtr)(-1 - number), ownsHandle: false);
}
