using System.Buffers.Binary;
using CsCheck;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Property;

/// <summary>
/// The on-disk records: parse(serialize(x)) == x field by field, serialize(parse(b)) == b for any
/// valid record, fields at the offsets of DESIGN.md §2 (written out here, not taken from the
/// engine's FieldLocations), the checksum, and the geometry rules.
/// </summary>
public class RecordPropertyTests
{
    private static readonly long Iterations = Soak.Iter(2000);

    [Fact]
    public void Footer_parse_of_serialize_is_identity_field_by_field()
    {
        Generators.Footer.Sample(f =>
        {
            var bytes = f.ToArray();
            Assert.Equal(512, bytes.Length);
            var back = VhdFooter.Read(bytes);
            Assert.Equal(f.Cookie, back.Cookie);
            Assert.Equal(f.Features, back.Features);
            Assert.Equal(f.FormatVersion, back.FormatVersion);
            Assert.Equal(f.DataOffset, back.DataOffset);
            Assert.Equal(f.Timestamp, back.Timestamp);
            Assert.Equal(f.CreatorApplication, back.CreatorApplication);
            Assert.Equal(f.CreatorVersion, back.CreatorVersion);
            Assert.Equal(f.CreatorHostOs, back.CreatorHostOs);
            Assert.Equal(f.OriginalSize, back.OriginalSize);
            Assert.Equal(f.CurrentSize, back.CurrentSize);
            Assert.Equal(f.Geometry, back.Geometry);
            Assert.Equal(f.DiskType, back.DiskType);
            Assert.Equal(f.Checksum, back.Checksum);
            Assert.Equal(f.UniqueId, back.UniqueId);
            Assert.Equal(f.SavedState, back.SavedState);
            Assert.Equal(f.Reserved.ToArray(), back.Reserved.ToArray());
            Assert.Equal(f, back);
            Assert.Equal(f.GetHashCode(), back.GetHashCode());
            Assert.Equal(f.ComputeChecksum(), back.ComputeChecksum());
            Assert.True(f.WithChecksum().HasValidChecksum);
        }, iter: Iterations);
    }

    [Fact]
    public void Footer_fields_sit_at_the_specification_offsets()
    {
        Generators.Footer.Sample(f =>
        {
            var b = f.ToArray();
            Assert.Equal(f.Cookie, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(0)));
            Assert.Equal(f.Features, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(8)));
            Assert.Equal(f.FormatVersion, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(12)));
            Assert.Equal(f.DataOffset, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(16)));
            Assert.Equal(f.Timestamp, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(24)));
            Assert.Equal(f.CreatorApplication, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(28)));
            Assert.Equal(f.CreatorVersion, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(32)));
            Assert.Equal(f.CreatorHostOs, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(36)));
            Assert.Equal(f.OriginalSize, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(40)));
            Assert.Equal(f.CurrentSize, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(48)));
            Assert.Equal(f.Geometry.Cylinders, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(56)));
            Assert.Equal(f.Geometry.Heads, b[58]);
            Assert.Equal(f.Geometry.SectorsPerTrack, b[59]);
            Assert.Equal((uint)f.DiskType, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(60)));
            Assert.Equal(f.Checksum, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(64)));
            Assert.Equal(f.UniqueId.ToByteArray(bigEndian: true), b[68..84]);
            Assert.Equal(f.SavedState, b[84]);
            Assert.Equal(f.Reserved.ToArray(), b[85..512]);
        }, iter: Iterations);
    }

    [Fact]
    public void Footer_serialize_of_parse_is_identity_for_every_valid_record()
    {
        Generators.ValidFooterBytes.Sample(b =>
        {
            var f = VhdFooter.Read(b);
            Assert.True(f.HasValidCookie);
            Assert.True(f.HasValidChecksum);
            Assert.Equal(b, f.ToArray());
            Assert.Equal(f, f.WithChecksum());
        }, iter: Iterations);
    }

    [Fact]
    public void Header_parse_of_serialize_is_identity_field_by_field()
    {
        Generators.Header.Sample(h =>
        {
            var bytes = h.ToArray();
            Assert.Equal(1024, bytes.Length);
            var back = DynamicHeader.Read(bytes);
            Assert.Equal(h.Cookie, back.Cookie);
            Assert.Equal(h.DataOffset, back.DataOffset);
            Assert.Equal(h.TableOffset, back.TableOffset);
            Assert.Equal(h.HeaderVersion, back.HeaderVersion);
            Assert.Equal(h.MaxTableEntries, back.MaxTableEntries);
            Assert.Equal(h.BlockSize, back.BlockSize);
            Assert.Equal(h.Checksum, back.Checksum);
            Assert.Equal(h.ParentUniqueId, back.ParentUniqueId);
            Assert.Equal(h.ParentTimestamp, back.ParentTimestamp);
            Assert.Equal(h.Reserved1, back.Reserved1);
            Assert.Equal(h.ParentUnicodeNameBytes.ToArray(), back.ParentUnicodeNameBytes.ToArray());
            Assert.Equal(h.ParentLocators.ToArray(), back.ParentLocators.ToArray());
            Assert.Equal(h.Reserved2.ToArray(), back.Reserved2.ToArray());
            Assert.Equal(h, back);
            Assert.Equal(h.GetHashCode(), back.GetHashCode());
            Assert.Equal(h.ParentUnicodeName, back.ParentUnicodeName);
            Assert.True(h.WithChecksum().HasValidChecksum);
        }, iter: Iterations);
    }

    [Fact]
    public void Header_fields_sit_at_the_specification_offsets()
    {
        Generators.Header.Sample(h =>
        {
            var b = h.ToArray();
            Assert.Equal(h.Cookie, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(0)));
            Assert.Equal(h.DataOffset, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(8)));
            Assert.Equal(h.TableOffset, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(16)));
            Assert.Equal(h.HeaderVersion, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(24)));
            Assert.Equal(h.MaxTableEntries, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(28)));
            Assert.Equal(h.BlockSize, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(32)));
            Assert.Equal(h.Checksum, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(36)));
            Assert.Equal(h.ParentUniqueId.ToByteArray(bigEndian: true), b[40..56]);
            Assert.Equal(h.ParentTimestamp, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(56)));
            Assert.Equal(h.ParentUnicodeNameBytes.ToArray(), b[64..576]);
            var locators = h.ParentLocators.Span;
            for (int i = 0; i < 8; i++)
            {
                int o = 576 + i * 24;
                Assert.Equal(locators[i].PlatformCode, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(o)));
                Assert.Equal(locators[i].PlatformDataSpace, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(o + 4)));
                Assert.Equal(locators[i].PlatformDataLength, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(o + 8)));
                Assert.Equal(locators[i].Reserved, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(o + 12)));
                Assert.Equal(locators[i].PlatformDataOffset, BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(o + 16)));
            }
            Assert.Equal(h.Reserved2.ToArray(), b[768..1024]);
        }, iter: Iterations);
    }

    [Fact]
    public void Header_serialize_of_parse_is_identity_for_every_valid_record()
    {
        Generators.ValidHeaderBytes.Sample(b =>
        {
            var h = DynamicHeader.Read(b);
            Assert.True(h.HasValidCookie);
            Assert.True(h.HasValidChecksum);
            Assert.Equal(b, h.ToArray());
        }, iter: Iterations);
    }

    [Fact]
    public void Locator_round_trips_and_reads_small_data_space_as_sectors()
    {
        Generators.Locator.Sample(l =>
        {
            var b = new byte[24];
            l.Write(b);
            Assert.Equal(l, ParentLocator.Read(b));
            var again = new byte[24];
            ParentLocator.Read(b).Write(again);
            Assert.Equal(b, again);
            long expected = l.PlatformDataSpace < 512 ? l.PlatformDataSpace * 512L : l.PlatformDataSpace;
            Assert.Equal(expected, l.DataSpaceBytes);
            Assert.Equal(l.PlatformCode == 0, l.IsEmpty);
        }, iter: Iterations);
    }

    [Fact]
    public void Locator_bytes_round_trip()
    {
        Gen.Byte.Array[24].Sample(b =>
        {
            var again = new byte[24];
            ParentLocator.Read(b).Write(again);
            Assert.Equal(b, again);
        }, iter: Iterations);
    }

    [Fact]
    public void Parent_name_encoding_round_trips_up_to_255_units()
    {
        Gen.Char.AlphaNumeric.Array[0, 300].Select(c => new string(c)).Sample(name =>
        {
            var field = DynamicHeader.EncodeParentName(name);
            Assert.Equal(512, field.Length);
            var h = new DynamicHeader { ParentUnicodeNameBytes = field };
            Assert.Equal(name[..Math.Min(name.Length, 255)], h.ParentUnicodeName);
        }, iter: Iterations);
    }

    [Fact]
    public void Checksum_is_the_ones_complement_of_the_byte_sum_without_the_field()
    {
        Gen.Select(Gen.Byte.Array[0, 1100], Gen.Int[0, 1100]).Sample((b, at) =>
        {
            uint sum = 0;
            for (int i = 0; i < b.Length; i++) if (i < at || i >= at + 4) sum += b[i];
            Assert.Equal(~sum, VhdChecksum.Compute(b, at));
        }, iter: Iterations);
    }

    [Fact]
    public void Geometry_field_round_trips()
    {
        Gen.UInt.Sample(v =>
        {
            var g = DiskGeometry.FromUInt32(v);
            Assert.Equal(v, g.ToUInt32());
            Assert.Equal((long)g.Cylinders * g.Heads * g.SectorsPerTrack, g.TotalSectors);
        }, iter: Iterations);
    }

    /// <summary>Sector counts, with the boundaries of the CHS algorithm's branches favoured.</summary>
    private static readonly Gen<long> SectorCounts = Gen.Frequency(
        (3, Gen.Long[0, 4096]),
        (3, Gen.Long[0, DiskGeometry.Max.TotalSectors + 100_000]),
        (1, Gen.Long[0, 1L << 40]),
        (3, Gen.Select(Gen.OneOf(
                65535L * 16 * 63, 65535L * 16 * 255, 1024L * 17 * 4, 1024L * 17 * 16, 1024L * 31 * 16, 1024L * 63 * 16,
                65535L * 16 * 17, 65535L * 16 * 31, 17L, 68L, 1L),
            Gen.Long[-300, 300], (b, d) => Math.Max(0, b + d))));

    [Fact]
    public void FromSectors_never_addresses_more_than_requested_capped_at_max()
    {
        SectorCounts.Sample(n =>
        {
            var g = DiskGeometry.FromSectors(n);
            Assert.True(g.TotalSectors <= Math.Min(n, DiskGeometry.Max.TotalSectors), $"{n} sectors -> {g} = {g.TotalSectors}");
            Assert.True(g.SectorsPerTrack is 17 or 31 or 63 or 255, $"spt {g.SectorsPerTrack}");
            Assert.InRange(g.Heads, (byte)4, (byte)16);
            Assert.Equal(QemuCalculateGeometry(n), g);
        }, iter: Iterations);
    }

    [Fact]
    public void ForCreate_is_the_smallest_spec_geometry_covering_the_size_as_qemu_img_rounds()
    {
        var bytes = Gen.Frequency(
            (2, Gen.Long[1, 64L << 20]),
            (2, SectorCounts.Select(s => s * 512)),
            (1, Gen.Long[1, 2040L << 30]),
            (1, Gen.Select(SectorCounts, Gen.Long[-511, 511], (s, d) => Math.Max(1, s * 512 + d))));
        bytes.Sample(n =>
        {
            var (g, size) = DiskGeometry.ForCreate(n);
            long rounded = (n + 511) / 512 * 512;
            Assert.True(size >= rounded, $"{n} -> {size}");
            Assert.Equal(0, size % 512);
            var (qg, qsize) = QemuCreateGeometry(rounded);
            Assert.Equal(qg, g);
            Assert.Equal(qsize, size);
            if (g != DiskGeometry.Max)
            {
                Assert.Equal(g.TotalBytes, size);
                // Smallest: every spec geometry the loop passed over addresses less than asked.
                long wanted = rounded / 512;
                for (long k = wanted; k < g.TotalSectors; k++)
                    if (DiskGeometry.FromSectors(k).TotalSectors >= wanted)
                    {
                        Assert.Equal(g, DiskGeometry.FromSectors(k));
                        break;
                    }
            }
            else
            {
                Assert.Equal(rounded, size);
            }
        }, iter: Soak.Iter(500));
    }

    [Fact]
    public void Virtual_size_rule_uses_chs_only_for_virtual_pc_creators_without_max_geometry()
    {
        Generators.Footer.Sample(f =>
        {
            bool vpc = f.CreatorApplication == FourCc.FromText("vpc ") || f.CreatorApplication == FourCc.FromText("qemu");
            bool chs = vpc && f.Geometry != DiskGeometry.Max;
            Assert.Equal(chs, VirtualSizeRule.UsesGeometry(f));
            Assert.Equal(chs ? (ulong)f.Geometry.TotalBytes : f.CurrentSize, VirtualSizeRule.VirtualSize(f));
        }, iter: Iterations);
        var vpcFooters = Gen.Select(Generators.Footer, Gen.OneOf("vpc ", "qemu", "qem2", "win ", "d2v\0", "wa\0\0"), Gen.Bool)
            .Select((f, app, max) => f with { CreatorApplication = FourCc.FromText(app), Geometry = max ? DiskGeometry.Max : f.Geometry });
        vpcFooters.Sample(f =>
        {
            bool chs = f.CreatorApplicationText is "vpc " or "qemu" && f.Geometry != DiskGeometry.Max;
            Assert.Equal(chs ? (ulong)f.Geometry.TotalBytes : f.CurrentSize, VirtualSizeRule.VirtualSize(f));
        }, iter: Iterations);
    }

    /// <summary>qemu block/vpc.c calculate_geometry, transcribed (uint8/uint16 truncation included).</summary>
    private static DiskGeometry QemuCalculateGeometry(long totalSectors)
    {
        const long maxGeometry = 65535L * 16 * 255;
        totalSectors = Math.Min(totalSectors, maxGeometry);
        byte secsPerCyl, heads;
        uint cylsTimesHeads;
        if (totalSectors >= 65535L * 16 * 63)
        {
            secsPerCyl = 255;
            heads = 16;
            cylsTimesHeads = (uint)(totalSectors / secsPerCyl);
        }
        else
        {
            secsPerCyl = 17;
            cylsTimesHeads = (uint)(totalSectors / secsPerCyl);
            heads = (byte)((cylsTimesHeads + 1023) / 1024);
            if (heads < 4) heads = 4;
            if (cylsTimesHeads >= heads * 1024u || heads > 16)
            {
                secsPerCyl = 31;
                heads = 16;
                cylsTimesHeads = (uint)(totalSectors / secsPerCyl);
            }
            if (cylsTimesHeads >= heads * 1024u)
            {
                secsPerCyl = 63;
                heads = 16;
                cylsTimesHeads = (uint)(totalSectors / secsPerCyl);
            }
        }
        return new DiskGeometry((ushort)(cylsTimesHeads / heads), heads, secsPerCyl);
    }

    /// <summary>qemu block/vpc.c vpc_create's rounding loop (without force_size), for a sector-rounded size.</summary>
    private static (DiskGeometry, long) QemuCreateGeometry(long totalSize)
    {
        const long maxGeometry = 65535L * 16 * 255;
        long totalSectors = Math.Min(maxGeometry, totalSize / 512);
        DiskGeometry g = default;
        for (long i = 0; totalSectors > g.TotalSectors; i++)
            g = QemuCalculateGeometry(totalSectors + i);
        if (g.TotalSectors == maxGeometry) return (g, totalSize / 512 * 512);
        return (g, g.TotalSectors * 512);
    }
}
