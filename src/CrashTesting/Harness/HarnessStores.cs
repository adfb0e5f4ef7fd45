using System.IO.Abstractions;
using Akka.Actor;
using Akka.Configuration;
using Storage.VhdActors;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// The actor system of a run (the caller's, or one started for it) and the stores in it: one for the
/// workload, one per verified state, each with its own image manager, stopped (its images closed) when done.
/// </summary>
internal sealed class HarnessStores : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static long s_next;
    private readonly bool _owned;
    private readonly VhdStorageOptions _options;

    private HarnessStores(ActorSystem system, bool owned, VhdStorageOptions? options)
    {
        System = system;
        _owned = owned;
        // Idle closing would add crash points that depend on timing.
        _options = (options ?? new VhdStorageOptions()) with { IdleTimeout = null };
    }

    public ActorSystem System { get; }

    public static HarnessStores Start(CrashTestOptions options)
    {
        if (options.ActorSystem is { } system) return new HarnessStores(system, owned: false, options.Storage);
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            """);
        return new HarnessStores(ActorSystem.Create("crashtest", config), owned: true, options.Storage);
    }

    /// <summary>A store over <paramref name="fileSystem"/> with a manager of its own; <see cref="StopAsync"/> it with the returned name.</summary>
    public (IDiskStore Store, string Manager) Open(IFileSystem fileSystem)
    {
        string name = "crashtest-" + Interlocked.Increment(ref s_next).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
        var store = VhdStorage.Start(System, _options with { FileSystem = fileSystem, ManagerName = name });
        return (store, name);
    }

    /// <summary>Stops a store's manager: its image actors flush and close their images.</summary>
    public async Task StopAsync(string manager)
    {
        try
        {
            var actor = await System.ActorSelection("/user/" + manager).ResolveOne(StopTimeout).ConfigureAwait(false);
            await actor.GracefulStop(StopTimeout).ConfigureAwait(false);
        }
        catch (ActorNotFoundException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned) await System.Terminate().ConfigureAwait(false);
    }
}
