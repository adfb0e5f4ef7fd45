using Storage.VhdEngine;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Abstractions;
using Akka.Actor;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// The <see cref="IDiskStore"/> facade over an <see cref="ImageManager"/> (or a shard region of
/// <see cref="ImageEntity"/>): turns calls into messages, replies into results, and
/// <c>Status.Failure</c> into exceptions. Each call has its own "vhd.*" span whose context
/// travels in the message, so the actor's span is its child.
/// </summary>
public sealed class DiskStore : IDiskStore
{
    private readonly Func<CancellationToken, Task<IActorRef>> _router;
    private readonly VhdStorageOptions _options;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _limiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _handles = new(StringComparer.Ordinal);
    private readonly Lock _handlesGate = new();

    /// <summary>A facade over <paramref name="router"/>: an <see cref="ImageManager"/> or an image shard region.</summary>
    public DiskStore(IActorRef router, IFileSystem fileSystem, VhdStorageOptions? options = null)
        : this(_ => Task.FromResult(router), fileSystem, options ?? new VhdStorageOptions())
    {
        ArgumentNullException.ThrowIfNull(router);
    }

    internal DiskStore(Func<CancellationToken, Task<IActorRef>> router, IFileSystem fileSystem, VhdStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightPerImage, 1);
        _router = router;
        FileSystem = fileSystem;
        _options = options;
    }

    /// <summary>
    /// Starts an <see cref="ImageManager"/> in <paramref name="system"/> (adding the library's
    /// default HOCON as a fallback if the system lacks the I/O dispatcher) and returns a facade over it.
    /// </summary>
    public static DiskStore Start(ActorSystem system, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= new VhdStorageOptions();
        var manager = StartManager(system, options, options.FileSystem ?? new FileSystem(), out var fs);
        return new DiskStore(manager, fs, options);
    }

    internal static IActorRef StartManager(ActorSystem system, VhdStorageOptions options, IFileSystem fs, out IFileSystem used)
    {
        EnsureConfig(system, options);
        used = fs;
        return system.ActorOf(ImageManager.Props(fs, options), options.ManagerName);
    }

    internal static void EnsureConfig(ActorSystem system, VhdStorageOptions options)
    {
        if (!system.Dispatchers.HasDispatcher(options.Dispatcher))
            system.Settings.InjectTopLevelFallback(VhdActorsConfig.Default);
    }

    /// <inheritdoc />
    public IFileSystem FileSystem { get; }

    /// <summary>Handles run reads and writes under the image actor's lease (<see cref="VhdStorageOptions.InlineIo"/>).</summary>
    internal bool InlineIo => _options.InlineIo;

    /// <inheritdoc />
    public async Task<IDisk> OpenAsync(string path, FileAccess access = FileAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = FileSystem.Path.GetFullPath(path);
        using var activity = StartSpan("vhd.open", full);
        activity?.SetTag("vhd.open.mode", access == FileAccess.Read ? "read" : "readwrite");
        var opened = await RequestAsync<ImageOpened>(new OpenImage(full, access, Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        return Handle(opened, access != FileAccess.Read);
    }

    /// <inheritdoc />
    public async Task<IDisk> CreateAsync(string path, VhdCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        string full = FileSystem.Path.GetFullPath(path);
        using var activity = StartSpan("vhd.open", full);
        activity?.SetTag("vhd.open.mode", "create");
        var opened = await RequestAsync<ImageOpened>(new CreateImage(full, options, Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        return Handle(opened, writable: true);
    }

    /// <inheritdoc />
    public async Task SnapshotAsync(string imagePath, string childPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(childPath);
        string parent = FileSystem.Path.GetFullPath(imagePath);
        string child = FileSystem.Path.GetFullPath(childPath);
        using var activity = StartSpan("vhd.snapshot", child);
        activity?.SetTag("vhd.parent", parent);
        // The new child stays open, owned by this store (DESIGN.md §10): the handle the caller opens
        // next takes it over with no moment in which another writer could take it; closing that
        // handle, or the store stopping, lets go of it.
        await RequestAsync<ImageOpened>(new SnapshotImage(child, parent, Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> CommitAsync(string childPath, bool keepChild = false, CancellationToken cancellationToken = default) =>
        CommitAsync(childPath, new CommitOptions { KeepChild = keepChild }, cancellationToken);

    /// <inheritdoc />
    public async Task<long> CommitAsync(string childPath, CommitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(childPath);
        ArgumentNullException.ThrowIfNull(options);
        string child = FileSystem.Path.GetFullPath(childPath);
        using var activity = StartSpan("vhd.commit", child);
        // Opening the child names its parent; the manager then closes both before merging.
        var opened = await RequestAsync<ImageOpened>(new OpenImage(child, FileAccess.Read, Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        if (opened.Chain.Count < 2)
        {
            if (HandleCount(child) == 0)
                await RequestAsync<ImageAck>(new CloseImage(child, Context(activity)), activity, CancellationToken.None).ConfigureAwait(false);
            throw Fail(activity, new VhdException($"{child}: not a differencing image; there is no parent to commit into"));
        }
        activity?.SetTag("vhd.parent", opened.Chain[1]);
        var done = await RequestAsync<ImageCommitted>(new CommitImage(child, opened.Chain[1], options.KeepChild, Context(activity), cancellationToken, options.Force), activity, cancellationToken).ConfigureAwait(false);
        return done.BytesCopied;
    }

    internal async Task<T> RequestAsync<T>(IImageRequest request, Activity? activity, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            var router = await _router(cancellationToken).ConfigureAwait(false);
            reply = await router.Ask<object>(request, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw new OperationCanceledException($"{request.Path}: cancelled", cancellationToken);
        }
        catch (AskTimeoutException e)
        {
            throw Fail(activity, new VhdException($"{request.Path}: no reply within {_options.RequestTimeout} (is the actor system running?)", e));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Fail(activity, VhdErrors.ForCaller(e, request.Path));
        }
        return reply switch
        {
            T result => result,
            Status.Failure failure => throw Fail(activity, VhdErrors.ForCaller(failure.Cause, request.Path)),
            _ => throw Fail(activity, new VhdException($"{request.Path}: unexpected reply {reply.GetType().Name}")),
        };
    }

    internal SemaphoreSlim Limiter(string path) => _limiters.GetOrAdd(path, _ => new SemaphoreSlim(_options.MaxInFlightPerImage));

    internal static Activity? StartSpan(string name, string path)
    {
        var activity = VhdTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client);
        activity?.SetTag("vhd.image", path);
        return activity;
    }

    internal static ActivityContext Context(Activity? activity) => activity?.Context ?? Activity.Current?.Context ?? default;

    internal static VhdException Fail(Activity? activity, VhdException error)
    {
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        activity?.AddException(error);
        return error;
    }

    private DiskHandle Handle(ImageOpened opened, bool writable)
    {
        lock (_handlesGate) _handles[opened.Path] = _handles.GetValueOrDefault(opened.Path) + 1;
        return new DiskHandle(this, opened, writable && opened.Writable);
    }

    private int HandleCount(string path)
    {
        lock (_handlesGate) return _handles.GetValueOrDefault(path);
    }

    /// <summary>Drops one handle; the last one out flushes and closes the image.</summary>
    internal async Task ReleaseAsync(string path)
    {
        lock (_handlesGate)
        {
            int left = _handles.GetValueOrDefault(path) - 1;
            if (left > 0) { _handles[path] = left; return; }
            _handles.Remove(path);
        }
        using var activity = StartSpan("vhd.flush", path);
        activity?.SetTag("vhd.close", true);
        await RequestAsync<ImageAck>(new CloseImage(path, Context(activity)), activity, CancellationToken.None).ConfigureAwait(false);
    }
}
