namespace Storage.FaultInjection;

/// <summary>
/// The names of a file system as a crash model sees them: durable names and pending name changes,
/// with files as indexes into the model's file list. Built for one model and never changed.
/// </summary>
/// <param name="Durable">Full path to file index, as of the last fsync of each directory.</param>
/// <param name="Pending">Name changes since, in order, each with the index of the file it names.</param>
internal sealed record NameSnapshot(IReadOnlyDictionary<string, int> Durable, IReadOnlyList<(NameOperation Op, int File)> Pending);
