using System.IO.Abstractions;

namespace Storage.Tests.Engine.Support;

/// <summary>A stream of <see cref="TestFs"/>: the mock stream's, counted, subject to its faults and short reads.</summary>
internal sealed class TestFileStream(TestFs fs, FileSystemStream inner) : FileSystemStream(inner, inner.Name, inner.IsAsync)
{
    /// <summary>True once disposed.</summary>
    public bool Disposed { get; private set; }

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            fs.Enter("length");
            return inner.Length;
        }
    }

    public override long Position
    {
        get => inner.Position;
        set
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            inner.Position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        fs.Enter("read");
        return inner.Read(fs.MaxRead > 0 && buffer.Length > fs.MaxRead ? buffer[..fs.MaxRead] : buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        fs.Enter("write");
        inner.Write(buffer);
    }

    public override void SetLength(long value)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        fs.Enter("setlength");
        inner.SetLength(value);
    }

    public override void Flush() => Flush(flushToDisk: false);

    public override void Flush(bool flushToDisk)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        fs.Enter(flushToDisk ? "fsync" : "flush");
        inner.Flush(flushToDisk);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
