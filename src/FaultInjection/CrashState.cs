using System.Globalization;
using System.Text;

namespace Storage.FaultInjection;

/// <summary>
/// One crash outcome of a pending epoch, as a small value that prints and parses, so a failing
/// state can be replayed exactly: run the same workload to the same crash point, then
/// <see cref="Parse"/> the printed string and materialize it.
/// </summary>
/// <remarks>
/// <para>
/// The pending epoch is the list of operations since each file's last <c>Flush(true)</c>, in the
/// order they happened across all files. Each operation splits into <em>pieces</em>, the units a
/// crash keeps or loses independently, in this order: a pending creation (1 piece: the file
/// exists), a length change (1 piece: the new length persists, with or without data), then one
/// piece per 512-byte sector the operation touched, ascending (a write: the sectors it wrote; a
/// shrinking length change: the sectors it cut that held data, which it turns to zeros). A kept
/// sector piece of operation k sets that sector to its full contents right after operation k; when several kept pieces hit one sector the
/// latest operation wins, and choosing subsets reaches every "durable value or the value after
/// some pending write" outcome, i.e. writes reaching the disk in any order with atomic sectors.
/// The file length is the length after the latest kept length piece, else the durable length; a
/// new file whose creation piece is lost is absent.
/// </para>
/// <para>String format, always <c>E&lt;epoch&gt;:&lt;body&gt;</c>, where epoch is the number of
/// durability points passed (successful <c>Flush(true)</c> calls of the file system, or
/// <see cref="SimDisk.Epoch"/> for a lone disk); operation indexes are 0-based in the pending list:</para>
/// <list type="bullet">
/// <item><c>E3:p5</c> prefix: operations 0..4 persist in full, the rest are lost (<c>p0</c>: lose everything).</item>
/// <item><c>E3:d2</c> drop: every operation persists except operation 2.</item>
/// <item><c>E3:t4.1</c> tear: operations 0..3 persist, write 4 keeps its length change and a subset of its
/// sectors chosen by the variant (0: none, 1: first half, 2: second half, 3+j: only sector j), later operations are lost.</item>
/// <item><c>E3:m</c> metadata only: every creation and length change persists, no sector does.</item>
/// <item><c>E3:x1011</c> explicit: one digit per piece in piece order, 1 = persists.</item>
/// <item><c>E3:s42.7</c> sampled: the 7th (0-based) state drawn with seed 42 (each state draws a keep
/// probability, then keeps each piece with it).</item>
/// </list>
/// </remarks>
public sealed class CrashState : IEquatable<CrashState>
{
    private CrashState(int epoch, CrashStateKind kind, int operation = 0, int variant = 0, int seed = 0, string? pieces = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(operation);
        ArgumentOutOfRangeException.ThrowIfNegative(variant);
        Epoch = epoch;
        Kind = kind;
        Operation = operation;
        Variant = variant;
        Seed = seed;
        Pieces = pieces;
    }

    /// <summary>The number of durability points passed when the state was taken; a state only replays in the same epoch.</summary>
    public int Epoch { get; }

    /// <summary>Which family of states this is.</summary>
    public CrashStateKind Kind { get; }

    /// <summary>Prefix: how many operations persist. Drop and tear: the operation index. Sampled: the sample index.</summary>
    public int Operation { get; }

    /// <summary>Tear: which sectors of the torn write persist (0 none, 1 first half, 2 second half, 3+j only sector j).</summary>
    public int Variant { get; }

    /// <summary>Sampled: the seed.</summary>
    public int Seed { get; }

    /// <summary>Explicit: one '0'/'1' per piece; null for other kinds.</summary>
    public string? Pieces { get; }

    /// <summary>The first <paramref name="count"/> pending operations persist in full.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <param name="count">Operations kept.</param>
    /// <returns>The state.</returns>
    public static CrashState Prefix(int epoch, int count) => new(epoch, CrashStateKind.Prefix, count);

    /// <summary>Every pending operation persists except operation <paramref name="operation"/>.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <param name="operation">0-based index of the lost operation.</param>
    /// <returns>The state.</returns>
    public static CrashState Drop(int epoch, int operation) => new(epoch, CrashStateKind.Drop, operation);

    /// <summary>Operations before <paramref name="operation"/> persist, that write is torn, later ones are lost.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <param name="operation">0-based index of the torn write.</param>
    /// <param name="variant">0 no sector, 1 first half, 2 second half, 3+j only sector j.</param>
    /// <returns>The state.</returns>
    public static CrashState Tear(int epoch, int operation, int variant) => new(epoch, CrashStateKind.Tear, operation, variant);

    /// <summary>Creations and length changes persist, data sectors do not.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <returns>The state.</returns>
    public static CrashState MetadataOnly(int epoch) => new(epoch, CrashStateKind.MetadataOnly);

    /// <summary>An explicit choice per piece.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <param name="pieces">One '0' or '1' per piece, in piece order.</param>
    /// <returns>The state.</returns>
    public static CrashState Explicit(int epoch, string pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.AsSpan().ContainsAnyExcept('0', '1'))
        {
            throw new ArgumentException($"Explicit crash state pieces must be '0' or '1', got \"{pieces}\".", nameof(pieces));
        }

        return new(epoch, CrashStateKind.Explicit, pieces: pieces);
    }

    /// <summary>The <paramref name="index"/>-th pseudo-random state of <paramref name="seed"/>.</summary>
    /// <param name="epoch">Epoch the state belongs to.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="index">0-based sample index.</param>
    /// <returns>The state.</returns>
    public static CrashState Sampled(int epoch, int seed, int index) => new(epoch, CrashStateKind.Sampled, index, seed: seed);

    /// <summary>Parses the format printed by <see cref="ToString"/>.</summary>
    /// <param name="text">For example <c>E3:p5</c>.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">The text is not a crash state.</exception>
    public static CrashState Parse(string text) =>
        TryParse(text, out CrashState? state)
            ? state
            : throw new FormatException($"\"{text}\" is not a crash state: expected E<epoch>:p<n> | d<k> | t<k>.<v> | m | x<bits> | s<seed>.<i>.");

    /// <summary>Parses the format printed by <see cref="ToString"/>.</summary>
    /// <param name="text">For example <c>E3:t4.1</c>.</param>
    /// <param name="state">The state, when the text is valid.</param>
    /// <returns>True when the text is a crash state.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CrashState? state)
    {
        state = null;
        if (text is null || text.Length < 4 || text[0] != 'E')
        {
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 2 || colon + 1 >= text.Length || !TryNatural(text.AsSpan(1, colon - 1), out int epoch))
        {
            return false;
        }

        char kind = text[colon + 1];
        ReadOnlySpan<char> body = text.AsSpan(colon + 2);
        switch (kind)
        {
            case 'p' when TryNatural(body, out int count):
                state = Prefix(epoch, count);
                return true;
            case 'd' when TryNatural(body, out int operation):
                state = Drop(epoch, operation);
                return true;
            case 't' when TryPair(body, out int operation, out int variant) && variant >= 0:
                state = Tear(epoch, operation, variant);
                return true;
            case 'm' when body.IsEmpty:
                state = MetadataOnly(epoch);
                return true;
            case 'x' when !body.ContainsAnyExcept('0', '1'):
                state = Explicit(epoch, body.ToString());
                return true;
            case 's' when TryPair(body, out int seed, out int index, signedFirst: true):
                state = Sampled(epoch, seed, index);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The replayable form, for example <c>E3:p5</c>; see the type remarks for the grammar.</summary>
    /// <returns>The short string.</returns>
    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"E{Epoch}:");
        return (Kind switch
        {
            CrashStateKind.Prefix => text.Append(CultureInfo.InvariantCulture, $"p{Operation}"),
            CrashStateKind.Drop => text.Append(CultureInfo.InvariantCulture, $"d{Operation}"),
            CrashStateKind.Tear => text.Append(CultureInfo.InvariantCulture, $"t{Operation}.{Variant}"),
            CrashStateKind.MetadataOnly => text.Append('m'),
            CrashStateKind.Explicit => text.Append('x').Append(Pieces),
            _ => text.Append(CultureInfo.InvariantCulture, $"s{Seed}.{Operation}"),
        }).ToString();
    }

    /// <inheritdoc/>
    public bool Equals(CrashState? other) =>
        other is not null && Epoch == other.Epoch && Kind == other.Kind && Operation == other.Operation
        && Variant == other.Variant && Seed == other.Seed && Pieces == other.Pieces;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CrashState);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Epoch, Kind, Operation, Variant, Seed, Pieces);

    private static bool TryNatural(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryPair(ReadOnlySpan<char> text, out int first, out int second, bool signedFirst = false)
    {
        second = 0;
        int dot = text.IndexOf('.');
        first = 0;
        return dot > 0
            && int.TryParse(text[..dot], signedFirst ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && TryNatural(text[(dot + 1)..], out second);
    }
}
