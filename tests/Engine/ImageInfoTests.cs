using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// <see cref="VirtualDisk.Info"/>, field by field, for fixed, dynamic and differencing images: made
/// here, patched, and the real samples (values as their bytes and samples/README.md say).
/// </summary>
public class ImageInfoTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private const int M = 1 << 20, Block = 512 << 10;
    private static readonly DateTimeOffset Made = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private static readonly Guid ParentId = Guid.Parse("0102030405060708090a0b0c0d0e0f10");
    private static readonly VhdParentLocatorInfo[] NoLocators = [];
    private static readonly string[] NoWarnings = [];

    /// <summary>Every field of <paramref name="actual"/>, the two lists by their items.</summary>
    private static void AssertInfo(VhdImageInfo expected, VhdImageInfo actual)
    {
        Assert.Equal(expected.ParentLocators, actual.ParentLocators);
        Assert.Equal(expected.Warnings, actual.Warnings);
        Assert.Equal(expected with { ParentLocators = NoLocators, Warnings = NoWarnings }, actual with { ParentLocators = NoLocators, Warnings = NoWarnings });
    }

    /// <summary>What a 4 MiB dynamic image with 512 KiB blocks made by this engine at <see cref="Made"/> says (121/4/17 sectors, 9 blocks).</summary>
    private static VhdImageInfo MadeDynamic(string path, Guid id) => new()
    {
        Path = path, DiskType = VhdDiskType.Dynamic, VirtualSize = 4212736, CurrentSize = 4212736, OriginalSize = 4212736,
        Cylinders = 121, Heads = 4, SectorsPerTrack = 17, CreatorApplication = "svhd", CreatorVersion = new Version(1, 0),
        CreatorHostOs = "Wi2k", Timestamp = Made, UniqueId = id, SavedState = false, Features = 2,
        BlockSize = Block, MaxTableEntries = 9, AllocatedBlocks = 0, FileLength = 4096,
    };

    [Fact]
    public void Info_of_a_fixed_image_reports_its_footer_and_no_block_or_parent_fields()
    {
        var fs = Img.NewFs();
        var id = Guid.Parse("00112233445566778899aabbccddeeff");
        VirtualDisk.Create(fs, "/d/f.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = 1 * M, UniqueId = id, Timestamp = Made }).Dispose();
        using var d = VirtualDisk.Open(fs, "/d/f.vhd");
        // 1 MiB rounds up to 31/4/17 sectors: 1079296 bytes, the footer after them.
        AssertInfo(new VhdImageInfo
        {
            Path = "/d/f.vhd", DiskType = VhdDiskType.Fixed, VirtualSize = 1079296, CurrentSize = 1079296, OriginalSize = 1079296,
            Cylinders = 31, Heads = 4, SectorsPerTrack = 17, CreatorApplication = "svhd", CreatorVersion = new Version(1, 0),
            CreatorHostOs = "Wi2k", Timestamp = Made, UniqueId = id, SavedState = false, Features = 2,
            BlockSize = 0, MaxTableEntries = 0, AllocatedBlocks = 0, FileLength = 1079808,
            ParentUniqueId = null, ParentName = null, ParentTimestamp = null,
        }, d.Info);
    }

    [Fact]
    public void Info_of_a_dynamic_image_reports_no_parent_fields_even_when_its_header_holds_some()
    {
        var img = Img.Dynamic();
        Img.PatchFooters(img, f => f with { Timestamp = VhdConstants.ToTimestamp(Made.UtcDateTime), UniqueId = ParentId });
        // Only a differencing image has a parent: stray values in a dynamic header are not reported.
        Img.PatchHeader(img, h => h with
        {
            ParentUniqueId = Guid.Parse("ffeeddccbbaa99887766554433221100"),
            ParentTimestamp = 12345,
            ParentUnicodeNameBytes = DynamicHeader.EncodeParentName("stray.vhd"),
        });
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        AssertInfo(MadeDynamic("/d/x.vhd", ParentId) with { Warnings = ["dynamic image carries parent unique id ffeeddccbbaa99887766554433221100"] }, d.Info);
    }

    [Fact]
    public void Info_reports_the_saved_state_flag_of_the_footer()
    {
        var img = Img.Dynamic();
        Img.PatchFooters(img, f => f with { Timestamp = VhdConstants.ToTimestamp(Made.UtcDateTime), UniqueId = ParentId, SavedState = 1 });
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        AssertInfo(MadeDynamic("/d/x.vhd", ParentId) with { SavedState = true }, d.Info);
    }

    [Fact]
    public void Info_of_a_differencing_image_reports_its_locators_and_the_parents_id_name_and_time()
    {
        var fs = Img.NewFs();
        VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block, UniqueId = ParentId, Timestamp = Made }).Dispose();
        var parentTime = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        fs.File.SetLastWriteTimeUtc("/d/p.vhd", parentTime.UtcDateTime);
        fs.Directory.CreateDirectory("/d/sub");
        Guid childId;
        DateTimeOffset childTime;
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/sub/c.vhd", "/d/p.vhd"))
        {
            childId = c.Info.UniqueId;
            childTime = c.Info.Timestamp;
        }
        var expected = MadeDynamic("/d/sub/c.vhd", childId) with
        {
            DiskType = VhdDiskType.Differencing, Timestamp = childTime,
            ParentUniqueId = ParentId, ParentName = @"\d\p.vhd", ParentTimestamp = parentTime,
            ParentLocators =
            [
                new VhdParentLocatorInfo("W2ru", @"..\p.vhd", 2048, 16, 512),
                new VhdParentLocatorInfo("W2ku", @"\d\p.vhd", 2560, 16, 512),
            ],
        };
        using (var c = VirtualDisk.Open(fs, "/d/sub/c.vhd", FileAccess.ReadWrite))
        {
            AssertInfo(expected, c.Info);
            c.Write(0, new byte[512]);
            c.Flush();
            // One block: its 512-byte bitmap at 3584 so that its data starts 4 KiB-aligned at 4096; the footer after it.
            AssertInfo(expected with { AllocatedBlocks = 1, FileLength = 4096 + Block + 512 }, c.Info);
        }
    }

    [Fact]
    public void A_locator_with_no_data_is_listed_without_a_location()
    {
        var fs = Img.NewFs();
        VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block, UniqueId = ParentId, Timestamp = Made }).Dispose();
        VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd").Dispose();
        var img = fs.File.ReadAllBytes("/d/c.vhd");
        Img.PatchHeader(img, h =>
        {
            var locators = h.ParentLocators.ToArray();
            // A W2ku entry with one sector of space but no data: nothing to read, so no text.
            locators[3] = new ParentLocator(ParentLocator.W2ku, 1, 0, 0, 3072);
            return h with { ParentLocators = locators };
        });
        fs.File.WriteAllBytes("/d/c.vhd", img);
        using var c = VirtualDisk.Open(fs, "/d/c.vhd");
        Assert.Equal(
            [
                new VhdParentLocatorInfo("W2ru", @".\p.vhd", 2048, 14, 512),
                new VhdParentLocatorInfo("W2ku", @"\d\p.vhd", 2560, 16, 512),
                new VhdParentLocatorInfo("W2ku", null, 3072, 0, 512),
            ], c.Info.ParentLocators);
    }

    [Theory]
    // name, virtual size, current size, C/H/S, creator, version, timestamp, unique id, BAT entries, allocated, file length
    [InlineData("virtualpc-dynamic.vhd", 136363130880L, 136365211648L, 65278, 16, 255, "vpc ", 1, 0, "2016-02-17T09:28:36Z", "33ea001361914d02b93f88af84296f85", 65024, 0, 262656L)]
    [InlineData("hyperv2012r2-dynamic.vhd", 136365211648L, 136365211648L, 65278, 16, 255, "win ", 6, 3, "2016-02-19T08:29:43Z", "6d2d5fc8eebade4c8ceede3a12db7c98", 65024, 0, 266240L)]
    [InlineData("d2v-zerofilled.vhd", 263454720L, 263454720L, 65535, 16, 255, "d2v\\0", 1, 0, "2016-02-25T16:51:27Z", "e7b829fde66dba49ac196ebdab26cea3", 126, 126, 264308224L)]
    [InlineData("ext2.vhd", 4212736L, 4212736L, 121, 4, 17, "qemu", 5, 3, "2021-07-22T14:07:35Z", "b61f53caa786452890e255ba791a1c4c", 3, 1, 2100224L)]
    public void Info_of_the_dynamic_samples_is_what_their_footers_and_headers_say(
        string name, long virtualSize, long currentSize, int cylinders, int heads, int sectors, string creator, int major, int minor,
        string time, string id, long entries, long allocated, long fileLength)
    {
        string path = samples.Get(name);
        using var d = VirtualDisk.Open(new FileSystem(), path);
        AssertInfo(new VhdImageInfo
        {
            Path = path, DiskType = VhdDiskType.Dynamic, VirtualSize = virtualSize, CurrentSize = (ulong)currentSize, OriginalSize = (ulong)currentSize,
            Cylinders = cylinders, Heads = heads, SectorsPerTrack = sectors, CreatorApplication = creator, CreatorVersion = new Version(major, minor),
            CreatorHostOs = "Wi2k", Timestamp = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), UniqueId = Guid.Parse(id),
            SavedState = false, Features = 2, BlockSize = 2 * M, MaxTableEntries = entries, AllocatedBlocks = allocated, FileLength = fileLength,
        }, d.Info);
    }

    [Fact]
    public void Info_of_the_windows_differencing_sample_reports_both_locators_and_no_parent_time()
    {
        var fs = Img.NewFs();
        fs.File.WriteAllBytes("/d/fat-differential.vhd", samples.Bytes("fat-differential.vhd"));
        var parentId = Guid.Parse("5fa21a55f394aa4d99581951a67d5540");
        VirtualDisk.Create(fs, "/d/fat-parent.vhd", new VhdCreateOptions { Size = 4194304, ExactSize = true, UniqueId = parentId }).Dispose();
        using var d = VirtualDisk.Open(fs, "/d/fat-differential.vhd");
        AssertInfo(new VhdImageInfo
        {
            Path = "/d/fat-differential.vhd", DiskType = VhdDiskType.Differencing, VirtualSize = 4194304, CurrentSize = 4194304, OriginalSize = 4194304,
            Cylinders = 120, Heads = 4, SectorsPerTrack = 17, CreatorApplication = "win ", CreatorVersion = new Version(10, 0), CreatorHostOs = "Wi2k",
            Timestamp = new DateTimeOffset(2020, 10, 14, 10, 23, 23, TimeSpan.Zero), UniqueId = Guid.Parse("f84f1636cd9e9041a69edcc2380e416a"),
            SavedState = false, Features = 2, BlockSize = 2 * M, MaxTableEntries = 2, AllocatedBlocks = 1, FileLength = 2183168,
            // The header records parent time 0: not recorded, so none is reported.
            ParentUniqueId = parentId, ParentName = @"C:\Projects\dfvfs\test_data\fat-parent.vhd", ParentTimestamp = null,
            ParentLocators =
            [
                new VhdParentLocatorInfo("W2ku", @"C:\Projects\dfvfs\test_data\fat-parent.vhd", 4096, 84, 4096),
                new VhdParentLocatorInfo("W2ru", @".\fat-parent.vhd", 12288, 32, 65536),
            ],
        }, d.Info);
    }

    [Fact]
    public void Info_of_the_dfvfs_pair_opened_despite_their_checksums_names_the_parent_and_warns()
    {
        var fs = Img.NewFs();
        fs.File.WriteAllBytes("/d/image.vhd", samples.Bytes("image.vhd"));
        fs.File.WriteAllBytes("/d/image-differential.vhd", samples.Bytes("image-differential.vhd"));
        using var d = VirtualDisk.Open(fs, "/d/image-differential.vhd", FileAccess.Read, new VhdOpenOptions { AcceptChecksumMismatch = true });
        var parent = new VhdImageInfo
        {
            Path = "/d/image.vhd", DiskType = VhdDiskType.Dynamic, VirtualSize = 104448, CurrentSize = 104448, OriginalSize = 104448,
            Cylinders = 3, Heads = 4, SectorsPerTrack = 17, CreatorApplication = "qemu", CreatorVersion = new Version(5, 3), CreatorHostOs = "Wi2k",
            Timestamp = new DateTimeOffset(2013, 12, 10, 6, 40, 42, TimeSpan.Zero), UniqueId = Guid.Parse("d49c5c80350a4a89898a5ad6d10f6578"),
            SavedState = false, Features = 2, BlockSize = 2 * M, MaxTableEntries = 1, AllocatedBlocks = 1, FileLength = 2100224,
            Warnings = ["footer checksum 0xfffff683 does not match the computed 0xffffef25 (accepted as the open options ask)"],
        };
        AssertInfo(parent, d.Parent!.Info);
        AssertInfo(parent with
        {
            Path = "/d/image-differential.vhd", DiskType = VhdDiskType.Differencing, UniqueId = Guid.Parse("40d56d369ab84fe4a31a121fe2bf15eb"),
            ParentUniqueId = Guid.Parse("d49c5c80350a4a89898a5ad6d10f6578"), ParentName = "image.vhd", ParentTimestamp = null,
            Warnings = ["footer checksum 0xfffff683 does not match the computed 0xffffeeb6 (accepted as the open options ask)", "dynamic header checksum 0xfffff476 does not match the computed 0xffffe9a5 (accepted as the open options ask)"],
        }, d.Info);
    }
}
