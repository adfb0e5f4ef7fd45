using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Positional I/O over one image file opened through <see cref="IFileSystem"/>. Unbuffered
/// (the engine coalesces its own I/O), every failure surfaces as <see cref="VhdIOException"/>.
/// </summary>
public sealed class BlockFile : IDisposable
{
    private readonly FileSystemStream _stream;
    private bool _disposed;

    private BlockFile(FileSystemStream stream, string path, bool writable)
    {
        _stream = stream;
        Path = path;
        CanWrite = writable;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>True when opened for writing.</summary>
    public bool CanWrite { get; }

    /// <summary>Opens an existing file.</summary>
    public static BlockFile Open(IFileSystem fs, string path, bool writable)
    {
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = writable ? FileAccess.ReadWrite : FileAccess.Read,
                Share = writable ? FileShare.Read : FileShare.ReadWrite,
                BufferSize = 0,
            };
            return new BlockFile(fs.FileStream.New(path, options), path, writable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new VhdIOException($"cannot open '{path}': {e.Message}", e, diskUsable: false);
        }
    }

    /// <summary>Creates (or truncates) a file for writing.</summary>
    public static BlockFile Create(IFileSystem fs, string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.Read, BufferSize = 0 };
            return new BlockFile(fs.FileStream.New(path, options), path, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new VhdIOException($"cannot create '{path}': {e.Message}", e, diskUsable: false);
        }
    }

    /// <summary>Current file length.</summary>
    public long Length
    {
        get
        {
            try { return _stream.Length; }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { throw Wrap("length", e); }
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; bytes past the end read as zeros.</summary>
    public void ReadAt(long offset, Span<byte> buffer)
    {
        try
        {
            _stream.Position = offset;
            int done = 0;
            while (done < buffer.Length)
            {
                int n = _stream.Read(buffer[done..]);
                if (n <= 0) { buffer[done..].Clear(); break; }
                done += n;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { throw Wrap($"read of {buffer.Length} bytes at {offset}", e); }
        VhdTelemetry.RecordIo(buffer.Length, read: true);
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        try
        {
            _stream.Position = offset;
            _stream.Write(data);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException) { throw Wrap($"write of {data.Length} bytes at {offset}", e); }
        VhdTelemetry.RecordIo(data.Length, read: false);
    }

    /// <summary>Makes every earlier write durable (fsync).</summary>
    public void Sync()
    {
        try { _stream.Flush(flushToDisk: true); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { throw Wrap("fsync", e); }
    }

    /// <summary>Sets the file length.</summary>
    public void SetLength(long length)
    {
        try { _stream.SetLength(length); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or ArgumentException) { throw Wrap($"set length {length}", e); }
    }

    private VhdIOException Wrap(string what, Exception e) => new($"{Path}: {what} failed: {e.Message}", e);

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _stream.Dispose(); }
        catch (IOException) { /* closing after a failed write: the error was already reported */ }
    }
}
