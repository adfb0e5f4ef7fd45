using System.Buffers;

namespace Storage.VhdActors;

/// <summary>The stream's write buffer: whole sectors to the disk, and disposal.</summary>
public sealed partial class VirtualDiskStream
{
    /// <summary>
    /// The count of buffered bytes to give the disk now: all, or with <paramref name="keepPartialSector"/>
    /// up to the last sector boundary (the rest waits for the next write).
    /// </summary>
    private int Due(bool keepPartialSector)
    {
        if (_buffered == 0) return 0;
        long end = _bufferStart + _buffered;
        if (keepPartialSector) end -= end % SectorSize;
        return (int)Math.Max(0, end - _bufferStart);
    }

    /// <summary>After <paramref name="count"/> buffered bytes reached the disk: keep the rest at the front.</summary>
    private void Written(int count)
    {
        _buffer.AsSpan(count, _buffered - count).CopyTo(_buffer);
        _buffered -= count;
        _bufferStart += count;
    }

    /// <summary>Gives the due bytes to the disk in one write; on failure the buffered bytes are dropped (the exception reports them lost).</summary>
    private void WriteBuffered(bool keepPartialSector)
    {
        int count = Due(keepPartialSector);
        if (count == 0) return;
        try
        {
            if (_handle is { } handle) handle.Write(_bufferStart, _buffer.AsSpan(0, count));
            else _disk.WriteAsync(_bufferStart, _buffer.AsMemory(0, count)).GetAwaiter().GetResult();
        }
        catch
        {
            _buffered = 0;
            throw;
        }
        Written(count);
    }

    /// <summary>The asynchronous <see cref="WriteBuffered"/>.</summary>
    private async ValueTask WriteBufferedAsync(bool keepPartialSector, CancellationToken cancellationToken)
    {
        int count = Due(keepPartialSector);
        if (count == 0) return;
        try
        {
            await _disk.WriteAsync(_bufferStart, _buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _buffered = 0;
            throw;
        }
        Written(count);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                WriteBuffered(keepPartialSector: false);
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
