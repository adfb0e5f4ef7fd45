using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>Builds the public <see cref="VhdImageInfo"/> of an open disk from its validated metadata.</summary>
internal static class ImageInfoReader
{
    /// <summary>The non-empty parent locators, decoded (read from the file: called once per open disk).</summary>
    public static IReadOnlyList<VhdParentLocatorInfo> Locators(BlockFile file, ImageMetadata metadata)
    {
        if (metadata.Header is not { } header) return [];
        var list = new List<VhdParentLocatorInfo>();
        foreach (var l in header.ParentLocators.Span)
        {
            if (l.IsEmpty) continue;
            string? location = l.PlatformDataLength == 0 ? null : ParentLocatorResolver.ReadText(file, l);
            list.Add(new VhdParentLocatorInfo(l.PlatformCodeText, location, (long)l.PlatformDataOffset, l.PlatformDataLength, l.DataSpaceBytes));
        }
        return list.AsReadOnly();
    }

    /// <summary>What <paramref name="disk"/>'s file says now; the caller holds the disk's lock.</summary>
    public static VhdImageInfo Describe(VirtualDisk disk, ImageMetadata metadata, IReadOnlyList<VhdParentLocatorInfo> locators)
    {
        var f = metadata.Footer;
        var h = metadata.Header;
        bool differencing = f.DiskType == VhdDiskType.Differencing && h is not null;
        return new VhdImageInfo
        {
            Path = disk.Path,
            DiskType = f.DiskType,
            VirtualSize = disk.Length,
            CurrentSize = f.CurrentSize,
            OriginalSize = f.OriginalSize,
            Cylinders = f.Geometry.Cylinders,
            Heads = f.Geometry.Heads,
            SectorsPerTrack = f.Geometry.SectorsPerTrack,
            CreatorApplication = f.CreatorApplicationText,
            CreatorVersion = new Version((int)(f.CreatorVersion >> 16), (int)(f.CreatorVersion & 0xFFFF)),
            CreatorHostOs = f.CreatorHostOsText,
            Timestamp = ToTime(f.Timestamp),
            UniqueId = f.UniqueId,
            SavedState = f.SavedState != 0,
            Features = f.Features,
            BlockSize = disk.BlockSize,
            MaxTableEntries = h?.MaxTableEntries ?? 0,
            AllocatedBlocks = disk.AllocatedBlocks,
            FileLength = disk.FileLength,
            ParentUniqueId = differencing ? h!.ParentUniqueId : null,
            ParentName = differencing ? h!.ParentUnicodeName : null,
            ParentTimestamp = differencing && h!.ParentTimestamp != 0 ? ToTime(h.ParentTimestamp) : null,
            ParentLocators = locators,
            Warnings = metadata.Warnings.ToArray().AsReadOnly(),
        };
    }

    /// <summary>A VHD timestamp (seconds since 2000-01-01 UTC) as a point in time.</summary>
    private static DateTimeOffset ToTime(uint seconds) => new DateTimeOffset(VhdConstants.Epoch).AddSeconds(seconds);
}
