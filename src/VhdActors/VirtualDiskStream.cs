using System.Buffers;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>
/// A seekable read/write <see cref="Stream"/> over an <see cref="IDisk"/>, for code that wants a
/// stream (copying an image's contents, file-system libraries). The disk has a fixed size:
/// <see cref="SetLength"/> is not supported and writing past the end fails. The synchronous
/// methods block on the asynchronous ones; prefer the async ones.
/// </summary>
/// <remarks>
/// Sequential writes are buffered (up to 1 MiB) and reach the disk in whole sectors: a run of
/// writes such as <see cref="Stream.CopyTo(Stream)"/> makes, at any position, never has one
/// 512-byte sector written by two disk writes, so a crash before the flush keeps or loses each
/// sector whole. The partial sector at the end of the run waits for the next write; a read, a
/// seek, <see cref="Flush"/> and disposing write it out. Other handles on the image see buffered
/// bytes only after that.
/// </remarks>
public sealed class VirtualDiskStream : Stream
{
    private const int BufferSize = 1 << 20;
    private const int SectorSize = 512;

    private readonly IDisk _disk;
    private readonly bool _leaveOpen;
    private long _position;
    private bool _disposed;

    // Writes not yet given to the disk: _buffered bytes that belong at _bufferStart, ending at _position.
    private byte[]? _buffer;
    private long _bufferStart;
    private int _buffered;

    /// <summary>Wraps <paramref name="disk"/>; disposing the stream disposes the disk unless <paramref name="leaveOpen"/>.</summary>
    public VirtualDiskStream(IDisk disk, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(disk);
        _disk = disk;
        _leaveOpen = leaveOpen;
    }

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => !_disposed;

    /// <inheritdoc />
    public override bool CanWrite => !_disposed && _disk.CanWrite;

    /// <inheritdoc />
    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _disk.Length;
        }
    }

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (value != _position) WriteBufferedAsync(keepPartialSector: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            _position = value;
        }
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        Position = target;
        return target;
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("a virtual disk has a fixed size; resize the image instead");

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        int n = ReadAsync(rented, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WriteBufferedAsync(keepPartialSector: false, cancellationToken).ConfigureAwait(false);
        int n = await _disk.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        CheckWrite(buffer.Length);
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer)..];
            if (_buffered == BufferSize) WriteBufferedAsync(keepPartialSector: true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckWrite(buffer.Length);
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer.Span)..];
            if (_buffered == BufferSize) await WriteBufferedAsync(keepPartialSector: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckWrite(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_disk.CanWrite) throw new NotSupportedException($"{_disk.Path}: opened read-only");
        if (_position > _disk.Length || count > _disk.Length - _position)
            throw new VhdArgumentException("offset", $"range {_position}+{count} is outside the disk (virtual size {_disk.Length})");
    }

    /// <summary>Copies what fits of <paramref name="data"/> into the buffer; returns how much.</summary>
    private int Append(ReadOnlySpan<byte> data)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        if (_buffered == 0) _bufferStart = _position;
        int n = Math.Min(BufferSize - _buffered, data.Length);
        data[..n].CopyTo(_buffer.AsSpan(_buffered));
        _buffered += n;
        _position += n;
        return n;
    }

    /// <summary>
    /// Gives the buffered bytes to the disk in one write; with <paramref name="keepPartialSector"/>
    /// it stops at the last sector boundary and keeps the rest for the next write. On failure the
    /// buffered bytes are dropped (the exception reports them lost).
    /// </summary>
    private async ValueTask WriteBufferedAsync(bool keepPartialSector, CancellationToken cancellationToken)
    {
        if (_buffered == 0) return;
        long end = _bufferStart + _buffered;
        if (keepPartialSector) end -= end % SectorSize;
        int count = (int)(end - _bufferStart);
        if (count <= 0) return;
        try
        {
            await _disk.WriteAsync(_bufferStart, _buffer!.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _buffered = 0;
            throw;
        }
        _buffer.AsSpan(count, _buffered - count).CopyTo(_buffer);
        _buffered -= count;
        _bufferStart = end;
    }

    /// <inheritdoc />
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WriteBufferedAsync(keepPartialSector: false, cancellationToken).ConfigureAwait(false);
        await _disk.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                WriteBufferedAsync(keepPartialSector: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
            finally
            {
                _disposed = true;
                ReturnBuffer();
                if (!_leaveOpen) _disk.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                await WriteBufferedAsync(keepPartialSector: false, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _disposed = true;
                ReturnBuffer();
                if (!_leaveOpen) await _disk.DisposeAsync().ConfigureAwait(false);
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _buffered = 0;
    }
}
