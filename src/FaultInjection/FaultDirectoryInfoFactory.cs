using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary><see cref="IDirectoryInfoFactory"/> of a <see cref="FaultFileSystem"/>: hands out <see cref="FaultDirectoryInfo"/>s.</summary>
internal sealed class FaultDirectoryInfoFactory(FaultFileSystem fileSystem) : IDirectoryInfoFactory
{
    public IFileSystem FileSystem => fileSystem;

    public IDirectoryInfo New(string path) => new FaultDirectoryInfo(fileSystem, fileSystem.Inner.DirectoryInfo.New(path));

    public IDirectoryInfo? Wrap(DirectoryInfo? directoryInfo) =>
        fileSystem.Inner.DirectoryInfo.Wrap(directoryInfo) is { } inner ? new FaultDirectoryInfo(fileSystem, inner) : null;
}
