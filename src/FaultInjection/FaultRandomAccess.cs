using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IRandomAccess"/> of a <see cref="FaultFileSystem"/>. Handle-based I/O cannot be
/// simulated (a handle addresses the real file, not the <see cref="SimDisk"/>), so every member
/// throws rather than silently bypass the crash model: positional I/O goes through streams.
/// </summary>
internal sealed class FaultRandomAccess(FaultFileSystem fileSystem) : IRandomAccess
{
    public IFileSystem FileSystem => fileSystem;

    public void FlushToDisk(SafeFileHandle handle) => throw HandlesNotSupported();

    public long GetLength(SafeFileHandle handle) => throw HandlesNotSupported();

    public int Read(SafeFileHandle handle, Span<byte> buffer, long fileOffset) => throw HandlesNotSupported();

    public long Read(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset) => throw HandlesNotSupported();

    public ValueTask<int> ReadAsync(SafeFileHandle handle, Memory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) =>
        throw HandlesNotSupported();

    public ValueTask<long> ReadAsync(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) =>
        throw HandlesNotSupported();

    public void SetLength(SafeFileHandle handle, long length) => throw HandlesNotSupported();

    public void Write(SafeFileHandle handle, ReadOnlySpan<byte> buffer, long fileOffset) => throw HandlesNotSupported();

    public void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset) => throw HandlesNotSupported();

    public ValueTask WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) =>
        throw HandlesNotSupported();

    public ValueTask WriteAsync(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) =>
        throw HandlesNotSupported();

    internal static NotSupportedException HandlesNotSupported() =>
        new("FaultFileSystem simulates file contents in memory; file handles would bypass the simulation. Open a stream (File.Open or FileStream.New with a path) instead.");
}
