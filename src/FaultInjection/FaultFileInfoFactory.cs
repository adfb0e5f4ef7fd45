using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary><see cref="IFileInfoFactory"/> of a <see cref="FaultFileSystem"/>: hands out <see cref="FaultFileInfo"/>s so lengths and opens go through the simulation.</summary>
internal sealed class FaultFileInfoFactory(FaultFileSystem fileSystem) : IFileInfoFactory
{
    public IFileSystem FileSystem => fileSystem;

    public IFileInfo New(string fileName) => new FaultFileInfo(fileSystem, fileSystem.Inner.FileInfo.New(fileName));

    public IFileInfo? Wrap(FileInfo? fileInfo) =>
        fileSystem.Inner.FileInfo.Wrap(fileInfo) is { } inner ? new FaultFileInfo(fileSystem, inner) : null;
}
