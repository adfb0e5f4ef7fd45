using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.Tests.Crash;

/// <summary>
/// A test-only decorator that refuses to open directories as streams, as the BCL does, over a file
/// system that is not the machine's: the engine then finds no way to fsync a directory and goes on.
/// This is the planted missing directory fsync; everything else passes through.
/// </summary>
internal sealed class DirectoryRefusingFileSystem(IFileSystem inner) : IFileSystem
{
    public IDirectory Directory => inner.Directory;

    public IDirectoryInfoFactory DirectoryInfo => inner.DirectoryInfo;

    public IDriveInfoFactory DriveInfo => inner.DriveInfo;

    public IFile File => inner.File;

    public IFileInfoFactory FileInfo => inner.FileInfo;

    public IFileStreamFactory FileStream { get; } = new Streams(inner);

    public IFileSystemWatcherFactory FileSystemWatcher => inner.FileSystemWatcher;

    public IFileVersionInfoFactory FileVersionInfo => inner.FileVersionInfo;

    public IPath Path => inner.Path;

    public IRandomAccess RandomAccess => inner.RandomAccess;

    private sealed class Streams(IFileSystem fs) : IFileStreamFactory
    {
        public IFileSystem FileSystem => fs;

        public FileSystemStream New(SafeFileHandle handle, FileAccess access) => fs.FileStream.New(handle, access);

        public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize) => fs.FileStream.New(handle, access, bufferSize);

        public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize, bool isAsync) => fs.FileStream.New(handle, access, bufferSize, isAsync);

        public FileSystemStream New(string path, FileMode mode) => fs.FileStream.New(Refuse(path), mode);

        public FileSystemStream New(string path, FileMode mode, FileAccess access) => fs.FileStream.New(Refuse(path), mode, access);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share) => fs.FileStream.New(Refuse(path), mode, access, share);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) =>
            fs.FileStream.New(Refuse(path), mode, access, share, bufferSize);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, bool useAsync) =>
            fs.FileStream.New(Refuse(path), mode, access, share, bufferSize, useAsync);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options) =>
            fs.FileStream.New(Refuse(path), mode, access, share, bufferSize, options);

        public FileSystemStream New(string path, FileStreamOptions options) => fs.FileStream.New(Refuse(path), options);

        public FileSystemStream Wrap(FileStream fileStream) => fs.FileStream.Wrap(fileStream);

        private string Refuse(string path) =>
            fs.Directory.Exists(path) ? throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.") : path;
    }
}
