using System.Collections.Concurrent;
using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Positional I/O over one image file opened through <see cref="IFileSystem"/>: on a handle
/// (<c>File.OpenHandle</c> + <see cref="IFileSystem.RandomAccess"/>: pread/pwrite, no shared
/// position, so calls from several threads overlap) wherever the file system hands out handles (the
/// machine's, the fault-injecting one), else on a stream whose position a lock guards
/// (MockFileSystem). Unbuffered (the engine coalesces its own I/O); every failure surfaces as
/// <see cref="VhdIOException"/>. Reads and writes are thread-safe; <see cref="Sync"/> makes every
/// write that returned before it durable.
/// </summary>
internal sealed class BlockFile : IDisposable
{
    // File systems whose File.OpenHandle said NotSupported (MockFileSystem): learnt once per type.
    private static readonly ConcurrentDictionary<Type, bool> StreamOnly = new();

    private IRandomAccess? _io;
    private SafeFileHandle? _handle;
    private FileSystemStream? _stream;
    private bool _disposed;

    private BlockFile(IFileSystem fs, SafeFileHandle? handle, FileSystemStream? stream, string path, bool writable)
    {
        _io = handle is null ? null : fs.RandomAccess;
        _handle = handle;
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

    /// <summary>The kernel descriptor under the file (Linux, the machine's file system), for OFD locks and fdatasync; null otherwise.</summary>
    internal SafeFileHandle? Descriptor => _handle is { IsInvalid: false } h && OperatingSystem.IsLinux() ? h : null;

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
    /// <exception cref="VhdIOException">The file cannot be created.</exception>
    public static BlockFile Create(IFileSystem fs, string path)
    {
        try
        {
            return OpenRaw(fs, path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new VhdIOException($"{path}: cannot create: {e.Message}", e, diskUsable: false);
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> as <paramref name="mode"/>, <paramref name="access"/> and
    /// <paramref name="share"/> say, on a handle where the file system has them, else on a stream.
    /// Writable when <paramref name="access"/> includes writing. The file system's own exceptions pass through.
    /// </summary>
    internal static BlockFile OpenRaw(IFileSystem fs, string path, FileMode mode, FileAccess access, FileShare share)
    {
        bool writable = (access & FileAccess.Write) != 0;
        if (!StreamOnly.ContainsKey(fs.File.GetType()))
        {
            try
            {
                return new BlockFile(fs, fs.File.OpenHandle(path, mode, access, share), null, path, writable);
            }
            catch (NotSupportedException)
            {
                // No handles here (MockFileSystem): a stream, below; remembered once the stream opens.
            }
        }
        var stream = fs.FileStream.New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 0 });
        StreamOnly.TryAdd(fs.File.GetType(), true);
        return new BlockFile(fs, null, stream, path, writable);
    }

    /// <summary>Current file length.</summary>
    public long Length
    {
        get
        {
            try { return _handle is { } h ? _io!.GetLength(h) : Stream.Length; }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { throw Wrap("length", e); }
        }
    }

    private FileSystemStream Stream => _stream ?? throw new ObjectDisposedException(Path);

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; bytes past the end read as zeros.</summary>
    public void ReadAt(long offset, Span<byte> buffer)
    {
        try
        {
            int done = _handle is { } h ? ReadHandle(h, offset, buffer) : ReadStream(offset, buffer);
            buffer[done..].Clear();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException) { throw Wrap($"read of {buffer.Length} bytes at {offset}", e); }
        VhdTelemetry.RecordIo(buffer.Length, read: true);
    }

    private int ReadHandle(SafeFileHandle handle, long offset, Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = _io!.Read(handle, buffer[done..], offset + done);
            if (n <= 0) break;
            done += n;
        }
        return done;
    }

    private int ReadStream(long offset, Span<byte> buffer)
    {
        var stream = Stream;
        lock (stream)
        {
            stream.Position = offset;
            int done = 0;
            while (done < buffer.Length)
            {
                int n = stream.Read(buffer[done..]);
                if (n <= 0) break;
                done += n;
            }
            return done;
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        try
        {
            if (_handle is { } h) _io!.Write(h, data, offset);
            else WriteStream(offset, data);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException) { throw Wrap($"write of {data.Length} bytes at {offset}", e); }
        VhdTelemetry.RecordIo(data.Length, read: false);
    }

    private void WriteStream(long offset, ReadOnlySpan<byte> data)
    {
        var stream = Stream;
        lock (stream)
        {
            stream.Position = offset;
            stream.Write(data);
        }
    }

    /// <summary>
    /// Makes every earlier write durable: <c>fdatasync</c> on a Linux descriptor (the data and the
    /// metadata needed to read it back, the file's length and block allocation included, as Linux
    /// documents; only timestamps are left, which nothing reads back; qemu syncs images the same
    /// way), else the file system's fsync (<see cref="IRandomAccess.FlushToDisk"/>, a stream's
    /// <c>Flush(true)</c>), which is also what every simulated file system sees for every sync.
    /// </summary>
    public void Sync()
    {
        try
        {
            if (Descriptor is { } fd && OperatingSystem.IsLinux()) FileDataSync.Sync(fd);
            else if (_handle is { } h) _io!.FlushToDisk(h);
            else Stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { throw Wrap("fsync", e); }
    }

    /// <summary>Sets the file length.</summary>
    public void SetLength(long length)
    {
        try
        {
            if (_handle is { } h) _io!.SetLength(h, length);
            else Stream.SetLength(length);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or ArgumentException or UnauthorizedAccessException) { throw Wrap($"set length {length}", e); }
    }

    private VhdIOException Wrap(string what, Exception e) => new($"{Path}: {what} failed: {e.Message}", e);

    /// <summary>Puts the file opened as <paramref name="replacement"/> in place of this one's handle or stream and closes the old one.</summary>
    internal void Swap(BlockFile replacement)
    {
        IDisposable? old = (IDisposable?)_handle ?? _stream;
        _io = replacement._io;
        _handle = replacement._handle;
        _stream = replacement._stream;
        replacement._handle = null;
        replacement._stream = null;
        old?.Dispose();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _handle?.Dispose();
            _stream?.Dispose();
        }
        catch (IOException) { /* closing after a failed write: the error was already reported */ }
        finally { Closed?.Invoke(); }
    }
}
