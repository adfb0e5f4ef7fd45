using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.Tests.Engine.Support;

/// <summary><see cref="TestFs"/>'s stream factory: MockFileSystem's streams, opened subject to the "open" fault and wrapped in <see cref="TestFileStream"/>.</summary>
internal sealed class TestFileStreamFactory(TestFs fs, IFileStreamFactory inner) : IFileStreamFactory
{
    public IFileSystem FileSystem => fs;

    public FileSystemStream New(SafeFileHandle handle, FileAccess access) => throw new NotSupportedException();

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize) => throw new NotSupportedException();

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize, bool isAsync) => throw new NotSupportedException();

    public FileSystemStream New(string path, FileMode mode) => New(path, new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite });

    public FileSystemStream New(string path, FileMode mode, FileAccess access) => New(path, new FileStreamOptions { Mode = mode, Access = access });

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share) =>
        New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share });

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) =>
        New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share });

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, bool useAsync) =>
        New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share });

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options) =>
        New(path, new FileStreamOptions { Mode = mode, Access = access, Share = share, Options = options });

    public FileSystemStream New(string path, FileStreamOptions options)
    {
        fs.Enter("open");
        var stream = new TestFileStream(fs, inner.New(path, options));
        lock (fs.OpenedStreams) fs.OpenedStreams.Add(stream);
        return stream;
    }

    public FileSystemStream Wrap(FileStream fileStream) => throw new NotSupportedException();
}
