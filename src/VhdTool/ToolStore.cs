using Storage.VhdEngine;
using Akka.Actor;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>
/// The data-path commands (create, read, write, snapshot, commit) run through the same
/// <see cref="IDiskStore"/> facade an embedding application uses: a local ActorSystem is started
/// for the command, the image is owned by its actor, and the system is shut down before the
/// tool exits (which flushes and closes every image still open).
/// </summary>
internal static class ToolStore
{
    /// <summary>
    /// Kept small so startup stays cheap: local provider (no remoting), no dead-letter chatter,
    /// Akka's logging away from stdout (see <see cref="ToolAkkaLogger"/>), no idle timers, and
    /// two I/O threads (the tool works on one image at a time).
    /// </summary>
    private const string Hocon = """
        akka {
          loglevel = WARNING
          stdout-loglevel = OFF
          loggers = ["Storage.VhdTool.ToolAkkaLogger, vhd"]
          log-config-on-start = off
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = local
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        vhd-io-dispatcher.dedicated-thread-pool.thread-count = 2
        """;

    private const int MinPoolThreads = 16;

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<Config> Config = new(() => ConfigurationFactory.ParseString(Hocon).WithFallback(VhdActorsConfig.Default));

    /// <summary>
    /// Starts an ActorSystem and a store on <see cref="ToolEnvironment.FileSystem"/>, runs
    /// <paramref name="body"/> (off the caller's synchronization context), and terminates the
    /// system whatever happened. Returns the body's exit code.
    /// </summary>
    public static int Run(ToolEnvironment env, Func<IDiskStore, CancellationToken, Task<int>> body) => Run(env, null, body);

    /// <summary>As <see cref="Run(ToolEnvironment, Func{IDiskStore, CancellationToken, Task{int}})"/>, opening images with <paramref name="openOptions"/>.</summary>
    public static int Run(ToolEnvironment env, VhdOpenOptions? openOptions, Func<IDiskStore, CancellationToken, Task<int>> body)
    {
        // Akka's startup blocks pool threads on work queued to the pool; with the default
        // minimum (one thread per core) each wait costs a thread-injection delay (~0.5 s on two
        // cores). A few more threads up front make startup CPU-bound again.
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        if (workers < MinPoolThreads) ThreadPool.SetMinThreads(MinPoolThreads, completionPorts);
        ActorSystem system;
        // Spans of their own, so the root span's start-up and shut-down time is accounted for.
        using (ToolTelemetry.Source.StartActivity("vhd actor-system start"))
            system = ActorSystem.Create("vhd", Config.Value);
        try
        {
            var store = DiskStore.Start(system, new VhdStorageOptions { FileSystem = env.FileSystem, IdleTimeout = null, OpenOptions = openOptions });
            // Task.Run: the continuations must not queue behind a blocked caller's context.
            return Task.Run(() => body(store, env.Cancellation)).GetAwaiter().GetResult();
        }
        finally
        {
            using (ToolTelemetry.Source.StartActivity("vhd actor-system stop"))
                system.Terminate().Wait(ShutdownTimeout);
        }
    }

    /// <summary>Opens <paramref name="path"/> through the store; a format error names the file, as <see cref="ImageFiles.Open"/> does.</summary>
    public static async Task<IDisk> OpenAsync(IDiskStore store, string path, FileAccess access, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenAsync(path, access, cancellationToken).ConfigureAwait(false);
        }
        catch (VhdFormatException e)
        {
            throw ImageFiles.WithPath(path, e, canIgnoreChecksums: access == FileAccess.Read);
        }
    }
}
