using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IRandomAccess"/> of a <see cref="FaultFileSystem"/>: positional I/O on the handles its
/// <c>File.OpenHandle</c> returns. Each call is the stream call of the same name at the given offset
/// (<see cref="FileContents"/>), so it is counted, traced, subject to the plan (failures, short
/// reads, disk full) and part of the crash model exactly as a stream's: <see cref="FlushToDisk"/>
/// is <c>Flush(true)</c>, the durability point. The async variants complete synchronously, which
/// keeps the order of operations deterministic. Handles of any other file system are refused.
/// </summary>
internal sealed class FaultRandomAccess(FaultFileSystem fileSystem) : IRandomAccess
{
    private FileContents Contents => fileSystem.Contents;

    public IFileSystem FileSystem => fileSystem;

    public void FlushToDisk(SafeFileHandle handle)
    {
        FaultHandle h = Contents.Handle(handle, 0);
        Contents.Flush(h.Disk, h.Path, h.Generation, flushToDisk: true);
    }

    public long GetLength(SafeFileHandle handle) => Contents.Length(Contents.Handle(handle, 0).Disk);

    public int Read(SafeFileHandle handle, Span<byte> buffer, long fileOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileOffset);
        FaultHandle h = Contents.Handle(handle, FileAccess.Read);
        return Contents.Read(h.Disk, h.Path, h.Generation, fileOffset, buffer);
    }

    public long Read(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        long total = 0;
        foreach (Memory<byte> buffer in buffers)
        {
            // As preadv: a short read ends the call.
            int read = Read(handle, buffer.Span, fileOffset + total);
            total += read;
            if (read < buffer.Length)
            {
                break;
            }
        }

        return total;
    }

    public ValueTask<int> ReadAsync(SafeFileHandle handle, Memory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) =>
        Complete(() => Read(handle, buffer.Span, fileOffset), cancellationToken);

    public ValueTask<long> ReadAsync(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) =>
        Complete(() => Read(handle, buffers, fileOffset), cancellationToken);

    public void SetLength(SafeFileHandle handle, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        FaultHandle h = Contents.Handle(handle, FileAccess.Write);
        Contents.SetLength(h.Disk, h.Path, h.Generation, length);
    }

    public void Write(SafeFileHandle handle, ReadOnlySpan<byte> buffer, long fileOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileOffset);
        FaultHandle h = Contents.Handle(handle, FileAccess.Write);
        Contents.Write(h.Disk, h.Path, h.Generation, fileOffset, buffer);
    }

    public void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        foreach (ReadOnlyMemory<byte> buffer in buffers)
        {
            // One write per buffer, in order: a crash may keep any subset, as for pwritev's pieces.
            Write(handle, buffer.Span, fileOffset);
            fileOffset += buffer.Length;
        }
    }

    public ValueTask WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) =>
        Complete(() => Write(handle, buffer.Span, fileOffset), cancellationToken);

    public ValueTask WriteAsync(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) =>
        Complete(() => Write(handle, buffers, fileOffset), cancellationToken);

    private static ValueTask Complete(Action call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            call();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private static ValueTask<T> Complete<T>(Func<T> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(call());
        }
        catch (Exception e)
        {
            return ValueTask.FromException<T>(e);
        }
    }
}
