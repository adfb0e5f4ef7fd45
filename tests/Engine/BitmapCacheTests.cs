using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>The differencing image's bounded bitmap cache: capacity, CLOCK eviction, dirty bitmaps pinned until written.</summary>
public class BitmapCacheTests
{
    private const int Bytes = 512;

    /// <summary>A "file" of bitmaps: block b's bitmap has sector b set; counts the loads.</summary>
    private sealed class Backing
    {
        public readonly Dictionary<long, byte[]> Stored = [];
        public int Loads;

        public void Load(long block, Span<byte> bits)
        {
            Loads++;
            bits.Clear();
            if (Stored.TryGetValue(block, out var b)) b.CopyTo(bits);
            else SectorBitmap.SetRange(bits, (int)(block % (Bytes * 8)), 1);
        }
    }

    [Fact]
    public void Capacity_follows_the_budget_and_never_drops_below_16()
    {
        Assert.Equal(BitmapCache.BudgetBytes / Bytes, new BitmapCache(Bytes, (_, _) => { }).Capacity);
        Assert.Equal(16, new BitmapCache(1 << 20, (_, _) => { }).Capacity);
    }

    [Fact]
    public void Reading_more_blocks_than_capacity_keeps_at_most_capacity_and_reloads_what_it_evicted()
    {
        var file = new Backing();
        var cache = new BitmapCache(Bytes, file.Load);
        long blocks = cache.Capacity * 3L;
        for (long b = 0; b < blocks; b++) Assert.True(cache.IsSet(b, (int)(b % (Bytes * 8))));
        Assert.Equal(cache.Capacity, cache.Count);
        Assert.Equal(blocks, file.Loads);
        Assert.True(cache.IsSet(0, 0), "block 0 was evicted, then read back from the file");
        Assert.Equal(blocks + 1, file.Loads);
        Assert.False(cache.IsSet(0, 1));
    }

    [Fact]
    public void A_bitmap_used_since_the_hand_passed_gets_a_second_chance()
    {
        var file = new Backing();
        var cache = new BitmapCache(Bytes, file.Load);
        for (long b = 0; b < cache.Capacity; b++) cache.IsSet(b, 0);
        cache.IsSet(cache.Capacity, 0);      // the hand clears every use bit, then evicts block 0
        cache.IsSet(1, 0);                   // block 1 used again: kept
        cache.IsSet(cache.Capacity + 1, 0);  // evicts block 2, not block 1
        int loads = file.Loads;
        cache.IsSet(1, 0);
        Assert.Equal(loads, file.Loads);
        cache.IsSet(2, 0);
        Assert.Equal(loads + 1, file.Loads);
    }

    [Fact]
    public void Dirty_bitmaps_are_never_evicted_and_the_cache_shrinks_back_after_they_are_written()
    {
        var file = new Backing();
        var cache = new BitmapCache(Bytes, file.Load);
        int n = cache.Capacity + 10;
        for (long b = 0; b < n; b++) cache.SetRange(b, 100, 3);
        Assert.True(cache.IsDirty);
        Assert.Equal(n, cache.Count);
        for (long b = n; b < n + 50; b++) cache.IsSet(b, 0); // clean misses while every slot is dirty
        for (long b = 0; b < n; b++) Assert.True(cache.AllSet(b, 100, 3), $"block {b} lost its dirty bits");

        var written = new List<long>();
        cache.WriteDirty((block, bits) => { written.Add(block); file.Stored[block] = bits.ToArray(); });
        Assert.False(cache.IsDirty);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), written.Order());
        Assert.Equal(cache.Capacity, cache.Count);
        for (long b = 0; b < n; b++) Assert.True(cache.AllSet(b, 100, 3), $"block {b} reads its written bits back");
    }

    [Fact]
    public void Setting_bits_already_set_leaves_the_bitmap_clean()
    {
        var cache = new BitmapCache(Bytes, new Backing().Load);
        cache.SetRange(5, 5, 1);
        Assert.False(cache.IsDirty);
        cache.SetRange(5, 5, 2);
        Assert.True(cache.IsDirty);
    }

    [Fact]
    public void A_failed_load_leaves_nothing_cached()
    {
        bool fail = true;
        var cache = new BitmapCache(Bytes, (block, bits) =>
        {
            if (fail) throw new IOException("disk gone");
            bits.Clear();
        });
        Assert.Throws<IOException>(() => cache.IsSet(7, 0));
        Assert.Equal(0, cache.Count);
        fail = false;
        Assert.False(cache.IsSet(7, 0));
    }
    /// <summary>16 slots (the floor): bitmaps of 64 KiB.</summary>
    private static BitmapCache Small(Action<long, Span<byte>> load)
    {
        var cache = new BitmapCache(1 << 16, load);
        Assert.Equal(16, cache.Capacity);
        return cache;
    }

    /// <summary>A "file" of 64 KiB bitmaps where block b has sector b set; counts the loads.</summary>
    private sealed class SmallBacking
    {
        public readonly Dictionary<long, byte[]> Stored = [];
        public int Loads;
        public long? Failing;

        public void Load(long block, Span<byte> bits)
        {
            if (block == Failing) throw new IOException("disk gone");
            Loads++;
            bits.Clear();
            if (Stored.TryGetValue(block, out var b)) b.CopyTo(bits);
            else SectorBitmap.SetRange(bits, (int)block, 1);
        }
    }

    [Fact]
    public void A_bitmap_used_again_after_the_hand_passed_it_is_kept_over_one_that_was_not()
    {
        var file = new SmallBacking();
        var cache = Small(file.Load);
        for (long b = 100; b < 116; b++) cache.IsSet(b, 0);
        cache.IsSet(116, 0);   // the hand clears every use bit, evicts 100 and stops at 101
        cache.IsSet(101, 0);   // 101 used again
        cache.IsSet(117, 0);   // 101 gets its second chance: 102 goes
        int loads = file.Loads;
        Assert.True(cache.IsSet(101, 101));
        Assert.Equal(loads, file.Loads);
        Assert.True(cache.IsSet(102, 102));
        Assert.Equal(loads + 1, file.Loads);
    }

    [Fact]
    public void A_bitmap_just_loaded_counts_as_used_and_outlives_one_pass_of_the_hand()
    {
        var file = new SmallBacking();
        var cache = Small(file.Load);
        for (long b = 100; b < 116; b++) cache.IsSet(b, 0);
        cache.IsSet(116, 0);                            // takes 100's slot, behind the hand
        for (long b = 101; b < 116; b++) cache.IsSet(b, 0); // every other one used again
        cache.IsSet(117, 0);                            // one full pass clears every use bit, then 101 goes
        int loads = file.Loads;
        Assert.True(cache.IsSet(116, 116));
        Assert.Equal(loads, file.Loads);
        Assert.True(cache.IsSet(101, 101));
        Assert.Equal(loads + 1, file.Loads);
    }

    [Fact]
    public void A_failed_load_takes_no_other_blocks_place()
    {
        var file = new SmallBacking { Failing = 7 };
        var cache = Small(file.Load);
        Assert.Throws<IOException>(() => cache.IsSet(7, 0)); // its slot stays in the ring, empty
        cache.SetRange(1, 100, 3);                          // dirty, pinned
        for (long b = 20; b < 34; b++) cache.IsSet(b, 0);   // the ring is full
        cache.IsSet(40, 0);                                 // evicts the empty slot
        Assert.True(cache.AllSet(1, 100, 3), "block 1 lost its dirty bits");
        Assert.True(cache.IsDirty);
        var written = new List<long>();
        cache.WriteDirty((block, _) => written.Add(block));
        Assert.Equal([1L], written);
    }

    [Fact]
    public void A_flush_keeps_capacity_bitmaps_and_forgets_the_ones_it_drops()
    {
        var file = new SmallBacking();
        var cache = Small(file.Load);
        for (long b = 1; b <= 16; b++) cache.SetRange(b, 200, 1); // 16 dirty: every slot pinned
        Assert.True(cache.IsSet(0, 0));                          // block 0 in a 17th slot, the last
        Assert.Equal(17, cache.Count);
        var written = new List<long>();
        cache.WriteDirty((block, bits) => { written.Add(block); file.Stored[block] = bits.ToArray(); });
        Assert.Equal(16, written.Count);
        Assert.Equal(cache.Capacity, cache.Count);
        // Block 0 was dropped: setting a bit loads it again, and the next flush writes it.
        int loads = file.Loads;
        cache.SetRange(0, 300, 1);
        Assert.Equal(loads + 1, file.Loads);
        written.Clear();
        cache.WriteDirty((block, bits) => { written.Add(block); file.Stored[block] = bits.ToArray(); });
        Assert.Equal([0L], written);
        Assert.False(cache.IsDirty);
        Assert.Equal(cache.Capacity, cache.Count);
    }
}
