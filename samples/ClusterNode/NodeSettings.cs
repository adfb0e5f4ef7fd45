namespace Storage.Samples.ClusterNode;

/// <summary>The shared directory, and this node's name (its own image is named after it).</summary>
public sealed record NodeSettings(string Directory, string Name);
