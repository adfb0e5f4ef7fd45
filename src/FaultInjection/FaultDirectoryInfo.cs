using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IDirectoryInfo"/> of a <see cref="FaultFileSystem"/>: delete and move go through the
/// simulation, and every file or directory info it returns is wrapped, so lengths stay coherent.
/// </summary>
internal sealed class FaultDirectoryInfo(FaultFileSystem fileSystem, IDirectoryInfo inner) : FaultFileSystemInfo, IDirectoryInfo
{
    // Replaced after MoveTo, which (like DirectoryInfo.MoveTo) repoints this object at the new name.
    private IDirectoryInfo _inner = inner;

    public IFileSystem FileSystem => fileSystem;

    public IDirectoryInfo? Parent => _inner.Parent is { } parent ? Wrap(parent) : null;

    public IDirectoryInfo Root => Wrap(_inner.Root);

    protected override IFileSystemInfo Inner => _inner;

    public void Create() => _inner.Create();

    public void CreateAsSymbolicLink(string pathToTarget) => _inner.CreateAsSymbolicLink(pathToTarget);

    public IDirectoryInfo CreateSubdirectory(string path) => Wrap(_inner.CreateSubdirectory(path));

    public void Delete() => Delete(recursive: false);

    public void Delete(bool recursive)
    {
        fileSystem.Names.DeleteDirectory(FullName, recursive);
        _inner.Refresh();
    }

    public IEnumerable<IDirectoryInfo> EnumerateDirectories() => _inner.EnumerateDirectories().Select(Wrap);

    public IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern) => _inner.EnumerateDirectories(searchPattern).Select(Wrap);

    public IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern, SearchOption searchOption) =>
        _inner.EnumerateDirectories(searchPattern, searchOption).Select(Wrap);

    public IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern, EnumerationOptions enumerationOptions) =>
        _inner.EnumerateDirectories(searchPattern, enumerationOptions).Select(Wrap);

    public IEnumerable<IFileInfo> EnumerateFiles() => _inner.EnumerateFiles().Select(Wrap);

    public IEnumerable<IFileInfo> EnumerateFiles(string searchPattern) => _inner.EnumerateFiles(searchPattern).Select(Wrap);

    public IEnumerable<IFileInfo> EnumerateFiles(string searchPattern, SearchOption searchOption) =>
        _inner.EnumerateFiles(searchPattern, searchOption).Select(Wrap);

    public IEnumerable<IFileInfo> EnumerateFiles(string searchPattern, EnumerationOptions enumerationOptions) =>
        _inner.EnumerateFiles(searchPattern, enumerationOptions).Select(Wrap);

    public IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos() => _inner.EnumerateFileSystemInfos().Select(fileSystem.Wrap);

    public IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern) =>
        _inner.EnumerateFileSystemInfos(searchPattern).Select(fileSystem.Wrap);

    public IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern, SearchOption searchOption) =>
        _inner.EnumerateFileSystemInfos(searchPattern, searchOption).Select(fileSystem.Wrap);

    public IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern, EnumerationOptions enumerationOptions) =>
        _inner.EnumerateFileSystemInfos(searchPattern, enumerationOptions).Select(fileSystem.Wrap);

    public IDirectoryInfo[] GetDirectories() => EnumerateDirectories().ToArray();

    public IDirectoryInfo[] GetDirectories(string searchPattern) => EnumerateDirectories(searchPattern).ToArray();

    public IDirectoryInfo[] GetDirectories(string searchPattern, SearchOption searchOption) => EnumerateDirectories(searchPattern, searchOption).ToArray();

    public IDirectoryInfo[] GetDirectories(string searchPattern, EnumerationOptions enumerationOptions) =>
        EnumerateDirectories(searchPattern, enumerationOptions).ToArray();

    public IFileInfo[] GetFiles() => EnumerateFiles().ToArray();

    public IFileInfo[] GetFiles(string searchPattern) => EnumerateFiles(searchPattern).ToArray();

    public IFileInfo[] GetFiles(string searchPattern, SearchOption searchOption) => EnumerateFiles(searchPattern, searchOption).ToArray();

    public IFileInfo[] GetFiles(string searchPattern, EnumerationOptions enumerationOptions) => EnumerateFiles(searchPattern, enumerationOptions).ToArray();

    public IFileSystemInfo[] GetFileSystemInfos() => EnumerateFileSystemInfos().ToArray();

    public IFileSystemInfo[] GetFileSystemInfos(string searchPattern) => EnumerateFileSystemInfos(searchPattern).ToArray();

    public IFileSystemInfo[] GetFileSystemInfos(string searchPattern, SearchOption searchOption) =>
        EnumerateFileSystemInfos(searchPattern, searchOption).ToArray();

    public IFileSystemInfo[] GetFileSystemInfos(string searchPattern, EnumerationOptions enumerationOptions) =>
        EnumerateFileSystemInfos(searchPattern, enumerationOptions).ToArray();

    public void MoveTo(string destDirName)
    {
        fileSystem.Names.MoveDirectory(FullName, destDirName);
        _inner = fileSystem.Inner.DirectoryInfo.New(destDirName);
    }

    public void Refresh() => _inner.Refresh();

    public IFileSystemInfo? ResolveLinkTarget(bool returnFinalTarget) => _inner.ResolveLinkTarget(returnFinalTarget);

    public override string ToString() => _inner.ToString() ?? FullName;

    private FaultDirectoryInfo Wrap(IDirectoryInfo info) => new(fileSystem, info);

    private FaultFileInfo Wrap(IFileInfo info) => new(fileSystem, info);
}
