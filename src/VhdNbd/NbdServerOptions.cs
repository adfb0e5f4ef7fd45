using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Storage.VhdNbd;

/// <summary>Settings of an <see cref="NbdServer"/>.</summary>
public sealed record NbdServerOptions
{
    /// <summary>The IANA port for NBD.</summary>
    public const int DefaultPort = 10809;

    /// <summary>Where to listen (default 127.0.0.1:10809; port 0 picks a free one, see <see cref="NbdServer.EndPoint"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>
    /// How long <see cref="NbdServer.StopAsync"/> lets connections finish the requests they have
    /// received before it closes their sockets.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where connections are logged: opened, closed, and why a client was disconnected.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
