using System.IO.Abstractions;
using Akka.Actor;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// The <see cref="IDiskStore"/> facade over an <see cref="ImageManager"/> (or anything that routes
/// image requests like one, e.g. a shard region): turns calls into messages, replies into results,
/// and <c>Status.Failure</c> into the exception the actor reported. Each call has its own "vhd.*"
/// span whose context travels in the message, so the actor's span is its child.
/// </summary>
internal sealed partial class DiskStore : IDiskStore
{
    private readonly Func<CancellationToken, Task<IActorRef>> _router;
    private readonly Dictionary<string, StoreImage> _images = new(StringComparer.Ordinal);
    private readonly Lock _imagesGate = new();
    private IActorRef? _resolved;

    public DiskStore(Func<CancellationToken, Task<IActorRef>> router, IFileSystem fileSystem, VhdStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightPerImage, 1);
        _router = router;
        FileSystem = fileSystem;
        Options = options;
    }

    public DiskStore(IActorRef router, IFileSystem fileSystem, VhdStorageOptions options)
        : this(_ => Task.FromResult(router), fileSystem, options)
    {
        _resolved = router;
    }

    /// <summary>Starts an <see cref="ImageManager"/> in <paramref name="system"/> and returns a facade over it.</summary>
    public static DiskStore Start(ActorSystem system, VhdStorageOptions options, IFileSystem? fileSystem = null)
    {
        var fs = fileSystem ?? options.FileSystem ?? new FileSystem();
        return new DiskStore(StartManager(system, options, fs), fs, options);
    }

    /// <summary>Starts the manager, adding the library's default HOCON as a fallback if the system lacks the I/O dispatcher.</summary>
    public static IActorRef StartManager(ActorSystem system, VhdStorageOptions options, IFileSystem fs)
    {
        EnsureConfig(system, options);
        return system.ActorOf(ImageManager.Props(fs, options), options.ManagerName);
    }

    public static void EnsureConfig(ActorSystem system, VhdStorageOptions options)
    {
        if (!system.Dispatchers.HasDispatcher(options.Dispatcher))
            system.Settings.InjectTopLevelFallback(VhdActorsConfig.Default);
    }

    public IFileSystem FileSystem { get; }

    /// <summary>The store's settings (a private copy).</summary>
    public VhdStorageOptions Options { get; }

    public async Task<IDisk> OpenAsync(string path, FileAccess access = FileAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        var operation = Operation.Start("vhd.open", full, System.Diagnostics.ActivityKind.Client);
        operation.Activity?.SetTag("vhd.open.mode", access == FileAccess.Read ? "read" : "readwrite");
        var opened = await RequestAsync<ImageOpened>(new OpenImage(full, access, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        return Handle(opened, access != FileAccess.Read);
    }

    public async Task<IDisk> CreateAsync(string path, VhdCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string full = FullPath(path);
        var operation = Operation.Start("vhd.open", full, System.Diagnostics.ActivityKind.Client);
        operation.Activity?.SetTag("vhd.open.mode", "create");
        var opened = await RequestAsync<ImageOpened>(new CreateImage(full, options, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        return Handle(opened, writable: true);
    }

    public async Task SnapshotAsync(string imagePath, string childPath, CancellationToken cancellationToken = default)
    {
        string parent = FullPath(imagePath, nameof(imagePath));
        string child = FullPath(childPath, nameof(childPath));
        var operation = Operation.Start("vhd.snapshot", child, System.Diagnostics.ActivityKind.Client);
        operation.Activity?.SetTag("vhd.parent", parent);
        // The new child stays open, owned by this store (DESIGN.md §10): the handle the caller opens
        // next takes it over with no moment in which another writer could take it; closing that
        // handle, or the store stopping, lets go of it.
        await RequestAsync<ImageOpened>(new SnapshotImage(child, parent, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        lock (_imagesGate)
        {
            if (_images.TryGetValue(parent, out var frozen)) frozen.Frozen = true;
        }
    }

    public Task<long> CommitAsync(string childPath, bool keepChild = false, CancellationToken cancellationToken = default) =>
        CommitAsync(childPath, new CommitOptions { KeepChild = keepChild }, cancellationToken);

    public async Task<long> CommitAsync(string childPath, CommitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string child = FullPath(childPath, nameof(childPath));
        var operation = Operation.Start("vhd.commit", child, System.Diagnostics.ActivityKind.Client);
        // Opening the child names its parent; the manager then closes both before merging.
        var opened = await RequestAsync<ImageOpened>(new OpenImage(child, FileAccess.Read, operation.Context, cancellationToken), Operation.Start("vhd.open", child), cancellationToken).ConfigureAwait(false);
        if (opened.Chain.Count < 2)
        {
            if (HandleCount(child) == 0)
                await RequestAsync<ImageAck>(new CloseImage(child, operation.Context), Operation.Start("vhd.flush", child), CancellationToken.None).ConfigureAwait(false);
            throw operation.Fail(new VhdException($"{child}: not a differencing image; there is no parent to commit into"), child);
        }
        operation.Activity?.SetTag("vhd.parent", opened.Chain[1]);
        var done = await RequestAsync<ImageCommitted>(new CommitImage(child, opened.Chain[1], options.KeepChild, operation.Context, cancellationToken, options.Force), operation, cancellationToken).ConfigureAwait(false);
        return done.BytesCopied;
    }

    public async Task<CompactResult> CompactAsync(string path, bool force = false, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        var operation = Operation.Start("vhd.compact", full, System.Diagnostics.ActivityKind.Client);
        // As CommitAsync: an image open here is flushed and closed by the manager first; its handles reopen it afterwards.
        return await RequestAsync<CompactResult>(new CompactImage(full, force, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> ResizeAsync(string path, long size, bool allowShrink = false, bool force = false, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var operation = Operation.Start("vhd.resize", full, System.Diagnostics.ActivityKind.Client);
        operation.Activity?.SetTag("vhd.size", size);
        var done = await RequestAsync<ImageResized>(new ResizeImage(full, size, allowShrink, force, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        return done.Size;
    }

    public async Task<DiskInfo> GetInfoAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        var operation = Operation.Start("vhd.info", full, System.Diagnostics.ActivityKind.Client);
        // Opened read-only unless this store has it open already; closed again if no handle has it.
        await RequestAsync<ImageOpened>(new OpenImage(full, FileAccess.Read, operation.Context, cancellationToken), Operation.Start("vhd.open", full), cancellationToken).ConfigureAwait(false);
        try
        {
            return await RequestAsync<DiskInfo>(new QueryInfo(full, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (HandleCount(full) == 0)
                await RequestAsync<ImageAck>(new CloseImage(full, operation.Context), Operation.Start("vhd.flush", full), CancellationToken.None).ConfigureAwait(false);
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        if (cancellationToken.IsCancellationRequested) return Task.FromException<bool>(VhdErrors.Cancelled(full, cancellationToken));
        return Task.FromResult(HandleCount(full) > 0 || FileSystem.File.Exists(full));
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = FullPath(path);
        var operation = Operation.Start("vhd.delete", full, System.Diagnostics.ActivityKind.Client);
        if (HandleCount(full) > 0)
            throw operation.Fail(new VhdImageInUseException(full, forWriting: true, "open through this store; dispose its handles first"), full);
        await RequestAsync<ImageAck>(new DeleteImage(full, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    private string FullPath(string path, string name = "path")
    {
        ArgumentException.ThrowIfNullOrEmpty(path, name);
        return FileSystem.Path.GetFullPath(path);
    }

    private DiskHandle Handle(ImageOpened opened, bool writable)
    {
        StoreImage image;
        lock (_imagesGate)
        {
            if (!_images.TryGetValue(opened.Path, out image!))
                _images[opened.Path] = image = new StoreImage(opened.Path, Options.MaxInFlightPerImage);
            image.Handles++;
        }
        return new DiskHandle(this, image, opened, writable && opened.Writable);
    }

    private int HandleCount(string path)
    {
        lock (_imagesGate) return _images.TryGetValue(path, out var image) ? image.Handles : 0;
    }

    /// <summary>Drops one handle; the last one out flushes and closes the image, and the store forgets it.</summary>
    public async Task ReleaseAsync(StoreImage image)
    {
        lock (_imagesGate)
        {
            if (--image.Handles > 0) return;
            _images.Remove(image.Path);
        }
        var operation = Operation.Start("vhd.flush", image.Path, System.Diagnostics.ActivityKind.Client);
        operation.Activity?.SetTag("vhd.close", true);
        await RequestAsync<ImageAck>(new CloseImage(image.Path, operation.Context), operation, CancellationToken.None).ConfigureAwait(false);
    }
}
