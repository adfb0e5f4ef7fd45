using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.Tests.Engine.Support;

/// <summary>
/// <see cref="TestFs"/>'s positional I/O on its stand-in handles: each call is the mock stream's at
/// the offset, counted and subject to the faults and short reads as the streams are. Only the calls
/// BlockFile makes are there.
/// </summary>
internal sealed class TestRandomAccess(TestFs fs) : IRandomAccess
{
    public IFileSystem FileSystem => fs;

    public void FlushToDisk(SafeFileHandle handle)
    {
        var s = fs.StreamOf(handle);
        fs.Enter("fsync");
        lock (s) s.Flush(flushToDisk: true);
    }

    public long GetLength(SafeFileHandle handle)
    {
        var s = fs.StreamOf(handle);
        fs.Enter("length");
        lock (s) return s.Length;
    }

    public int Read(SafeFileHandle handle, Span<byte> buffer, long fileOffset)
    {
        var s = fs.StreamOf(handle);
        fs.Enter("read");
        lock (s)
        {
            s.Position = fileOffset;
            return s.Read(fs.MaxRead > 0 && buffer.Length > fs.MaxRead ? buffer[..fs.MaxRead] : buffer);
        }
    }

    public void Write(SafeFileHandle handle, ReadOnlySpan<byte> buffer, long fileOffset)
    {
        var s = fs.StreamOf(handle);
        fs.Enter("write");
        lock (s)
        {
            s.Position = fileOffset;
            s.Write(buffer);
        }
    }

    public void SetLength(SafeFileHandle handle, long length)
    {
        var s = fs.StreamOf(handle);
        fs.Enter("setlength");
        lock (s) s.SetLength(length);
    }

    public long Read(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset) => throw new NotSupportedException();

    public ValueTask<int> ReadAsync(SafeFileHandle handle, Memory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<long> ReadAsync(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset) => throw new NotSupportedException();

    public ValueTask WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> buffer, long fileOffset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask WriteAsync(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long fileOffset, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
