namespace Storage.Samples.ClusterNode;

/// <summary>A node's HOST:PORT, as the command line gives it.</summary>
public sealed record NodeAddress(string Host, int Port)
{
    /// <exception cref="FormatException">Not HOST:PORT with a port from 1 to 65535.</exception>
    public static NodeAddress Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out int port) || port is < 1 or > 65535)
            throw new FormatException($"'{text}' is not HOST:PORT (e.g. 127.0.0.1:4053)");
        return new NodeAddress(text[..colon], port);
    }

    /// <summary>The node's Akka address in the ActorSystem <paramref name="system"/> (the same name on every node).</summary>
    public string AkkaAddress(string system) => $"akka.tcp://{system}@{Host}:{Port}";
}
