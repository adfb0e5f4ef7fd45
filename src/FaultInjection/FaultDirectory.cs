using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IDirectory"/> of a <see cref="FaultFileSystem"/>: delete and move also update the
/// simulated files under the directory; every other member asks the inner file system, which
/// holds the names.
/// </summary>
internal sealed class FaultDirectory(FaultFileSystem fileSystem) : IDirectory
{
    private IDirectory Inner => fileSystem.Inner.Directory;

    public IFileSystem FileSystem => fileSystem;

    public IDirectoryInfo CreateDirectory(string path) => Wrap(Inner.CreateDirectory(path));

    public IDirectoryInfo CreateDirectory(string path, UnixFileMode unixCreateMode) => Wrap(Inner.CreateDirectory(path, unixCreateMode));

    public IFileSystemInfo CreateSymbolicLink(string path, string pathToTarget) => Inner.CreateSymbolicLink(path, pathToTarget);

    public IDirectoryInfo CreateTempSubdirectory(string? prefix = null) => Wrap(Inner.CreateTempSubdirectory(prefix));

    public void Delete(string path) => fileSystem.Names.DeleteDirectory(path, recursive: false);

    public void Delete(string path, bool recursive) => fileSystem.Names.DeleteDirectory(path, recursive);

    public IEnumerable<string> EnumerateDirectories(string path) => Inner.EnumerateDirectories(path);

    public IEnumerable<string> EnumerateDirectories(string path, string searchPattern) => Inner.EnumerateDirectories(path, searchPattern);

    public IEnumerable<string> EnumerateDirectories(string path, string searchPattern, SearchOption searchOption) => Inner.EnumerateDirectories(path, searchPattern, searchOption);

    public IEnumerable<string> EnumerateDirectories(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.EnumerateDirectories(path, searchPattern, enumerationOptions);

    public IEnumerable<string> EnumerateFiles(string path) => Inner.EnumerateFiles(path);

    public IEnumerable<string> EnumerateFiles(string path, string searchPattern) => Inner.EnumerateFiles(path, searchPattern);

    public IEnumerable<string> EnumerateFiles(string path, string searchPattern, SearchOption searchOption) => Inner.EnumerateFiles(path, searchPattern, searchOption);

    public IEnumerable<string> EnumerateFiles(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.EnumerateFiles(path, searchPattern, enumerationOptions);

    public IEnumerable<string> EnumerateFileSystemEntries(string path) => Inner.EnumerateFileSystemEntries(path);

    public IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern) => Inner.EnumerateFileSystemEntries(path, searchPattern);

    public IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern, SearchOption searchOption) => Inner.EnumerateFileSystemEntries(path, searchPattern, searchOption);

    public IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.EnumerateFileSystemEntries(path, searchPattern, enumerationOptions);

    public bool Exists(string? path) => Inner.Exists(path);

    public DateTime GetCreationTime(string path) => Inner.GetCreationTime(path);

    public DateTime GetCreationTimeUtc(string path) => Inner.GetCreationTimeUtc(path);

    public string GetCurrentDirectory() => Inner.GetCurrentDirectory();

    public string[] GetDirectories(string path) => Inner.GetDirectories(path);

    public string[] GetDirectories(string path, string searchPattern) => Inner.GetDirectories(path, searchPattern);

    public string[] GetDirectories(string path, string searchPattern, SearchOption searchOption) => Inner.GetDirectories(path, searchPattern, searchOption);

    public string[] GetDirectories(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.GetDirectories(path, searchPattern, enumerationOptions);

    public string GetDirectoryRoot(string path) => Inner.GetDirectoryRoot(path);

    public string[] GetFiles(string path) => Inner.GetFiles(path);

    public string[] GetFiles(string path, string searchPattern) => Inner.GetFiles(path, searchPattern);

    public string[] GetFiles(string path, string searchPattern, SearchOption searchOption) => Inner.GetFiles(path, searchPattern, searchOption);

    public string[] GetFiles(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.GetFiles(path, searchPattern, enumerationOptions);

    public string[] GetFileSystemEntries(string path) => Inner.GetFileSystemEntries(path);

    public string[] GetFileSystemEntries(string path, string searchPattern) => Inner.GetFileSystemEntries(path, searchPattern);

    public string[] GetFileSystemEntries(string path, string searchPattern, SearchOption searchOption) => Inner.GetFileSystemEntries(path, searchPattern, searchOption);

    public string[] GetFileSystemEntries(string path, string searchPattern, EnumerationOptions enumerationOptions) => Inner.GetFileSystemEntries(path, searchPattern, enumerationOptions);

    public DateTime GetLastAccessTime(string path) => Inner.GetLastAccessTime(path);

    public DateTime GetLastAccessTimeUtc(string path) => Inner.GetLastAccessTimeUtc(path);

    public DateTime GetLastWriteTime(string path) => Inner.GetLastWriteTime(path);

    public DateTime GetLastWriteTimeUtc(string path) => Inner.GetLastWriteTimeUtc(path);

    public string[] GetLogicalDrives() => Inner.GetLogicalDrives();

    public IDirectoryInfo? GetParent(string path) => Inner.GetParent(path) is { } parent ? Wrap(parent) : null;

    public void Move(string sourceDirName, string destDirName) => fileSystem.Names.MoveDirectory(sourceDirName, destDirName);

    public IFileSystemInfo? ResolveLinkTarget(string linkPath, bool returnFinalTarget) => Inner.ResolveLinkTarget(linkPath, returnFinalTarget);

    public void SetCreationTime(string path, DateTime creationTime) => Inner.SetCreationTime(path, creationTime);

    public void SetCreationTimeUtc(string path, DateTime creationTimeUtc) => Inner.SetCreationTimeUtc(path, creationTimeUtc);

    public void SetCurrentDirectory(string path) => Inner.SetCurrentDirectory(path);

    public void SetLastAccessTime(string path, DateTime lastAccessTime) => Inner.SetLastAccessTime(path, lastAccessTime);

    public void SetLastAccessTimeUtc(string path, DateTime lastAccessTimeUtc) => Inner.SetLastAccessTimeUtc(path, lastAccessTimeUtc);

    public void SetLastWriteTime(string path, DateTime lastWriteTime) => Inner.SetLastWriteTime(path, lastWriteTime);

    public void SetLastWriteTimeUtc(string path, DateTime lastWriteTimeUtc) => Inner.SetLastWriteTimeUtc(path, lastWriteTimeUtc);

    private FaultDirectoryInfo Wrap(IDirectoryInfo info) => new(fileSystem, info);
}
