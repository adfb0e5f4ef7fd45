using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// A file stream of a <see cref="FaultFileSystem"/>: its bytes live in a <see cref="SimDisk"/>, and
/// every entry point (reads, writes, seeks, length, flushes, the async and APM variants, copy) is
/// overridden, so nothing reaches the placeholder stream the base class holds.
/// </summary>
/// <remarks>
/// <c>Flush()</c>, <c>Flush(false)</c> and <c>FlushAsync</c> empty buffers only (there are none), as on
/// a <see cref="System.IO.FileStream"/>. <c>Flush(true)</c> is the durability point: the pending writes of
/// this file become durable, unless the plan fails the fsync. The base <see cref="FileSystemStream.Flush(bool)"/>
/// would silently drop that request, which is why this class exists.
/// </remarks>
public sealed class FaultFileStream : FileSystemStream
{
    private readonly FaultFileSystem _fileSystem;
    private readonly SimDisk _disk;
    private readonly string _path;
    private readonly bool _canRead;
    private readonly bool _canWrite;
    private readonly long _appendStart;
    private readonly bool _append;
    private readonly int _generation;
    private long _position;
    private bool _disposed;

    internal FaultFileStream(FaultFileSystem fileSystem, SimDisk disk, string path, FileAccess access, long start, bool append, bool isAsync, int generation)
        : base(Stream.Null, path, isAsync)
    {
        _fileSystem = fileSystem;
        _disk = disk;
        _path = path;
        _canRead = (access & FileAccess.Read) != 0;
        _canWrite = (access & FileAccess.Write) != 0;
        _append = append;
        _appendStart = start;
        _position = start;
        _generation = generation;
    }

    /// <inheritdoc/>
    public override bool CanRead => !_disposed && _canRead;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed && _canWrite;

    /// <inheritdoc/>
    public override bool CanSeek => !_disposed;

    /// <inheritdoc/>
    public override long Length
    {
        get
        {
            ThrowIfDisposed();
            return _fileSystem.Contents.Length(_disk);
        }
    }

    /// <inheritdoc/>
    public override long Position
    {
        get
        {
            ThrowIfDisposed();
            return _position;
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Seek(value, SeekOrigin.Begin);
        }
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        ThrowIfDisposed();
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentException($"Invalid seek origin {origin}.", nameof(origin)),
        };
        if (target < 0)
        {
            throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        }

        if (_append && target < _appendStart)
        {
            throw new IOException("Unable seek backward to overwrite data that previously existed in a file opened in Append mode.");
        }

        _position = target;
        return target;
    }

    /// <inheritdoc/>
    public override void SetLength(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ThrowIfDisposed();
        ThrowIfCannotWrite();
        if (_append && value < _appendStart)
        {
            throw new IOException("Unable to truncate data that previously existed in a file opened in Append mode.");
        }

        _fileSystem.Contents.SetLength(_disk, _path, _generation, value);
        // FileStream keeps the position, except that it cannot stay past a shrunk end.
        _position = Math.Min(_position, value);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfDisposed();
        if (!_canRead)
        {
            throw new NotSupportedException("Stream does not support reading.");
        }

        int read = _fileSystem.Contents.Read(_disk, _path, _generation, _position, buffer);
        _position += read;
        return read;
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        // The simulation is in memory: completing synchronously keeps operation order deterministic.
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfDisposed();
        ThrowIfCannotWrite();
        _fileSystem.Contents.Write(_disk, _path, _generation, _position, buffer);
        _position += buffer.Length;
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <inheritdoc/>
    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    /// <inheritdoc/>
    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    /// <inheritdoc/>
    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    /// <inheritdoc/>
    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    /// <summary>Empties buffers; not a durability point (same as <c>Flush(false)</c>).</summary>
    public override void Flush() => Flush(false);

    /// <summary>With <paramref name="flushToDisk"/> true, the durability point: this file's pending epoch becomes durable.</summary>
    /// <param name="flushToDisk">True for fsync semantics.</param>
    public override void Flush(bool flushToDisk)
    {
        ThrowIfDisposed();
        _fileSystem.Contents.Flush(_disk, _path, _generation, flushToDisk);
    }

    /// <summary>Same as <c>Flush(false)</c>, as for <see cref="System.IO.FileStream"/>: not a durability point.</summary>
    /// <param name="cancellationToken">Cancels before the flush starts.</param>
    /// <returns>A completed task.</returns>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            Flush(false);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <inheritdoc/>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        var buffer = new byte[bufferSize];
        int read;
        while ((read = Read(buffer, 0, buffer.Length)) > 0)
        {
            destination.Write(buffer, 0, read);
        }
    }

    /// <inheritdoc/>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>This stream's entry in the file system's sharing model (see <see cref="FaultFileSystem"/>); 0 for a stream over a handle.</summary>
    internal long ShareId { get; init; }

    /// <summary>The handle a stream made over one (<c>FileStream.New(handle, ...)</c>) closes when it is closed.</summary>
    internal Microsoft.Win32.SafeHandles.SafeFileHandle? OwnedHandle { get; init; }

    /// <inheritdoc/>
    public override string ToString() => _path;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // Nothing is buffered, so closing loses nothing and does not count as an operation.
        if (!_disposed)
        {
            _fileSystem.State.Shares.Leave(_path, ShareId);
            OwnedHandle?.Dispose();
        }

        _disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfCannotWrite()
    {
        if (!_canWrite)
        {
            throw new NotSupportedException("Stream does not support writing.");
        }
    }
}
