using System.Buffers.Binary;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Hostile images that sit exactly on a validation limit of DESIGN.md §3: the one just inside opens,
/// the one just outside is refused naming the field and the value.
/// </summary>
public class ValidationBoundaryTests
{
    private const int Block = 512 * 1024;
    private const long Virtual = 4212736; // Img.Dynamic()'s virtual size: 9 blocks of 512 KiB, the last one partly used

    /// <summary>
    /// Img.Dynamic() with no block: footer copy 0..512, header 512..1536, BAT 1536..2048 (9 entries,
    /// the rest of its sector unallocated), free space to the end footer at 3584, 4096 bytes.
    /// </summary>
    private static byte[] Empty()
    {
        var img = Img.Dynamic();
        Assert.Equal(4096, img.Length);
        Assert.Equal(512, Img.HeaderOffset(img));
        Assert.Equal(1536ul, Img.Header(img).TableOffset);
        Assert.Equal(9u, Img.Header(img).MaxTableEntries);
        return img;
    }

    /// <summary>Moves the 1024-byte dynamic header to <paramref name="offset"/> (both footers follow it), zeroing where it was.</summary>
    private static void MoveHeader(byte[] img, int offset)
    {
        var header = img.AsSpan(Img.HeaderOffset(img), 1024).ToArray();
        Array.Clear(img, Img.HeaderOffset(img), 1024);
        header.CopyTo(img, offset);
        Img.PatchFooters(img, f => f with { DataOffset = (ulong)offset });
    }

    private static byte[] WithLocators(byte[] img, params (int Slot, ParentLocator Locator)[] locators)
    {
        Img.PatchHeader(img, h =>
        {
            var locs = h.ParentLocators.ToArray();
            foreach (var (slot, l) in locators) locs[slot] = l;
            return h with { ParentLocators = locs };
        });
        return img;
    }

    [Fact]
    public void A_file_of_one_dynamic_footer_is_refused_naming_the_data_offset_and_no_room_before_that_footer()
    {
        var img = Empty()[^512..]; // the end footer alone: it is at offset 0, so nothing can precede it
        var e = Img.OpenFails(img);
        Assert.Equal("footer data offset", e.Field);
        Assert.Contains("512 places the 1024-byte dynamic header outside [512, -1024] (file length 512)", e.Message);
    }

    [Fact]
    public void A_header_cut_short_by_the_end_footer_without_a_cookie_is_named_as_a_data_offset_outside_the_file()
    {
        var img = Empty();
        Img.PatchFooters(img, f => f with { DataOffset = 3072 }); // free space: no cookie, and only 512 bytes before the end footer
        var e = Img.OpenFails(img);
        Assert.Equal("footer data offset", e.Field);
        Assert.Contains("3072 places the 1024-byte dynamic header outside [512, 2560] (file length 4096)", e.Message);
    }

    [Fact]
    public void A_header_that_ends_exactly_at_the_end_footer_opens()
    {
        var img = Empty();
        MoveHeader(img, 3584 - 1024);
        var fs = Img.Put(img);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            Assert.Equal(Virtual, d.Length);
            Assert.Equal(new byte[Virtual], Img.ReadAll(d));
        }
        Assert.Equal(2560, Img.Load(fs, "/d/x.vhd").MetadataRegions.Single(r => r.Name == "dynamic header").Start);
    }

    [Fact]
    public void A_header_cut_short_by_the_end_footer_is_read_zero_padded_not_from_the_footer()
    {
        var img = Empty();
        var header = img.AsSpan(512, 20).ToArray(); // cookie, data offset and half the table offset
        Img.PatchFooters(img, f => f with { DataOffset = 3584 - 20 });
        header.CopyTo(img, 3584 - 20);
        // Its block size (bytes 32..36) lies past the end footer's start: read as zero, it is named.
        var e = Img.OpenFails(img);
        Assert.Equal("block size", e.Field);
        Assert.Contains("block size: 0 is not a power of two", e.Message);
    }

    [Fact]
    public void Entries_that_do_not_cover_the_virtual_size_are_refused_naming_the_bytes_they_cover()
    {
        var img = Empty();
        Img.PatchHeader(img, h => h with { MaxTableEntries = 8 });
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains($"8 entries of {Block} bytes cover {8 * Block} bytes, less than the virtual size {Virtual}", e.Message);
    }

    [Fact]
    public void Entries_exactly_at_the_table_limit_pass_that_rule_and_one_more_is_refused_naming_the_limit()
    {
        var img = Empty();
        Img.PatchHeader(img, h => h with { BlockSize = 512, MaxTableEntries = 536870911 });
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains("536870911 entries need a 2147483644-byte BAT, larger than the file (4096 bytes)", e.Message);

        img = Empty();
        Img.PatchHeader(img, h => h with { BlockSize = 512, MaxTableEntries = 536870912 });
        e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains("536870912 exceeds the limit of 536870911 entries (a 2147483644-byte table)", e.Message);
    }

    [Fact]
    public void Entries_describing_exactly_twice_the_size_limit_pass_that_rule_and_one_more_block_is_refused()
    {
        const int big = 256 * 1024 * 1024;
        var img = Empty();
        Img.PatchHeader(img, h => h with { BlockSize = big, MaxTableEntries = 16320 }); // 16320 x 256 MiB = 4080 GiB
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains("16320 entries need a 65280-byte BAT", e.Message);

        img = Empty();
        Img.PatchHeader(img, h => h with { BlockSize = big, MaxTableEntries = 16321 });
        e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains($"16321 entries of {big} bytes describe {16321L * big} bytes, over the limit of {2 * VhdConstants.MaxDynamicSize}", e.Message);
    }

    [Fact]
    public void Entries_whose_table_is_exactly_the_file_length_pass_that_rule_and_one_more_is_refused()
    {
        var img = Empty();
        Img.PatchHeader(img, h => h with { MaxTableEntries = 1024 }); // a 4096-byte BAT in a 4096-byte file
        var e = Img.OpenFails(img);
        Assert.Equal("table offset", e.Field); // passes the entries rule, cannot fit after offset 1536

        img = Empty();
        Img.PatchHeader(img, h => h with { MaxTableEntries = 1025 });
        e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains("1025 entries need a 4100-byte BAT, larger than the file (4096 bytes)", e.Message);
    }

    [Fact]
    public void A_table_right_after_the_footer_copy_opens()
    {
        var img = Empty();
        var bat = img.AsSpan(1536, 512).ToArray();
        Array.Clear(img, 1536, 512);
        MoveHeader(img, 1024); // footer copy 0..512, BAT 512..1024, header 1024..2048
        bat.CopyTo(img, 512);
        Img.PatchHeader(img, h => h with { TableOffset = 512 });
        var fs = Img.Put(img);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite))
        {
            d.Write(0, [1, 2, 3]);
            d.Flush();
        }
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
            Assert.Equal(new byte[] { 1, 2, 3 }, Img.ReadAll(d)[..3]);
        Assert.Equal(512ul, Img.Header(fs.File.ReadAllBytes("/d/x.vhd")).TableOffset);
    }

    [Fact]
    public void An_empty_table_exactly_at_the_end_footer_of_a_zero_size_image_opens()
    {
        var img = Empty();
        Img.PatchFooters(img, f => f with { CurrentSize = 0, OriginalSize = 0 });
        Img.PatchHeader(img, h => h with { MaxTableEntries = 0, TableOffset = 3584 });
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(0, d.Length);
    }

    [Fact]
    public void A_table_that_ends_exactly_at_the_end_footer_opens_and_one_entry_more_is_refused()
    {
        var img = Empty();
        img.AsSpan(1536, 2048).Fill(0xFF); // 512 unallocated entries up to the end footer
        Img.PatchHeader(img, h => h with { MaxTableEntries = 512 });
        using (var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd"))
            Assert.Equal(Virtual, d.Length);

        Img.PatchHeader(img, h => h with { MaxTableEntries = 513 });
        var e = Img.OpenFails(img);
        Assert.Equal("table offset", e.Field);
        Assert.Contains("BAT at 1536 with 2052 bytes does not fit between 512 and 3584 (file length 4096)", e.Message);
    }

    [Fact]
    public void A_locator_of_exactly_the_length_limit_opens()
    {
        var e = Empty();
        var img = e[..3584].Concat(new byte[VhdConstants.MaxLocatorLength]).Concat(e[3584..]).ToArray();
        WithLocators(img, (0, new ParentLocator(ParentLocator.W2ru, VhdConstants.MaxLocatorLength, VhdConstants.MaxLocatorLength, 0, 3584)));
        var fs = Img.Put(img);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
            Assert.Equal(Virtual, d.Length);
        var locator = Img.Load(fs, "/d/x.vhd").MetadataRegions.Single(r => r.Name == "parent locator 0");
        Assert.Equal((3584L, 3584L + VhdConstants.MaxLocatorLength), (locator.Start, locator.End));
    }

    [Fact]
    public void Locator_data_ending_on_a_sector_boundary_leaves_the_next_sector_to_another_locator()
    {
        var img = WithLocators(Empty(),
            (0, new ParentLocator(ParentLocator.W2ru, 512, 512, 0, 2048)),
            (1, new ParentLocator(ParentLocator.W2ku, 512, 512, 0, 2560)));
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(Virtual, d.Length);
    }

    [Fact]
    public void A_last_block_the_virtual_size_ends_inside_needs_only_its_used_sectors_in_the_file()
    {
        var img = Img.Dynamic(fill: d => d.Write(8L * Block, Img.Random(4, 100)));
        uint sector = Img.BatEntry(img, 8);
        long used = Virtual - 8L * Block; // 18432 bytes, 36 sectors
        int end = checked((int)(sector * 512L + 512 + used));
        var cut = img[..end].Concat(img[^512..]).ToArray(); // the end footer right after the used part
        var fs = Img.Put(cut);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
            Assert.Equal(Img.Random(4, 100), Img.ReadAll(d)[(8 * Block)..(8 * Block + 100)]);
        Assert.Equal(end, Img.Load(fs, "/d/x.vhd").BlocksEnd);

        var e = Img.OpenFails(cut[..(end - 512)].Concat(img[^512..]).ToArray()); // one sector short
        Assert.Equal("BAT entry 8", e.Field);
    }

    [Fact]
    public void Overlapping_blocks_are_named_by_their_sectors()
    {
        var img = Img.Dynamic(fill: d =>
        {
            d.Write(0, Img.Random(1, 100));
            d.Write(Block, Img.Random(2, 100));
        });
        Assert.Equal(7u, Img.BatEntry(img, 0));
        Img.SetBatEntry(img, 1, 8);
        var e = Img.OpenFails(img);
        Assert.Equal("BAT entry 1", e.Field);
        Assert.Contains("block at sector 8 overlaps block 0 at sector 7", e.Message);
    }

    [Fact]
    public void A_block_overlapping_the_table_is_named_by_its_sector()
    {
        var img = Img.Dynamic(fill: d =>
        {
            d.Write(0, Img.Random(1, 100));
            d.Write(Block, Img.Random(2, 100));
        });
        Img.SetBatEntry(img, 2, 3);
        var e = Img.OpenFails(img);
        Assert.Equal("BAT entry 2", e.Field);
        Assert.Contains("block at sector 3 overlaps the BAT (1536..2048)", e.Message);
    }

    [Fact]
    public void A_dynamic_image_with_a_parent_unique_id_opens_with_a_warning_naming_it()
    {
        var id = Guid.Parse("0123456789abcdef0123456789abcdef");
        var img = Empty();
        Img.PatchHeader(img, h => h with { ParentUniqueId = id });
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Contains("dynamic image carries parent unique id 0123456789abcdef0123456789abcdef", d.Warnings);
    }

    [Fact]
    public void A_dynamic_header_checksum_mismatch_accepted_by_the_options_is_a_warning_naming_both_values()
    {
        var img = Empty();
        var h = Img.Header(img);
        Img.PatchHeader(img, x => x with { Checksum = x.Checksum ^ 1 }, fixChecksum: false);
        Assert.Equal("dynamic header checksum", Img.OpenFails(img).Field);
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd", options: new VhdOpenOptions { AcceptChecksumMismatch = true });
        Assert.Contains($"dynamic header checksum 0x{h.Checksum ^ 1:x8} does not match the computed 0x{h.Checksum:x8} (accepted as the open options ask)", d.Warnings);
    }

    [Fact]
    public void A_511_byte_end_footer_stays_where_it_is_even_with_free_space_before_it()
    {
        var img = Empty()[..^1]; // 4095 bytes: the short footer at 3584, 1536 free bytes before it
        var fs = Img.Put(img);
        Assert.Equal(3584, Img.Load(fs, "/d/x.vhd").FooterOffset);
        using (var d = (DynamicDisk)VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite))
        {
            Assert.Equal(3584, d.EndFooterOffset);
            d.Write(0, [7]);
            d.Flush();
        }
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(7u, Img.BatEntry(after, 0)); // the new block where the short footer was
        Assert.Equal(Img.Footer(after, 0), Img.EndFooter(after));
    }

    [Fact]
    public void A_missing_end_footer_of_an_image_without_blocks_is_written_back_where_it_was()
    {
        var img = Empty();
        var copy = Img.Footer(img, 0);
        Array.Clear(img, 3584, 512);
        var fs = Img.Put(img);
        Assert.Equal(3584, Img.Load(fs, "/d/x.vhd").FooterOffset);
        using (VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite)) { }
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(4096, after.Length);
        Assert.Equal(copy, Img.EndFooter(after));
        Assert.Equal(img[..3584], after[..3584]);
    }

    [Fact]
    public void A_missing_end_footer_of_an_image_cut_after_its_table_is_written_back_after_the_table()
    {
        var img = Empty()[..2048]; // no free space, no end footer: the metadata ends the file
        var copy = Img.Footer(img, 0);
        var fs = Img.Put(img);
        Assert.Equal(2048, Img.Load(fs, "/d/x.vhd").FooterOffset);
        using (VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite)) { }
        var after = fs.File.ReadAllBytes("/d/x.vhd");
        Assert.Equal(2560, after.Length);
        Assert.Equal(copy, Img.EndFooter(after));
        Assert.Equal(img, after[..2048]);
    }

    [Fact]
    public void A_fixed_image_with_a_511_byte_footer_holds_exactly_the_data_before_it()
    {
        var img = Img.Fixed(1 * Img.M);
        Assert.Equal(0, img[^1]);
        var shorter = img[..^1];
        var fs = Img.Put(shorter);
        Assert.Equal(img.Length - 512, Img.Load(fs, "/d/x.vhd").FooterOffset);
        using var d = VirtualDisk.Open(fs, "/d/x.vhd");
        Assert.Equal(img.Length - 512, d.Length); // the virtual size: every data byte before the footer
    }

    [Fact]
    public void A_fixed_image_of_nothing_but_a_511_byte_footer_has_its_footer_at_offset_0()
    {
        var img = Img.Fixed(1 * Img.M)[^512..];
        var f = Img.Footer(img, 0) with { CurrentSize = 0, OriginalSize = 0 };
        Img.PutFooter(img, 0, f.WithChecksum());
        var fs = Img.Put(img[..511]);
        var m = Img.Load(fs, "/d/x.vhd");
        Assert.Equal(0, m.VirtualSize);
        Assert.Equal(0, m.FooterOffset);
    }
    /// <summary>
    /// The largest table the rules allow (536870911 entries, 2147483644 bytes, more than one byte
    /// array can hold) is read a chunk at a time and its entries checked. A sparse file on the real
    /// file system; its first entry points past the end, so the check stops there.
    /// </summary>
    [Fact]
    public void A_table_of_the_most_entries_allowed_is_read_and_its_first_entry_checked()
    {
        var img = Empty();
        const uint entries = VhdConstants.MaxTableEntries;
        Img.PatchHeader(img, h => h with { BlockSize = 512, MaxTableEntries = entries });
        Img.SetBatEntry(img, 0, 0xFFFFFFFE);
        long footerAt = 1536 + BlockAllocationTable.BytesOnDisk(entries); // the end footer right after the table
        string dir = Directory.CreateTempSubdirectory("storage-bat-").FullName;
        string path = Path.Combine(dir, "max.vhd");
        try
        {
            using (var f = File.Create(path))
            {
                f.Write(img.AsSpan(0, 2048));
                f.SetLength(footerAt + 512); // sparse: the rest of the table reads as zeros
                f.Position = footerAt;
                f.Write(img.AsSpan(img.Length - 512));
            }
            var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), path).Dispose());
            Assert.Equal("BAT entry 0", e.Field);
            Assert.Contains($"sector {0xFFFFFFFE}", e.Message);
            Assert.Contains($"extends past {footerAt}", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
