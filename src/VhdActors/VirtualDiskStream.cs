using System.Buffers;

namespace Storage.VhdActors;

/// <summary>
/// A seekable read/write <see cref="Stream"/> over an <see cref="IDisk"/>, or over a window of it (a
/// partition), for code that wants a stream: ZipArchive, TarWriter, copying an image's contents. The
/// disk has a fixed size: writing past the end of the stream fails, and <see cref="SetLength"/> is
/// not supported (resize the image with <see cref="IDiskStore.ResizeAsync"/>, then open a new handle). On a handle of the store the
/// synchronous methods are truly synchronous: inline under the image's lease where the data path
/// allows (no thread hop, no allocation), else the caller's thread waits for the actor's reply itself.
/// </summary>
/// <remarks>
/// Sequential writes are buffered (up to 1 MiB) and reach the disk in whole sectors: a run of
/// writes such as <see cref="Stream.CopyTo(Stream)"/> makes, at any position, never has one
/// 512-byte sector written by two disk writes, so a crash before the flush keeps or loses each
/// sector whole. The partial sector at the end of the run waits for the next write; a read, a
/// seek, <see cref="Flush"/> and disposing write it out. Other handles on the image see buffered
/// bytes only after that. One stream is for one caller at a time, as any Stream.
/// </remarks>
public sealed partial class VirtualDiskStream : Stream
{
    private const int BufferSize = 1 << 20;
    private const int SectorSize = 512;

    private readonly IDisk _disk;
    private readonly DiskHandle? _handle;
    private readonly bool _leaveOpen;
    private readonly long _start;
    private readonly long _end;
    private long _position; // on the disk, from _start to _end
    private bool _disposed;

    // Writes not yet given to the disk: _buffered bytes that belong at _bufferStart (on the disk), ending at _position.
    private byte[]? _buffer;
    private long _bufferStart;
    private int _buffered;

    /// <summary>A stream over the whole of <paramref name="disk"/>; disposing it disposes the disk unless <paramref name="leaveOpen"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="disk"/> is null.</exception>
    public VirtualDiskStream(IDisk disk, bool leaveOpen = false)
        : this(disk, 0, (disk ?? throw new ArgumentNullException(nameof(disk))).Length, leaveOpen)
    {
    }

    /// <summary>
    /// A stream over the <paramref name="length"/> bytes of <paramref name="disk"/> at
    /// <paramref name="offset"/>: position 0 is <paramref name="offset"/> on the disk. Disposing it
    /// disposes the disk unless <paramref name="leaveOpen"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="disk"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the disk.</exception>
    public VirtualDiskStream(IDisk disk, long offset, long length, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(disk);
        if (offset < 0 || offset > disk.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{disk.Path}: a window at {offset} is outside the disk (virtual size {disk.Length})");
        if (length < 0 || length > disk.Length - offset)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{disk.Path}: a window of {length} bytes at {offset} is outside the disk (virtual size {disk.Length})");
        _disk = disk;
        _handle = disk as DiskHandle;
        _leaveOpen = leaveOpen;
        _start = _position = offset;
        _end = offset + length;
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
            return _end - _start;
        }
    }

    /// <inheritdoc />
    public override long Position
    {
        get => _position - _start;
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (value != _position - _start) WriteBuffered(keepPartialSector: false);
            _position = _start + value;
        }
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException($"{_disk.Path}: an attempt was made to move the position before the beginning of the stream.");
        Position = target;
        return target;
    }

    /// <summary>
    /// Not supported: the stream's handle keeps the image open, and an image is resized in place only
    /// while closed. Use <see cref="IDiskStore.ResizeAsync"/> (the store closes the image first), then
    /// open a new handle and stream to see the new size.
    /// </summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) =>
        throw new NotSupportedException($"{_disk.Path}: a stream cannot resize its disk; use IDiskStore.ResizeAsync, then open a new handle");

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteBuffered(keepPartialSector: false);
        buffer = buffer[..Available(buffer.Length)];
        if (buffer.IsEmpty) return 0;
        int n = _handle is { } handle ? handle.Read(_position, buffer) : ReadBlocking(buffer);
        _position += n;
        return n;
    }

    /// <summary>Another <see cref="IDisk"/> has only asynchronous reads: wait for one, through a pooled buffer.</summary>
    private int ReadBlocking(Span<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = _disk.ReadAsync(_position, rented.AsMemory(0, buffer.Length)).GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WriteBufferedAsync(keepPartialSector: false, cancellationToken).ConfigureAwait(false);
        buffer = buffer[..Available(buffer.Length)];
        if (buffer.IsEmpty) return 0;
        int n = await _disk.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    /// <summary>Bytes of a read of <paramref name="count"/> that lie inside the window from the position.</summary>
    private int Available(int count) => (int)Math.Clamp(_end - _position, 0, count);

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        CheckWrite(buffer.Length);
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer)..];
            if (_buffered == BufferSize) WriteBuffered(keepPartialSector: true);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

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
        if (!_disk.CanWrite) throw new NotSupportedException($"{_disk.Path}: the stream cannot write (the disk was opened read-only, or a snapshot froze it)");
        if (_position > _end || count > _end - _position)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{_disk.Path}: a write of {count} bytes at {Position} is past the end of the stream (length {Length})");
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

    /// <inheritdoc />
    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteBuffered(keepPartialSector: false);
        if (_handle is { } handle) handle.Flush();
        else _disk.FlushAsync().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WriteBufferedAsync(keepPartialSector: false, cancellationToken).ConfigureAwait(false);
        await _disk.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
