using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// The handle's synchronous members: inline under the lease where the data path allows (no thread
/// hop, no allocation), else a message whose reply the caller's thread waits for itself.
/// </summary>
internal sealed partial class DiskHandle
{
    public int Read(long offset, Span<byte> buffer)
    {
        int count = CheckRead(offset, buffer.Length, default);
        if (count == 0) return 0;
        if (Lease() is { } lease && TryInline(lease, offset, buffer[..count], default, write: false) == InlineOutcome.Done) return count;
        var operation = Operation.Request("vhd.read", Path, offset, count, _store.Options, System.Diagnostics.ActivityKind.Client);
        var data = Send<ImageData>(new ReadImage(Path, offset, count, operation.Context), operation);
        data.Data.CopyTo(buffer);
        return count;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        CheckWrite(offset, data.Length, default);
        if (data.IsEmpty) return;
        if (Lease() is { } lease && TryInline(lease, offset, default, data, write: true) == InlineOutcome.Done) return;
        var operation = Operation.Request("vhd.write", Path, offset, data.Length, _store.Options, System.Diagnostics.ActivityKind.Client);
        Send<ImageAck>(new WriteImage(Path, offset, data.ToArray(), operation.Context), operation);
    }

    public void Flush()
    {
        ThrowIfDisposed();
        if (!CanWrite) return;
        var operation = Operation.Start("vhd.flush", Path, System.Diagnostics.ActivityKind.Client);
        Send<ImageAck>(new FlushImage(Path, operation.Context), operation);
    }

    private T Send<T>(IImageRequest request, Operation operation)
    {
        _image.Limiter.Wait();
        try
        {
            return _store.Request<T>(request, operation, default);
        }
        finally
        {
            _image.Limiter.Release();
        }
    }

    private DiskLease? Lease()
    {
        if (!_store.Options.InlineIo || _image.LeaseRefused) return null;
        if (_image.Lease is { } held) return held;
        try
        {
            var lease = _store.Request<DiskLease>(new LeaseImage(Path), default, default);
            _image.Keep(lease);
            return lease;
        }
        catch (NotSupportedException)
        {
            _image.LeaseRefused = true;
            return null;
        }
    }
}
