using Storage.VhdActors;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>An <see cref="IDisk"/> that only has a size and a mode: for the request rules, which never do I/O.</summary>
public sealed class FakeDisk(long length, bool canWrite) : IDisk
{
    public string Path => "/srv/images/a.vhd";

    public long Length => length;

    public bool CanWrite => canWrite;

    public IReadOnlyList<string> Chain => [Path];

    public Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task FlushAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
