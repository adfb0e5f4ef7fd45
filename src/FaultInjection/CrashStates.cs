namespace Storage.FaultInjection;

/// <summary>
/// Enumerates the crash states of a pending epoch (see <see cref="CrashState"/> for the model
/// and the replay format): exhaustively over pieces when small, ALICE-style when medium,
/// sampled from a seed when large.
/// </summary>
public static class CrashStates
{
    /// <summary><see cref="Enumerate(SimDisk)"/> is exhaustive up to this many pieces (2^12 = 4096 states), ALICE-style above.</summary>
    public const int ExhaustiveThreshold = 12;

    /// <summary>The most pieces <see cref="Exhaustive(SimDisk)"/> accepts (2^20 states).</summary>
    public const int MaxExhaustivePieces = 20;

    /// <summary>ALICE-style tears of a write keep each single sector only for its first this-many sectors.</summary>
    public const int TearSectorLimit = 8;

    /// <summary>Exhaustive if the pending epoch has at most <see cref="ExhaustiveThreshold"/> pieces, else <see cref="Alice(SimDisk)"/>.</summary>
    /// <param name="disk">A lone disk.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Enumerate(SimDisk disk) => Model(disk).Enumerate();

    /// <summary>Exhaustive if the pending epoch of all files has at most <see cref="ExhaustiveThreshold"/> pieces, else <see cref="Alice(FaultFileSystem)"/>.</summary>
    /// <param name="fileSystem">The file system, at its current crash point.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Enumerate(FaultFileSystem fileSystem) => Use(fileSystem, m => m.Enumerate());

    /// <summary>Every subset of pieces, as <c>x</c> states (2^pieces of them).</summary>
    /// <param name="disk">A lone disk.</param>
    /// <returns>The states.</returns>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxExhaustivePieces"/> pieces.</exception>
    public static IReadOnlyList<CrashState> Exhaustive(SimDisk disk) => Model(disk).Exhaustive();

    /// <summary>Every subset of pieces across all files, as <c>x</c> states.</summary>
    /// <param name="fileSystem">The file system, at its current crash point.</param>
    /// <returns>The states.</returns>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxExhaustivePieces"/> pieces.</exception>
    public static IReadOnlyList<CrashState> Exhaustive(FaultFileSystem fileSystem) => Use(fileSystem, m => m.Exhaustive());

    /// <summary>
    /// Polynomially many states: every prefix (<c>p0</c>..<c>pN</c>), every single dropped operation
    /// (<c>d</c>), every torn write after a prefix (<c>t</c>: length only, either half, each of
    /// the first <see cref="TearSectorLimit"/> sectors alone), and metadata only (<c>m</c>).
    /// </summary>
    /// <param name="disk">A lone disk.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Alice(SimDisk disk) => Model(disk).Alice();

    /// <summary>ALICE-style states across all files; see <see cref="Alice(SimDisk)"/>.</summary>
    /// <param name="fileSystem">The file system, at its current crash point.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Alice(FaultFileSystem fileSystem) => Use(fileSystem, m => m.Alice());

    /// <summary><paramref name="count"/> pseudo-random states (<c>s</c>), reproducible from <paramref name="seed"/>.</summary>
    /// <param name="disk">A lone disk.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="count">How many states.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Sample(SimDisk disk, int seed, int count) => Model(disk).Sample(seed, count);

    /// <summary><paramref name="count"/> pseudo-random states across all files, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="fileSystem">The file system, at its current crash point.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="count">How many states.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Sample(FaultFileSystem fileSystem, int seed, int count) => Use(fileSystem, m => m.Sample(seed, count));

    /// <summary>Exhaustive if the captured pending epoch has at most <see cref="ExhaustiveThreshold"/> pieces, else ALICE-style.</summary>
    /// <param name="point">A captured crash point.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Enumerate(CrashPoint point) => Use(point, m => m.Enumerate());

    /// <summary>Every subset of the captured pieces, as <c>x</c> states.</summary>
    /// <param name="point">A captured crash point.</param>
    /// <returns>The states.</returns>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxExhaustivePieces"/> pieces.</exception>
    public static IReadOnlyList<CrashState> Exhaustive(CrashPoint point) => Use(point, m => m.Exhaustive());

    /// <summary>ALICE-style states of a captured crash point; see <see cref="Alice(SimDisk)"/>.</summary>
    /// <param name="point">A captured crash point.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Alice(CrashPoint point) => Use(point, m => m.Alice());

    /// <summary><paramref name="count"/> pseudo-random states of a captured crash point, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="point">A captured crash point.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="count">How many states.</param>
    /// <returns>The states.</returns>
    public static IReadOnlyList<CrashState> Sample(CrashPoint point, int seed, int count) => Use(point, m => m.Sample(seed, count));

    private static CrashModel Model(SimDisk disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        return disk.Model();
    }

    private static List<CrashState> Use(FaultFileSystem fileSystem, Func<CrashModel, List<CrashState>> action)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        return fileSystem.WithCrashModel(action);
    }

    private static List<CrashState> Use(CrashPoint point, Func<CrashModel, List<CrashState>> action)
    {
        ArgumentNullException.ThrowIfNull(point);
        return point.Use(action);
    }
}
