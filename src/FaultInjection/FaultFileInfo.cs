using System.IO.Abstractions;
using System.Runtime.Versioning;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IFileInfo"/> of a <see cref="FaultFileSystem"/>: <see cref="Length"/> and every open,
/// copy, move, delete and replace go through the simulation; names, attributes and times come from
/// the inner file system's info object.
/// </summary>
internal sealed class FaultFileInfo(FaultFileSystem fileSystem, IFileInfo inner) : FaultFileSystemInfo, IFileInfo
{
    // Replaced after MoveTo, which (like FileInfo.MoveTo) repoints this object at the new name.
    private IFileInfo _inner = inner;

    public IFileSystem FileSystem => fileSystem;

    public IDirectoryInfo? Directory => _inner.Directory is { } directory ? new FaultDirectoryInfo(fileSystem, directory) : null;

    public string? DirectoryName => _inner.DirectoryName;

    public bool IsReadOnly
    {
        get => _inner.IsReadOnly;
        set => _inner.IsReadOnly = value;
    }

    // The inner file keeps stale bytes once simulated; the simulation knows the real length.
    public long Length => fileSystem.SimulatedLength(_inner.FullName) ?? _inner.Length;

    protected override IFileSystemInfo Inner => _inner;

    public StreamWriter AppendText() => fileSystem.File.AppendText(FullName);

    public IFileInfo CopyTo(string destFileName) => CopyTo(destFileName, overwrite: false);

    public IFileInfo CopyTo(string destFileName, bool overwrite)
    {
        fileSystem.Names.CopyFile(FullName, destFileName, overwrite);
        return fileSystem.FileInfo.New(destFileName);
    }

    public FileSystemStream Create() => fileSystem.File.Create(FullName);

    public void CreateAsSymbolicLink(string pathToTarget) => _inner.CreateAsSymbolicLink(pathToTarget);

    public StreamWriter CreateText() => fileSystem.File.CreateText(FullName);

    [SupportedOSPlatform("windows")]
    public void Decrypt() => _inner.Decrypt();

    public void Delete()
    {
        fileSystem.Names.DeleteFile(FullName);
        _inner.Refresh();
    }

    [SupportedOSPlatform("windows")]
    public void Encrypt() => _inner.Encrypt();

    public void MoveTo(string destFileName) => MoveTo(destFileName, overwrite: false);

    public void MoveTo(string destFileName, bool overwrite)
    {
        fileSystem.Names.MoveFile(FullName, destFileName, overwrite);
        _inner = fileSystem.Inner.FileInfo.New(destFileName);
    }

    public FileSystemStream Open(FileMode mode) => fileSystem.File.Open(FullName, mode);

    public FileSystemStream Open(FileMode mode, FileAccess access) => fileSystem.File.Open(FullName, mode, access);

    public FileSystemStream Open(FileMode mode, FileAccess access, FileShare share) => fileSystem.File.Open(FullName, mode, access, share);

    public FileSystemStream Open(FileStreamOptions options) => fileSystem.File.Open(FullName, options);

    public FileSystemStream OpenRead() => fileSystem.File.OpenRead(FullName);

    public StreamReader OpenText() => fileSystem.File.OpenText(FullName);

    public FileSystemStream OpenWrite() => fileSystem.File.OpenWrite(FullName);

    public void Refresh() => _inner.Refresh();

    public IFileInfo Replace(string destinationFileName, string? destinationBackupFileName) =>
        Replace(destinationFileName, destinationBackupFileName, ignoreMetadataErrors: false);

    public IFileInfo Replace(string destinationFileName, string? destinationBackupFileName, bool ignoreMetadataErrors)
    {
        fileSystem.Names.ReplaceFile(FullName, destinationFileName, destinationBackupFileName, ignoreMetadataErrors);
        return fileSystem.FileInfo.New(destinationFileName);
    }

    public IFileSystemInfo? ResolveLinkTarget(bool returnFinalTarget) => _inner.ResolveLinkTarget(returnFinalTarget);

    public override string ToString() => _inner.ToString() ?? FullName;
}
