using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// Settings of the store, its image actors and its handles. A store takes a copy when it starts:
/// changing an instance afterwards changes nothing. Bindable from configuration
/// (<c>services.Configure&lt;VhdStorageOptions&gt;(section)</c>) for the plain properties; <c>with</c>
/// makes a changed copy.
/// </summary>
public sealed record VhdStorageOptions
{
    /// <summary>
    /// The file system images live on. Null: the one registered in the service container, else
    /// the real <see cref="FileSystem"/>. Supply a MockFileSystem or a fault-injecting one in tests.
    /// </summary>
    public IFileSystem? FileSystem { get; set; }

    /// <summary>How images and their parents are opened (allowed parent root, chain depth; <c>ForceShare</c> applies to read-only opens only).</summary>
    public VhdOpenOptions? OpenOptions { get; set; }

    /// <summary>
    /// An image that receives no request for this long is flushed and its actor stops; the image
    /// itself stays open and locked (DESIGN.md §10: ownership lasts until the last handle is
    /// disposed), and the next request starts a new actor over it. Null: never.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The clock inline requests are timed by, so that an image busy only with inline I/O (which
    /// sends its actor no message) is not closed as idle.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Restarts (each reopening the image) allowed within <see cref="RestartWindow"/> before the actor stops for good.</summary>
    public int MaxRestarts { get; set; } = 3;

    /// <summary>The window in which <see cref="MaxRestarts"/> counts.</summary>
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Requests one image may have waiting at its actor through the store's handles; further callers
    /// wait (asynchronously). This is the back-pressure that keeps a flood of writes from filling the
    /// actor's (unbounded) mailbox with buffers. Inline requests do not count: they wait for nothing.
    /// </summary>
    public int MaxInFlightPerImage { get; set; } = 32;

    /// <summary>
    /// Reads, and writes into space the image has allocated already, run on the caller's thread, on
    /// the disk the image's actor lends the handles, instead of as messages: no thread hop, a 4 KiB
    /// request costs about what the engine call does. A write that would allocate a block or set bitmap
    /// bits is still a message, so the actor stays the only writer of allocation, bitmap and footer
    /// state; flushes and the image's lifecycle stay with the actor, which revokes the lease first.
    /// Only for images whose actor runs in this process (a shard on another node keeps to messages).
    /// False keeps every byte of I/O on the I/O dispatcher (callers then never block on the file).
    /// </summary>
    public bool InlineIo { get; set; } = true;

    /// <summary>
    /// Which reads, writes and allocation queries get spans ("vhd.read", "vhd.write", "vhd.allocation"),
    /// asked per request while a listener is attached, like Npgsql's tracing filter: return false to
    /// skip one. Null (the default): all of them. <c>_ =&gt; false</c> leaves only the lifecycle spans
    /// (open, flush, snapshot, commit, delete) and the engine's own (block allocation); a sampler such as
    /// <c>_ =&gt; Random.Shared.Next(100) == 0</c> keeps one in a hundred. The vhd.io.duration metric is
    /// recorded for every request either way.
    /// </summary>
    public Func<DiskRequest, bool>? TraceRequests { get; set; }

    /// <summary>
    /// Last-resort bound on waiting for a reply. Every request is answered (a result or a
    /// failure), so this only matters if the actor system itself is gone. Null: wait forever.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The dispatcher image actors run on (defined by the library's default HOCON; override it there).</summary>
    public string Dispatcher { get; set; } = VhdActorsConfig.DispatcherName;

    /// <summary>Name of the image manager actor.</summary>
    public string ManagerName { get; set; } = "vhd-images";

    /// <summary>Name of the ActorSystem that <c>AddVhdStorage</c> starts when the application has none.</summary>
    public string ActorSystemName { get; set; } = "vhd-storage";

    /// <summary>Extra HOCON for the ActorSystem that <c>AddVhdStorage</c> starts (it takes precedence over the defaults).</summary>
    public string? AkkaConfig { get; set; }

    /// <summary>The copy a store keeps.</summary>
    internal VhdStorageOptions Snapshot() => this with { };
}
