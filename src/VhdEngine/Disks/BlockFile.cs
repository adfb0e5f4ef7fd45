using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Positional I/O over one image file opened through <see cref="IFileSystem"/>. Unbuffered
/// (the engine coalesces its own I/O), every failure surfaces as <see cref="VhdIOException"/>.
/// </summary>
public sealed class BlockFile : IDisposable
{
    private FileSystemStream _stream;
    private bool _disposed;

    /// <summary>Positional I/O over <paramref name="stream"/>, which the new instance owns.</summary>
    internal BlockFile(FileSystemStream stream, string path, bool writable)
    {
        _stream = stream;
        Path = path;
        CanWrite = writable;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>True while the file may be written (opened for writing, and its lock still exclusive).</summary>
    public bool CanWrite { get; internal set; }

    /// <summary>Runs once when the file is closed (the lock it carries leaves the holder registry).</summary>
    internal Action? Closed { get; set; }

    /// <summary>
    /// Opens an existing image file, locked for as long as it is open (DESIGN.md §10): exclusively
    /// when <paramref name="writable"/>, else shared with other readers.
    /// </summary>
    /// <exception cref="VhdImageInUseException">Another open holds a conflicting lock.</exception>
    /// <exception cref="VhdIOException">The file cannot be opened.</exception>
    public static BlockFile Open(IFileSystem fs, string path, bool writable)
    {
        ArgumentNullException.ThrowIfNull(fs);
        return ImageLock.Acquire(fs, fs.Path.GetFullPath(path), writable ? ImageLockMode.Exclusive : ImageLockMode.Shared).File;
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

    /// <summary>Puts <paramref name="stream"/> in place of the open stream and returns the old one (the caller disposes it).</summary>
    internal FileSystemStream Swap(FileSystemStream stream)
    {
        var old = _stream;
        _stream = stream;
        return old;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _stream.Dispose(); }
        catch (IOException) { /* closing after a failed write: the error was already reported */ }
        finally { Closed?.Invoke(); }
    }
}
