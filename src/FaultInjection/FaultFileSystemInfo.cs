using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// The <see cref="IFileSystemInfo"/> members that file and directory infos of a
/// <see cref="FaultFileSystem"/> pass straight to the inner file system's info object.
/// </summary>
internal abstract class FaultFileSystemInfo
{
    /// <summary>The inner info object (replaced after a move).</summary>
    protected abstract IFileSystemInfo Inner { get; }

    public FileAttributes Attributes
    {
        get => Inner.Attributes;
        set => Inner.Attributes = value;
    }

    public DateTime CreationTime
    {
        get => Inner.CreationTime;
        set => Inner.CreationTime = value;
    }

    public DateTime CreationTimeUtc
    {
        get => Inner.CreationTimeUtc;
        set => Inner.CreationTimeUtc = value;
    }

    public bool Exists => Inner.Exists;

    public string Extension => Inner.Extension;

    public string FullName => Inner.FullName;

    public DateTime LastAccessTime
    {
        get => Inner.LastAccessTime;
        set => Inner.LastAccessTime = value;
    }

    public DateTime LastAccessTimeUtc
    {
        get => Inner.LastAccessTimeUtc;
        set => Inner.LastAccessTimeUtc = value;
    }

    public DateTime LastWriteTime
    {
        get => Inner.LastWriteTime;
        set => Inner.LastWriteTime = value;
    }

    public DateTime LastWriteTimeUtc
    {
        get => Inner.LastWriteTimeUtc;
        set => Inner.LastWriteTimeUtc = value;
    }

    public string? LinkTarget => Inner.LinkTarget;

    public string Name => Inner.Name;

    public UnixFileMode UnixFileMode
    {
        get => Inner.UnixFileMode;

        set
        {
            // The guard satisfies the platform analyzer; the inner info throws the same way.
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("Unix file modes are not supported on Windows.");
            }

            Inner.UnixFileMode = value;
        }
    }
}
