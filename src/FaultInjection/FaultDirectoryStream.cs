using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// A directory of a <see cref="FaultFileSystem"/> opened as a stream (<c>FileStream.New(directory,
/// FileMode.Open, FileAccess.Read)</c>), the equivalent of POSIX <c>open(dir, O_RDONLY|O_DIRECTORY)</c>:
/// it cannot be read, written or sought; <c>Flush(true)</c> is the directory's fsync, which makes the
/// pending creates, renames and deletes of its entries durable. <c>Flush()</c> and <c>Flush(false)</c> do nothing.
/// </summary>
internal sealed class FaultDirectoryStream : FileSystemStream
{
    private readonly FileContents _contents;
    private readonly string _path;
    private readonly int _generation;
    private bool _disposed;

    internal FaultDirectoryStream(FileContents contents, string path, int generation)
        : base(Stream.Null, path, isAsync: false)
    {
        _contents = contents;
        _path = path;
        _generation = generation;
    }

    public override bool CanRead => false;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => throw IsADirectory();

    public override long Position
    {
        get => throw IsADirectory();
        set => throw IsADirectory();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw IsADirectory();

    public override void SetLength(long value) => throw IsADirectory();

    public override int Read(byte[] buffer, int offset, int count) => throw IsADirectory();

    public override int Read(Span<byte> buffer) => throw IsADirectory();

    public override void Write(byte[] buffer, int offset, int count) => throw IsADirectory();

    public override void Write(ReadOnlySpan<byte> buffer) => throw IsADirectory();

    // FileSystemStream forwards everything to the stream it wraps: every entry point is overridden.
    public override int ReadByte() => throw IsADirectory();

    public override void WriteByte(byte value) => throw IsADirectory();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException<int>(IsADirectory());

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(IsADirectory());

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException(IsADirectory());

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException(IsADirectory());

    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) => throw IsADirectory();

    public override int EndRead(IAsyncResult asyncResult) => throw IsADirectory();

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) => throw IsADirectory();

    public override void EndWrite(IAsyncResult asyncResult) => throw IsADirectory();

    public override void CopyTo(Stream destination, int bufferSize) => throw IsADirectory();

    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) => Task.FromException(IsADirectory());

    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
    }

    public override void Flush(bool flushToDisk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (flushToDisk)
        {
            _contents.FlushDirectory(_path, _generation);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override string ToString() => _path;

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private NotSupportedException IsADirectory() => new($"'{_path}' is a directory: it can only be fsynced (Flush(true)).");
}
