using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;

namespace Storage.CrashTesting;

/// <summary>
/// The name store of a crashed copy: a <see cref="MockFileSystem"/> (files, directories,
/// attributes) whose path arithmetic is the real <see cref="Path"/>'s. Every path the suite uses
/// is absolute, so the answers are the same, and MockPath's string splitting was a fifth of the
/// suite's time (the engine asks for full paths on every open).
/// </summary>
internal sealed class NameStore : IFileSystem
{
    private readonly MockFileSystem _mock;

    public NameStore()
    {
        // No temp directory: a crashed copy only needs names, and the default costs ~4x more.
        _mock = new MockFileSystem(new MockFileSystemOptions { CreateDefaultTempDir = false, CurrentDirectory = "/" });
        Path = new PathWrapper(this);
        _mock.Directory.CreateDirectory(WorkloadContext.Directory);
    }

    public IDirectory Directory => _mock.Directory;

    public IDirectoryInfoFactory DirectoryInfo => _mock.DirectoryInfo;

    public IDriveInfoFactory DriveInfo => _mock.DriveInfo;

    public IFile File => _mock.File;

    public IFileInfoFactory FileInfo => _mock.FileInfo;

    public IFileStreamFactory FileStream => _mock.FileStream;

    public IFileSystemWatcherFactory FileSystemWatcher => _mock.FileSystemWatcher;

    public IFileVersionInfoFactory FileVersionInfo => _mock.FileVersionInfo;

    public IPath Path { get; }

    public IRandomAccess RandomAccess => _mock.RandomAccess;
}
