using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IFileStreamFactory"/> of a <see cref="FaultFileSystem"/>: every overload returns a
/// <see cref="FaultFileStream"/>, the handle-based ones over a handle this file system opened (which
/// the stream then owns). A stated <see cref="FileShare"/> is enforced as Windows does (see
/// <see cref="FaultFileSystem"/>); buffer sizes are ignored (the simulation has no buffers);
/// wrapping a real FileStream would bypass the simulation and throws.
/// </summary>
internal sealed class FaultFileStreamFactory(FaultFileSystem fileSystem) : IFileStreamFactory
{
    public IFileSystem FileSystem => fileSystem;

    public FileSystemStream New(SafeFileHandle handle, FileAccess access) => fileSystem.Contents.StreamOver(handle, access, isAsync: false);

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize) => fileSystem.Contents.StreamOver(handle, access, isAsync: false);

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize, bool isAsync) => fileSystem.Contents.StreamOver(handle, access, isAsync);

    public FileSystemStream New(string path, FileMode mode) =>
        fileSystem.Contents.Open(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite, FileOptions.None);

    public FileSystemStream New(string path, FileMode mode, FileAccess access) => fileSystem.Contents.Open(path, mode, access, FileOptions.None);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share) => fileSystem.Contents.Open(path, mode, access, FileOptions.None, share);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) =>
        fileSystem.Contents.Open(path, mode, access, FileOptions.None, share);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, bool useAsync) =>
        fileSystem.Contents.Open(path, mode, access, useAsync ? FileOptions.Asynchronous : FileOptions.None, share);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options) =>
        fileSystem.Contents.Open(path, mode, access, options, share);

    public FileSystemStream New(string path, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return fileSystem.Contents.Open(path, options.Mode, options.Access, options.Options, options.Share);
    }

    public FileSystemStream Wrap(FileStream fileStream) => throw new NotSupportedException(
        "FaultFileSystem simulates file contents in memory; wrapping a real FileStream would bypass the simulation. Open the file through this file system instead.");
}
