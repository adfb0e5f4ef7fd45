using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Which footer counts, by where it is: 512 bytes at the end, an old 511-byte one, the copy at
/// offset 0; files of one or two footers; what open says about them (warnings, the errors naming
/// a footer whose checksum alone is wrong, the cookie bytes found when there is none).
/// </summary>
public class FooterPlacementTests
{
    private const string Path = "/d/x.vhd";

    /// <summary>The footer of a fixed image of no data: the whole image is this footer.</summary>
    private static byte[] EmptyFixedFooter() =>
        (Img.EndFooter(Img.Fixed()) with { CurrentSize = 0, OriginalSize = 0 }).WithChecksum().ToArray();

    [Fact]
    public void A_file_shorter_than_511_bytes_is_refused_naming_the_511_bytes_a_footer_needs()
    {
        var e = Img.OpenFails(EmptyFixedFooter()[..510]);
        Assert.Equal("file length", e.Field);
        Assert.Equal($"{e.Path}: file length: 510 bytes is smaller than a footer (511 bytes at least)", e.Message);
    }

    [Fact]
    public void A_file_of_one_511_byte_footer_is_an_empty_fixed_image_with_a_warning()
    {
        var img = EmptyFixedFooter()[..511];
        using var d = VirtualDisk.Open(Img.Put(img), Path);
        Assert.Equal(0, d.Length);
        Assert.Equal(VhdDiskType.Fixed, d.Info.DiskType);
        Assert.Equal(511, d.Info.FileLength);
        Assert.Equal(["end footer at 0 is a 511-byte footer"], d.Info.Warnings);
    }

    [Fact]
    public void A_file_of_one_512_byte_footer_is_an_empty_fixed_image()
    {
        var img = EmptyFixedFooter();
        using var d = VirtualDisk.Open(Img.Put(img), Path);
        Assert.Equal(0, d.Length);
        Assert.Equal(VhdDiskType.Fixed, d.Info.DiskType);
        Assert.Equal(512, d.Info.FileLength);
        Assert.Empty(d.Info.Warnings);
    }

    [Fact]
    public void An_old_virtual_pc_511_byte_footer_after_the_data_is_named_in_the_warnings()
    {
        var img = Img.Fixed();
        var shorter = img[..^1]; // the footer's last byte (reserved, zero) left out
        using var d = VirtualDisk.Open(Img.Put(shorter), Path);
        Assert.Equal(img.Length - 512, d.Length);
        Assert.Equal([$"end footer at {img.Length - 512} is a 511-byte footer"], d.Info.Warnings);
    }

    [Fact]
    public void A_511_byte_footer_one_byte_past_the_sector_is_named_in_the_warnings()
    {
        // 1000 data bytes, then the footer's first 511 bytes: the 512 at the end hold no cookie.
        var footer = (Img.EndFooter(Img.Fixed()) with { CurrentSize = 512, OriginalSize = 512 }).WithChecksum().ToArray();
        var img = new byte[1000 + 511];
        footer.AsSpan(0, 511).CopyTo(img.AsSpan(1000));
        using var d = VirtualDisk.Open(Img.Put(img), Path);
        Assert.Equal(512, d.Length);
        Assert.Equal(["end footer at 1000 is a 511-byte footer"], d.Info.Warnings);
    }

    [Fact]
    public void A_dynamic_image_whose_end_footer_checksum_alone_is_wrong_opens_with_the_copy_and_says_the_end_one_is_missing()
    {
        var img = Img.Dynamic();
        img[img.Length - 512 + 200] ^= 0x10; // a reserved byte: only the checksum no longer matches
        using var d = VirtualDisk.Open(Img.Put(img), Path);
        Assert.Equal(Img.Footer(img, 0), d.Footer);
        Assert.Equal(["no valid footer at the end of the file; the copy at offset 0 is used"], d.Info.Warnings);
    }

    /// <summary>A dynamic footer (its header at 512) and the same with format version 2, both with valid checksums.</summary>
    private static (VhdFooter Good, VhdFooter Version2) TwoDynamicFooters()
    {
        var good = Img.Footer(Img.Dynamic(), 0);
        return (good, (good with { FormatVersion = 0x00020000 }).WithChecksum());
    }

    [Fact]
    public void In_a_file_of_exactly_two_footers_the_dynamic_footer_at_offset_0_counts()
    {
        var (good, version2) = TwoDynamicFooters();
        var img = new byte[1024];
        version2.Write(img.AsSpan(0, 512));
        good.Write(img.AsSpan(512, 512));
        var e = Img.OpenFails(img);
        Assert.Equal("footer format version", e.Field);
    }

    [Fact]
    public void In_a_file_too_short_for_two_footers_the_footer_at_the_end_counts_not_the_one_at_offset_0()
    {
        // 1000 bytes: a footer at 0 and one at 488 share 24 bytes (the end one's first 24 are the
        // reserved tail of the one at 0). Both are valid; only the end one counts.
        var (good, version2) = TwoDynamicFooters();
        var end = good.ToArray();
        var reserved = version2.Reserved.ToArray();
        end.AsSpan(0, 24).CopyTo(reserved.AsSpan(488 - FooterFieldLocations.Reserved));
        var start = (version2 with { Reserved = reserved }).WithChecksum();
        var img = new byte[1000];
        start.Write(img.AsSpan(0, 512));
        end.CopyTo(img.AsSpan(488));
        Assert.True(VhdFooter.Read(img.AsSpan(0, 512)).HasValidChecksum);
        Assert.True(VhdFooter.Read(img.AsSpan(488)).HasValidChecksum);
        var e = Img.OpenFails(img);
        // The end footer's dynamic header (at 512) cannot fit before that footer at 488.
        Assert.Equal($"{e.Path}: footer data offset: 512 places the 1024-byte dynamic header outside [512, -536] (file length 1000)", e.Message);
    }

    [Fact]
    public void A_fixed_image_whose_footer_checksum_alone_is_wrong_is_refused_naming_both_checksums()
    {
        var img = Img.Fixed();
        img[img.Length - 512 + 200] ^= 0x10;
        var end = Img.EndFooter(img);
        var e = Img.OpenFails(img);
        Assert.Equal($"{e.Path}: footer checksum: 0x{end.Checksum:x8} does not match the computed 0x{end.ComputeChecksum():x8}", e.Message);
    }

    [Fact]
    public void A_fixed_image_whose_511_byte_footer_checksum_alone_is_wrong_is_refused_naming_both_checksums()
    {
        var img = Img.Fixed()[..^1];
        img[img.Length - 511 + 200] ^= 0x10;
        var padded = new byte[512];
        img.AsSpan(img.Length - 511).CopyTo(padded);
        var end = VhdFooter.Read(padded);
        var e = Img.OpenFails(img);
        Assert.Equal($"{e.Path}: footer checksum: 0x{end.Checksum:x8} does not match the computed 0x{end.ComputeChecksum():x8}", e.Message);
    }

    [Fact]
    public void A_dynamic_image_with_no_end_footer_and_a_copy_whose_checksum_alone_is_wrong_is_refused_naming_both_checksums()
    {
        var img = Img.Dynamic();
        img[img.Length - 512] ^= 0x20; // end: cookie broken, so it is no footer at all
        img[200] ^= 0x10;              // copy: a reserved byte, so only its checksum is wrong
        var copy = Img.Footer(img, 0);
        var e = Img.OpenFails(img);
        Assert.Equal($"{e.Path}: footer checksum: 0x{copy.Checksum:x8} does not match the computed 0x{copy.ComputeChecksum():x8}", e.Message);
    }

    [Fact]
    public void No_valid_footer_shows_the_cookie_bytes_found_with_the_unprintable_ones_as_dots()
    {
        var img = new byte[2048];
        byte[] cookie = [0x20, (byte)'a', 0x7F, 0x1F, (byte)'~', 0x80, (byte)'!', 0x00];
        cookie.CopyTo(img, img.Length - 512);
        var e = Img.OpenFails(img);
        Assert.Equal("footer", e.Field);
        Assert.Contains("cookie at the end is ' a..~.!.' (expected 'conectix'", e.Message);
    }
}
