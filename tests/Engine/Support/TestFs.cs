using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Microsoft.Win32.SafeHandles;

namespace Storage.Tests.Engine.Support;

/// <summary>
/// A <see cref="MockFileSystem"/> whose image files can fail, read short and be watched: every
/// read, write, length, set-length and fsync through its streams (and, with <c>handles</c>, through
/// stand-in handles and its <see cref="RandomAccess"/>) is counted and may throw what
/// <see cref="Fault"/> returns. Without handles, <c>File.OpenHandle</c> says NotSupported (as
/// MockFileSystem does) and <see cref="RandomAccess"/> is refused, so only streams are used.
/// </summary>
internal sealed class TestFs : MockFileSystem
{
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<SafeFileHandle, FileSystemStream> _handleStreams = new(ReferenceEqualityComparer.Instance);
    private readonly IFileStreamFactory _mockStreams;
    private readonly TestFile _file;
    private readonly TestFileStreamFactory _streams;
    private readonly TestRandomAccess _randomAccess;
    private long _handleNumber;

    /// <param name="handles">Whether <c>File.OpenHandle</c> hands out (stand-in) handles.</param>
    /// <param name="file">
    /// The <see cref="IFile"/> to use (default: one type for stream-only file systems, another for
    /// those with handles): BlockFile learns per <see cref="IFile"/> type which file systems have no handles.
    /// </param>
    public TestFs(bool handles, Func<TestFs, TestFile>? file = null)
    {
        Handles = handles;
        _mockStreams = base.FileStream;
        _file = file?.Invoke(this) ?? (handles ? new TestFile(this) : new StreamOnlyTestFile(this));
        _streams = new TestFileStreamFactory(this, _mockStreams);
        _randomAccess = new TestRandomAccess(this);
        Directory.CreateDirectory(Img.Dir);
    }

    /// <summary>Whether <c>File.OpenHandle</c> hands out handles.</summary>
    public bool Handles { get; }

    /// <summary>The exception operation "open", "read", "write", "length", "setlength" or "fsync" throws, or null (it runs).</summary>
    public Func<string, Exception?>? Fault { get; set; }

    /// <summary>At most this many bytes per read call (short reads), or 0 for no limit.</summary>
    public int MaxRead { get; set; }

    /// <summary>The stand-in handles <c>File.OpenHandle</c> returned, in order.</summary>
    public List<SafeFileHandle> OpenedHandles { get; } = [];

    /// <summary>The streams the stream factory returned, in order.</summary>
    public List<TestFileStream> OpenedStreams { get; } = [];

    public override IFile File => _file;

    public override IFileStreamFactory FileStream => _streams;

    public override IRandomAccess RandomAccess => Handles ? _randomAccess : throw new NotSupportedException("no handles here");

    /// <summary>
    /// How many times <paramref name="op"/> ran (or was tried): "openhandle", "open" (a stream), "read",
    /// "write", "length", "setlength", "fsync" (Flush(true), FlushToDisk) or "flush" (a flush that does not sync).
    /// </summary>
    public int Count(string op) => _counts.GetValueOrDefault(op);

    /// <summary>Forgets the counts so far.</summary>
    public void ResetCounts() => _counts.Clear();

    /// <summary>Counts <paramref name="op"/>, then throws what <see cref="Fault"/> says for it.</summary>
    internal void Enter(string op)
    {
        // A loop that never ends (a read that keeps asking past the end) fails the test instead of hanging it.
        if (_counts.AddOrUpdate(op, 1, (_, n) => n + 1) > 100_000) throw new InvalidOperationException($"runaway loop: {op} called over 100000 times");
        if (Fault?.Invoke(op) is { } e) throw e;
    }

    internal SafeFileHandle OpenHandle(string path, FileMode mode, FileAccess access, FileShare share)
    {
        Enter("openhandle");
        if (!Handles) throw new NotSupportedException("no handles here");
        var stream = _mockStreams.New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share });
        // Negative and not owned: never a descriptor, and closing it closes nothing (IsClosed still tells).
        var handle = new SafeFileHandle((IntPtr)(-2 - Interlocked.Increment(ref _handleNumber)), ownsHandle: false);
        _handleStreams[handle] = stream;
        lock (OpenedHandles) OpenedHandles.Add(handle);
        return handle;
    }

    /// <summary>The mock stream behind a stand-in handle.</summary>
    internal FileSystemStream StreamOf(SafeFileHandle handle)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        return _handleStreams[handle];
    }
}
