using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Storage.VhdActors;

namespace Storage.VhdNbd;

/// <summary>What every connection of one server shares.</summary>
/// <param name="Store">Where images are opened: every request goes through it.</param>
/// <param name="Catalog">The exports.</param>
/// <param name="Logger">Where connections are logged.</param>
/// <param name="Stopping">Fires when the server stops: connections stop reading requests and finish the ones they have.</param>
internal sealed record NbdServerContext(IDiskStore Store, NbdExportCatalog Catalog, ILogger Logger, CancellationToken Stopping)
{
    /// <summary>Exports whose image failed to flush or close when a connection let go of it.</summary>
    public ConcurrentQueue<string> CloseFailures { get; } = new();
}
