using Storage.FaultInjection;
using Xunit;

namespace Storage.Tests.FaultInjection;

public sealed class SimDiskTests
{
    private const int S = SimDisk.SectorSize;

    [Fact]
    public void Writes_are_visible_before_a_crash_and_gaps_read_as_zeros()
    {
        var disk = new SimDisk();
        disk.Write(1000, Fill(10, 7));

        Assert.Equal(1010, disk.Length);
        byte[] view = disk.ToArray();
        Assert.All(view[..1000], b => Assert.Equal(0, b));
        Assert.All(view[1000..], b => Assert.Equal(7, b));
        Assert.Equal(0, disk.DurableLength);
    }

    [Fact]
    public void Flush_makes_everything_durable_and_starts_a_new_epoch()
    {
        var disk = new SimDisk();
        disk.Write(0, Fill(S * 2, 1));
        disk.Flush();

        Assert.Equal(1, disk.Epoch);
        Assert.Equal(0, disk.PendingOperationCount);
        Assert.Equal(disk.ToArray(), disk.ToDurableArray());
        SimDisk crashed = disk.Materialize(CrashState.Prefix(1, 0))!;
        Assert.Equal(Fill(S * 2, 1), crashed.ToArray());
    }

    [Fact]
    public void A_pending_write_can_be_lost_or_kept_in_full()
    {
        var disk = SimDisk.FromBytes(Fill(S, 1));
        disk.Write(0, Fill(S, 2));

        Assert.Equal(Fill(S, 1), disk.Materialize(CrashState.Prefix(0, 0))!.ToArray());
        Assert.Equal(Fill(S, 2), disk.Materialize(CrashState.Prefix(0, 1))!.ToArray());
        Assert.Equal(Fill(S, 1), disk.Materialize(CrashState.Drop(0, 0))!.ToArray());
    }

    [Fact]
    public void Exhaustive_states_tear_a_write_at_sector_granularity()
    {
        var disk = SimDisk.FromBytes(Fill(S * 3, 1));
        disk.Write(0, Fill(S * 3, 2));

        // No length change: one piece per sector, 2^3 states, every subset of sectors.
        Assert.Equal(3, disk.PendingPieceCount);
        IReadOnlyList<CrashState> states = disk.EnumerateCrashStates();
        Assert.Equal(8, states.Count);
        var outcomes = states.Select(s => SectorValues(disk.Materialize(s)!)).Select(v => string.Join("", v)).ToHashSet();
        Assert.Equal(8, outcomes.Count);
        Assert.Contains("211", outcomes);
        Assert.Contains("121", outcomes);
        Assert.Contains("112", outcomes);
        Assert.Contains("222", outcomes);
        Assert.Contains("111", outcomes);
    }

    [Fact]
    public void A_partial_sector_write_keeps_the_rest_of_its_sector()
    {
        var disk = SimDisk.FromBytes(Fill(S, 1));
        disk.Write(100, Fill(10, 9));

        byte[] kept = disk.Materialize(CrashState.Prefix(0, 1))!.ToArray();
        Assert.Equal(1, kept[99]);
        Assert.Equal(9, kept[100]);
        Assert.Equal(1, kept[110]);
    }

    [Fact]
    public void Overlapping_pending_writes_may_persist_in_any_order()
    {
        var disk = SimDisk.FromBytes(Fill(S, 1));
        disk.Write(0, Fill(S, 2));
        disk.Write(0, Fill(S, 3));

        var outcomes = disk.EnumerateCrashStates().Select(s => disk.Materialize(s)!.ToArray()[0]).ToHashSet();
        // The durable value, the first write (the second lost or written back earlier), the last.
        Assert.Equal(new HashSet<byte> { 1, 2, 3 }, outcomes);
    }

    [Fact]
    public void Alice_tears_write_each_listed_subset_of_sectors()
    {
        var disk = SimDisk.FromBytes(new byte[S * 4]);
        for (int i = 0; i < 4; i++)
        {
            disk.Write(i * S * 4, Fill(S * 4, (byte)(i + 1)));
        }

        // 4 writes: 3 of them extend the file, each has 4 sectors: 19 pieces > threshold.
        Assert.True(disk.PendingPieceCount > CrashStates.ExhaustiveThreshold);
        var states = disk.EnumerateCrashStates().Select(s => s.ToString()).ToList();
        Assert.Contains("E0:p0", states);
        Assert.Contains("E0:p4", states);
        Assert.Contains("E0:d2", states);
        Assert.Contains("E0:t1.0", states);
        Assert.Contains("E0:t1.2", states);
        Assert.Contains("E0:t3.6", states);
        Assert.Contains("E0:m", states);
        Assert.DoesNotContain("E0:t0.0", states); // write 0 does not change the length

        // t1.2: write 0 kept, write 1 keeps its new length and its second half only.
        SimDisk torn = disk.Materialize(CrashState.Tear(0, 1, 2))!;
        Assert.Equal(S * 8, torn.Length);
        Assert.Equal(new byte[] { 1, 1, 1, 1, 0, 0, 2, 2 }, SectorValues(torn));
    }

    [Fact]
    public void A_length_change_can_persist_without_its_data()
    {
        var disk = SimDisk.FromBytes(Fill(S, 1));
        disk.Write(S, Fill(S, 2));

        SimDisk metadataOnly = disk.Materialize(CrashState.MetadataOnly(0))!;
        Assert.Equal(S * 2, metadataOnly.Length);
        Assert.Equal(new byte[] { 1, 0 }, SectorValues(metadataOnly));

        // And the data without the length: the sector is there, past the end.
        SimDisk dataOnly = disk.Materialize(CrashState.Explicit(0, "01"))!;
        Assert.Equal(S, dataOnly.Length);
    }

    [Fact]
    public void A_truncation_may_be_lost_and_then_old_data_reappears()
    {
        var disk = SimDisk.FromBytes(Fill(S * 2, 1));
        disk.SetLength(100);
        Assert.Equal(100, disk.Length);
        disk.SetLength(S * 2);
        Assert.All(disk.ToArray()[100..], b => Assert.Equal(0, b));

        // Pieces: the cut's length, its two zeroed sectors, the regrow's length.
        Assert.Equal(4, disk.PendingPieceCount);
        byte[] everything = disk.Materialize(CrashState.Prefix(0, 2))!.ToArray();
        Assert.Equal(disk.ToArray(), everything);
        Assert.Equal(Fill(S * 2, 1), disk.Materialize(CrashState.Explicit(0, "0000"))!.ToArray());
        Assert.Equal(Fill(100, 1), disk.Materialize(CrashState.Explicit(0, "1000"))!.ToArray());

        // The regrown length without the zeroing: the old durable bytes are back, which the
        // contract allows (each sector holds its durable value).
        Assert.Equal(Fill(S * 2, 1), disk.Materialize(CrashState.Explicit(0, "0001"))!.ToArray());
    }

    [Fact]
    public void A_new_file_may_be_absent_until_flushed()
    {
        SimDisk disk = SimDisk.CreateNew();
        disk.Write(0, Fill(10, 1));

        Assert.True(disk.IsNew);
        Assert.Contains(disk.EnumerateCrashStates(), s => disk.Materialize(s) is null);
        disk.Flush();
        Assert.False(disk.IsNew);
        Assert.All(disk.EnumerateCrashStates(), s => Assert.NotNull(disk.Materialize(s)));
    }

    [Fact]
    public void Huge_sparse_lengths_are_cheap()
    {
        var disk = new SimDisk();
        long before = GC.GetAllocatedBytesForCurrentThread();
        disk.SetLength(4L << 30);
        disk.Write(3L << 30, Fill(S, 5));
        var probe = new byte[S * 2];
        Assert.Equal(probe.Length, disk.Read((3L << 30) - S, probe));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(4L << 30, disk.Length);
        Assert.All(probe[..S], b => Assert.Equal(0, b));
        Assert.All(probe[S..], b => Assert.Equal(5, b));
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");

        SimDisk crashed = disk.Materialize(CrashState.Prefix(0, 2))!;
        Assert.Equal(4L << 30, crashed.Length);
        Assert.Equal(0, disk.Read(4L << 30, probe));
    }

    [Fact]
    public void Sampled_states_replay_identically()
    {
        var disk = SimDisk.FromBytes(new byte[S * 8]);
        for (int i = 0; i < 40; i++)
        {
            disk.Write(i * 97 % (S * 8), Fill(300, (byte)i));
        }

        IReadOnlyList<CrashState> first = disk.SampleCrashStates(seed: 7, count: 20);
        IReadOnlyList<CrashState> again = disk.SampleCrashStates(seed: 7, count: 20);
        Assert.Equal(first, again);
        foreach (CrashState state in first)
        {
            Assert.Equal(disk.Materialize(state)!.ToArray(), disk.Materialize(CrashState.Parse(state.ToString()))!.ToArray());
        }

        // Different samples really differ.
        Assert.True(first.Select(s => Convert.ToHexString(disk.Materialize(s)!.ToArray())).Distinct().Count() > 10);
    }

    [Fact]
    public void A_state_from_another_epoch_is_rejected()
    {
        var disk = new SimDisk();
        disk.Write(0, Fill(1, 1));
        disk.Flush();
        disk.Write(0, Fill(1, 2));

        var error = Assert.Throws<ArgumentException>(() => disk.Materialize(CrashState.Parse("E0:p1")));
        Assert.Contains("E1", error.Message);
        Assert.Throws<ArgumentException>(() => disk.Materialize(CrashState.Parse("E1:p2")));
        Assert.Throws<ArgumentException>(() => disk.Materialize(CrashState.Parse("E1:x101")));
        Assert.Throws<ArgumentException>(() => disk.Materialize(CrashState.Parse("E1:t0.4")));
    }

    internal static byte[] Fill(int count, byte value)
    {
        var bytes = new byte[count];
        Array.Fill(bytes, value);
        return bytes;
    }

    /// <summary>The first byte of each sector, enough to identify which write a sector came from.</summary>
    private static byte[] SectorValues(SimDisk disk)
    {
        byte[] bytes = disk.ToArray();
        return Enumerable.Range(0, (bytes.Length + S - 1) / S).Select(i => bytes[i * S]).ToArray();
    }
}
