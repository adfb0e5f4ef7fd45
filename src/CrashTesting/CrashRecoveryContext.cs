using System.Globalization;
using System.IO.Abstractions;
using Storage.CrashTesting.Harness;
using Storage.VhdActors;

namespace Storage.CrashTesting;

/// <summary>
/// What a check gets for one crash state: a fresh store over the crashed files, and what was promised
/// at the crash point (the workload's acknowledgements, the writes and whether each was durable). A
/// check fails by throwing: <see cref="Fail"/>, <see cref="ExpectBytesAsync"/> and
/// <see cref="VerifyDurableWritesAsync"/> throw <see cref="CrashCheckException"/>, and any other
/// exception (an assertion library's) fails the state too.
/// </summary>
public sealed class CrashRecoveryContext
{
    private readonly Promises _promises;

    internal CrashRecoveryContext(IDiskStore store, IFileSystem fileSystem, string directory, string crashPoint, string state, Promises promises, CancellationToken cancellationToken)
    {
        Store = store;
        FileSystem = fileSystem;
        Directory = directory;
        CrashPoint = crashPoint;
        State = state;
        _promises = promises;
        CancellationToken = cancellationToken;
    }

    /// <summary>A store over the crashed files, as a restarted service would open them.</summary>
    public IDiskStore Store { get; }

    /// <summary>The crashed file system (every byte and name on it durable).</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>The workload's directory.</summary>
    public string Directory { get; }

    /// <summary>The crash point: <c>flush&lt;n&gt;</c> or <c>end</c>.</summary>
    public string CrashPoint { get; }

    /// <summary>The crash state (see <see cref="Storage.FaultInjection.CrashState"/>).</summary>
    public string State { get; }

    /// <summary>What the workload had acknowledged (<see cref="CrashTestContext.Acknowledge"/>) before the crash point, in order.</summary>
    public IReadOnlyList<string> Acknowledged => _promises.Acknowledged;

    /// <summary>Every write the workload (and its set-up) had started before the crash point, in order, each saying whether it was durable.</summary>
    public IReadOnlyList<DiskWrite> Writes => _promises.Writes;

    /// <summary>Cancelled when the run is.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The full path of <paramref name="name"/> in <see cref="Directory"/>.</summary>
    /// <param name="name">A file name.</param>
    /// <returns>The path.</returns>
    public string PathOf(string name) => FileSystem.Path.Combine(Directory, name);

    /// <summary>Fails this state.</summary>
    /// <param name="message">What is wrong.</param>
    /// <exception cref="CrashCheckException">Always.</exception>
    public void Fail(string message) => throw new CrashCheckException(message);

    /// <summary>Fails this state unless <paramref name="condition"/> holds.</summary>
    /// <param name="condition">What must hold.</param>
    /// <param name="message">What is wrong when it does not.</param>
    /// <exception cref="CrashCheckException">The condition is false.</exception>
    public void Check(bool condition, string message)
    {
        if (!condition) Fail(message);
    }

    /// <summary>
    /// Reads <paramref name="expected"/>.Length bytes of <paramref name="disk"/> at <paramref name="offset"/> and fails
    /// this state unless they are <paramref name="expected"/>; the sectors that differ go to the report, in hex.
    /// </summary>
    /// <param name="disk">An open disk of <see cref="Store"/>.</param>
    /// <param name="offset">Virtual disk offset.</param>
    /// <param name="expected">The bytes that must be there.</param>
    /// <param name="what">What they are, in the check's words (for the message).</param>
    /// <returns>A task that completes when they matched.</returns>
    /// <exception cref="CrashCheckException">They differ.</exception>
    public async Task ExpectBytesAsync(IDisk disk, long offset, ReadOnlyMemory<byte> expected, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        var actual = new byte[expected.Length];
        int read = await disk.ReadAsync(offset, actual, CancellationToken).ConfigureAwait(false);
        if (read == expected.Length && expected.Span.SequenceEqual(actual)) return;
        var mismatches = Differences(disk.Path, offset, expected.Span, actual, what);
        long first = mismatches.Count > 0 ? mismatches[0].Offset : offset;
        throw new CrashCheckException(
            string.Create(CultureInfo.InvariantCulture, $"{what ?? "the data"} reads wrong: {expected.Length} bytes at {offset} of {disk.Path}, {mismatches.Count} sector(s) differ from byte {first} on"),
            mismatches);
    }

    /// <summary>
    /// The built-in check of the store's promises: every image whose creation (or snapshot) returned
    /// exists and opens, every image whose removal (a commit) returned is gone, and every byte a durable
    /// write covers reads that write's value or a later write's (DESIGN.md §4). Workloads that keep their
    /// own format check it on top of this.
    /// </summary>
    /// <returns>A task that completes when every promise held.</returns>
    /// <exception cref="CrashCheckException">A promise was broken.</exception>
    public Task VerifyDurableWritesAsync() => ContentCheck.RunAsync(this, _promises);

    private static List<SectorMismatch> Differences(string image, long offset, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string? what)
    {
        var list = new List<SectorMismatch>();
        long start = offset / 512 * 512;
        for (long sector = start; sector < offset + expected.Length && list.Count < 16; sector += 512)
        {
            int from = (int)Math.Max(0, sector - offset);
            int to = (int)Math.Min(expected.Length, sector + 512 - offset);
            if (expected[from..to].SequenceEqual(actual[from..to])) continue;
            list.Add(new SectorMismatch(image, offset + from, expected[from..to].ToArray(), actual[from..to].ToArray(), what));
        }

        return list;
    }
}
