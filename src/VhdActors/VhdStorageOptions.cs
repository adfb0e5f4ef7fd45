using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>Settings of the image actors and the <see cref="IDiskStore"/> facade.</summary>
public sealed record VhdStorageOptions
{
    /// <summary>
    /// The file system images live on. Null: the one registered in the service container, else
    /// the real <see cref="FileSystem"/>. Supply a MockFileSystem or a fault-injecting one in tests.
    /// </summary>
    public IFileSystem? FileSystem { get; init; }

    /// <summary>How images and their parents are opened (allowed parent root, chain depth; <c>ForceShare</c> applies to read-only opens only).</summary>
    public VhdOpenOptions? OpenOptions { get; init; }

    /// <summary>
    /// An image that receives no request for this long is flushed and its actor stops; the image
    /// itself stays open and locked (DESIGN.md §10: ownership lasts until the last handle is
    /// disposed), and the next request starts a new actor over it. Null: never.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The clock inline requests are timed by, so that an image busy only with inline I/O (which
    /// sends its actor no message) is not closed as idle. Tests supply a manual one to make that
    /// decision independent of thread scheduling.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Restarts (each reopening the image) allowed within <see cref="RestartWindow"/> before the actor stops for good.</summary>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>The window in which <see cref="MaxRestarts"/> counts.</summary>
    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Requests one image may have in flight through the facade; further callers wait
    /// (asynchronously). This is the back-pressure that keeps a flood of writes from filling
    /// the actor's (unbounded) mailbox with buffers.
    /// </summary>
    public int MaxInFlightPerImage { get; init; } = 32;

    /// <summary>
    /// Reads and writes through <see cref="IDisk"/> run on the caller's thread, on the disk the
    /// image's actor lends the facade (<c>DiskLease</c>), instead of as messages (writes only where
    /// they allocate nothing: allocation stays with the actor): no thread hop, a
    /// 4 KiB request costs about what the engine call does. The actor still opens, flushes,
    /// closes, restarts and reopens the image and revokes the lease before each of those; errors,
    /// spans and metrics are the same, and flush always goes to the actor. Only for images whose
    /// actor runs in this process (a shard on another node keeps to messages). Set it to false to
    /// keep every byte of I/O on the I/O dispatcher (callers then never block on the file).
    /// </summary>
    public bool InlineIo { get; init; } = true;

    /// <summary>
    /// Last-resort bound on waiting for a reply. Every request is answered (a result or a
    /// failure), so this only matters if the actor system itself is gone. Null: wait forever.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The dispatcher image actors run on (defined by the library's default HOCON; override it there).</summary>
    public string Dispatcher { get; init; } = VhdActorsConfig.DispatcherName;

    /// <summary>Name of the <see cref="ImageManager"/> actor.</summary>
    public string ManagerName { get; init; } = "vhd-images";

    /// <summary>Name of the ActorSystem that <c>AddVhdStorage</c> starts when the application has none.</summary>
    public string ActorSystemName { get; init; } = "vhd-storage";

    /// <summary>Extra HOCON for the ActorSystem that <c>AddVhdStorage</c> starts (it takes precedence over the defaults).</summary>
    public string? AkkaConfig { get; init; }
}
