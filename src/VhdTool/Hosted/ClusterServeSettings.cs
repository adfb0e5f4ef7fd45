namespace Storage.VhdTool.Hosted;

/// <summary>
/// `vhd serve --cluster`: this node's cluster address (HOST:PORT, what the other nodes dial), the seed
/// nodes it joins (this node alone when none), how long the Split Brain Resolver waits for the
/// membership to be stable before it downs unreachable nodes, and how many members must have joined
/// before any is up (so the first node does not take every image before the others arrive).
/// </summary>
internal sealed record ClusterServeSettings(string Host, int Port, IReadOnlyList<(string Host, int Port)> Seeds, TimeSpan StableAfter, int MinMembers = 1)
{
    /// <summary>The ActorSystem name, the same on every node (it is part of every node's address).</summary>
    public const string SystemName = "vhd";

    /// <summary>The seeds as Akka addresses; this node itself when none were given.</summary>
    public string[] SeedAddresses =>
        [.. (Seeds.Count > 0 ? Seeds : [(Host, Port)]).Select(s => $"akka.tcp://{SystemName}@{s.Host}:{s.Port}")];

    /// <summary>HOST:PORT (PORT 1 to 65535); null and why when it is not one.</summary>
    public static (string Host, int Port)? ParseNode(string option, string text, out string? error)
    {
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), out int port) && port is > 0 and <= 65535)
            return (text[..colon].Trim('[', ']'), port);
        error = $"bad value for {option}: '{text}' (expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:4053)";
        return null;
    }
}
