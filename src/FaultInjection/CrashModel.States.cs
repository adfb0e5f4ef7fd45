namespace Storage.FaultInjection;

// The crash states of a CrashModel: enumerating them, and which pieces each keeps.
internal sealed partial class CrashModel
{
    internal List<CrashState> Exhaustive()
    {
        if (PieceCount > CrashStates.MaxExhaustivePieces)
        {
            throw new InvalidOperationException(
                $"The pending epoch has {PieceCount} pieces; exhaustive enumeration is limited to {CrashStates.MaxExhaustivePieces}. Use ALICE-style or sampled states.");
        }

        var states = new List<CrashState>(1 << PieceCount);
        var bits = new char[PieceCount];
        for (int mask = 0; mask < 1 << PieceCount; mask++)
        {
            for (int i = 0; i < PieceCount; i++)
            {
                bits[i] = (mask >> i & 1) == 1 ? '1' : '0';
            }

            states.Add(CrashState.Explicit(Epoch, new string(bits)));
        }

        return states;
    }

    internal List<CrashState> Alice()
    {
        var states = new List<CrashState>();
        for (int n = 0; n <= _ops.Count; n++)
        {
            states.Add(CrashState.Prefix(Epoch, n));
        }

        for (int k = 0; k < _ops.Count; k++)
        {
            states.Add(CrashState.Drop(Epoch, k));
        }

        for (int k = 0; k < _ops.Count; k++)
        {
            AddTears(states, k);
        }

        if (_ops.Any(e => e.HasMeta))
        {
            states.Add(CrashState.MetadataOnly(Epoch));
        }

        return states;
    }

    internal List<CrashState> Enumerate() => PieceCount <= CrashStates.ExhaustiveThreshold ? Exhaustive() : Alice();

    internal List<CrashState> Sample(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var states = new List<CrashState>(count);
        for (int i = 0; i < count; i++)
        {
            states.Add(CrashState.Sampled(Epoch, seed, i));
        }

        return states;
    }

    /// <summary>Which pieces persist in <paramref name="state"/>.</summary>
    internal bool[] Resolve(CrashState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Epoch != Epoch)
        {
            throw new ArgumentException(
                $"Crash state {state} belongs to epoch {state.Epoch}, but the pending epoch here is E{Epoch}: replay it at the same crash point of the same workload.",
                nameof(state));
        }

        var applied = new bool[PieceCount];
        switch (state.Kind)
        {
            case CrashStateKind.Prefix:
                ResolvePrefix(state, applied);
                break;
            case CrashStateKind.Drop:
                ResolveDrop(state, applied);
                break;
            case CrashStateKind.Tear:
                ResolveTear(state, applied);
                break;
            case CrashStateKind.MetadataOnly:
                ResolveMetadataOnly(applied);
                break;
            case CrashStateKind.Explicit:
                ResolveExplicit(state, applied);
                break;
            case CrashStateKind.Sampled:
                ResolveSampled(state, applied);
                break;
            default:
                throw new ArgumentException($"Unknown crash state kind {state.Kind}.", nameof(state));
        }

        return applied;
    }

    private void ResolvePrefix(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: true);
        for (int k = 0; k < state.Operation; k++)
        {
            Apply(applied, _ops[k]);
        }
    }

    private void ResolveDrop(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: false);
        for (int k = 0; k < _ops.Count; k++)
        {
            if (k != state.Operation)
            {
                Apply(applied, _ops[k]);
            }
        }
    }

    private void ResolveTear(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: false);
        Entry torn = _ops[state.Operation];
        if (torn.Op?.Kind != PendingKind.Write || state.Variant >= 3 + torn.SectorCount)
        {
            throw new ArgumentException(
                $"Crash state {state}: operation {state.Operation} is a {KindOf(torn)} with {torn.SectorCount} sectors; tear variants go from 0 to {2 + torn.SectorCount} on writes only.",
                nameof(state));
        }

        for (int k = 0; k < state.Operation; k++)
        {
            Apply(applied, _ops[k]);
        }

        if (torn.HasMeta)
        {
            applied[torn.PieceStart] = true;
        }

        int half = torn.SectorCount / 2;
        (int from, int to) = state.Variant switch
        {
            0 => (0, 0),
            1 => (0, half),
            2 => (half, torn.SectorCount),
            _ => (state.Variant - 3, state.Variant - 2),
        };
        for (int i = from; i < to; i++)
        {
            applied[torn.SectorStart + i] = true;
        }
    }

    private void ResolveMetadataOnly(bool[] applied)
    {
        foreach (Entry entry in _ops.Where(e => e.HasMeta))
        {
            applied[entry.PieceStart] = true;
        }
    }

    private void ResolveExplicit(CrashState state, bool[] applied)
    {
        if (state.Pieces!.Length != PieceCount)
        {
            throw new ArgumentException(
                $"Crash state {state} has {state.Pieces.Length} pieces, but the pending epoch has {PieceCount}: replay it at the same crash point of the same workload.",
                nameof(state));
        }

        for (int i = 0; i < PieceCount; i++)
        {
            applied[i] = state.Pieces[i] == '1';
        }
    }

    private void ResolveSampled(CrashState state, bool[] applied)
    {
        var random = new SplitMix64(SplitMix64.Mix(state.Seed, state.Operation));
        double keep = random.NextDouble();
        for (int i = 0; i < PieceCount; i++)
        {
            applied[i] = random.NextDouble() < keep;
        }
    }

    /// <summary>ALICE-style tears of write <paramref name="k"/>; variants equal to a prefix state are skipped.</summary>
    private void AddTears(List<CrashState> states, int k)
    {
        Entry entry = _ops[k];
        if (entry.Op?.Kind != PendingKind.Write)
        {
            return;
        }

        int m = entry.SectorCount;
        // "No sector" only matters when the write also moved the length, halves only when there are two, singles from three.
        if (entry.HasMeta)
        {
            states.Add(CrashState.Tear(Epoch, k, 0));
        }

        if (m >= 2)
        {
            states.Add(CrashState.Tear(Epoch, k, 1));
            states.Add(CrashState.Tear(Epoch, k, 2));
        }

        if (m >= 3)
        {
            for (int j = 0; j < Math.Min(m, CrashStates.TearSectorLimit); j++)
            {
                states.Add(CrashState.Tear(Epoch, k, 3 + j));
            }
        }
    }

    private void RequireOperation(CrashState state, int operation, bool inclusiveEnd)
    {
        int limit = inclusiveEnd ? _ops.Count : _ops.Count - 1;
        if (operation > limit)
        {
            throw new ArgumentException(
                $"Crash state {state} names operation {operation}, but the pending epoch has {_ops.Count} operations: replay it at the same crash point of the same workload.",
                nameof(state));
        }
    }
}
