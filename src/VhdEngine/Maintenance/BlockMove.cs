namespace Storage.VhdEngine.Maintenance;

/// <summary>One block (bitmap and data) a compaction moves from file offset <paramref name="From"/> down to <paramref name="To"/>.</summary>
internal readonly record struct BlockMove(long Block, long From, long To);
