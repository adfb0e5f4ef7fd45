using System.Buffers;
using System.IO.Abstractions;
using System.Text;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

public abstract partial class VirtualDisk
{
    /// <summary>Creator application written into new images.</summary>
    internal static readonly uint CreatorApplication = FourCc.FromText("svhd");

    /// <summary>
    /// Creates a fixed or dynamic image and opens it read-write (locked exclusively). The image is
    /// built under a temporary name, fsynced and then renamed, and its directory fsynced, so a crash
    /// never leaves a half-made image at <paramref name="path"/>, and once this returns the image exists.
    /// </summary>
    /// <param name="fs">The file system to create it on.</param>
    /// <param name="path">The new image file; must not exist.</param>
    /// <param name="options">Type, size, block size...</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><see cref="VhdCreateOptions.Type"/> is not fixed or dynamic.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or over <see cref="VhdCreateOptions.MaxSize"/>, or the block size is not a power of two in range.</exception>
    /// <exception cref="VhdException">A file exists at <paramref name="path"/>.</exception>
    /// <exception cref="VhdIOException">The file cannot be created or written (nothing is left behind).</exception>
    public static VirtualDisk Create(IFileSystem fs, string path, VhdCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        string full = fs.Path.GetFullPath(path);
        var (geometry, size) = CheckCreate(full, options);
        var footer = NewFooter(options.Type, size, geometry, options.UniqueId, options.Timestamp);
        WriteAtomically(fs, full, file =>
        {
            if (options.Type == VhdDiskType.Fixed)
            {
                file.SetLength(size + VhdConstants.FooterSize);
                file.WriteAt(size, footer.ToArray());
            }
            else
            {
                WriteDynamicLayout(file, footer, options.BlockSize, Guid.Empty, 0, "", []);
            }
        });
        return OpenInChain(fs, full, writable: true, VhdOpenOptions.Default, new ChainContext());
    }

    /// <summary>
    /// Creates a differencing image at <paramref name="path"/> over <paramref name="parentPath"/>
    /// and opens it read-write. The parent's unique id and timestamp are recorded, with its name
    /// and both a relative (W2ru) and an absolute (W2ku) locator. The parent is not frozen: writing
    /// it later changes what the child reads (<see cref="Maintenance.VhdMaintenance.Snapshot"/> freezes it).
    /// </summary>
    /// <param name="fs">The file system both images live on.</param>
    /// <param name="path">The new differencing image; must not exist.</param>
    /// <param name="parentPath">The existing image it reads through to.</param>
    /// <param name="options">How to open the parent and the child (ForceShare is ignored); null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/>, <paramref name="path"/> or <paramref name="parentPath"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <paramref name="parentPath"/>.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="parentPath"/>.</exception>
    /// <exception cref="VhdFormatException">The parent (or one of its parents) is malformed.</exception>
    /// <exception cref="VhdImageInUseException">A writer holds the parent.</exception>
    /// <exception cref="VhdException">A file exists at <paramref name="path"/>.</exception>
    /// <exception cref="VhdIOException">The file cannot be created or written (nothing is left behind).</exception>
    public static VirtualDisk CreateDifferencing(IFileSystem fs, string path, string parentPath, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parentPath);
        options = (options ?? VhdOpenOptions.Default) with { ForceShare = false };
        string full = fs.Path.GetFullPath(path);
        string parentFull = fs.Path.GetFullPath(parentPath);
        if (full == parentFull)
            throw new ArgumentException($"{full}: cannot be its own parent", nameof(parentPath));
        // The parent stays open (locked shared) until the child holds it itself: no writer can
        // change it between reading its id and the child's first open.
        using var parent = Open(fs, parentFull, FileAccess.Read, options);
        var parentFooter = parent.Footer;
        int blockSize = parent.BlockSize > 0 ? parent.BlockSize : VhdConstants.DefaultBlockSize;
        uint parentTime = VhdConstants.ToTimestamp(fs.File.GetLastWriteTimeUtc(parentFull));
        var footer = NewFooter(VhdDiskType.Differencing, parent.Length, parentFooter.Geometry, null, null);
        var locators = ParentLocatorData(fs, full, parentFull);
        WriteAtomically(fs, full, file =>
            WriteDynamicLayout(file, footer, blockSize, parentFooter.UniqueId, parentTime, ParentLocatorResolver.ToAbsoluteWindowsPath(parentFull), locators));
        try
        {
            return OpenInChain(fs, full, writable: true, options, new ChainContext());
        }
        catch
        {
            // A child that cannot be opened (its parent taken meanwhile) is not left behind.
            TryDelete(fs, full);
            throw;
        }
    }

    /// <summary>The locators a child at <paramref name="childFull"/> gets for <paramref name="parentFull"/>: W2ru (relative) and W2ku (absolute).</summary>
    internal static List<(uint Code, byte[] Data)> ParentLocatorData(IFileSystem fs, string childFull, string parentFull) =>
    [
        (ParentLocator.W2ru, Encoding.Unicode.GetBytes(ParentLocatorResolver.ToRelativeWindowsPath(fs, fs.Path.GetDirectoryName(childFull) ?? "/", parentFull))),
        (ParentLocator.W2ku, Encoding.Unicode.GetBytes(ParentLocatorResolver.ToAbsoluteWindowsPath(parentFull))),
    ];

    /// <summary>The options' rules (caller mistakes, so the BCL's argument exceptions); returns the geometry and virtual size to write.</summary>
    private static (DiskGeometry Geometry, long Size) CheckCreate(string path, VhdCreateOptions options)
    {
        if (options.Type is not (VhdDiskType.Fixed or VhdDiskType.Dynamic))
            throw new ArgumentException($"{path}: disk type {options.Type} cannot be created this way (fixed or dynamic; differencing images use CreateDifferencing) (VhdCreateOptions.Type)", nameof(options));
        long limit = options.Type == VhdDiskType.Fixed ? VhdConstants.MaxFixedSize : VhdConstants.MaxDynamicSize;
        if (options.Size <= 0 || options.Size > limit)
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, $"{path}: size {options.Size} is not from 1 to the limit of {limit} bytes (2040 GiB) (VhdCreateOptions.Size)");
        if (options.Type == VhdDiskType.Dynamic)
            CheckBlockSize(path, options.BlockSize);
        var (geometry, size) = options.ExactSize
            ? (DiskGeometry.Max, (options.Size + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize)
            : DiskGeometry.ForCreate(options.Size);
        if (size > limit)
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, $"{path}: size {options.Size} rounds to {size}, over the limit of {limit} bytes (VhdCreateOptions.Size)");
        return (geometry, size);
    }

    private static void CheckBlockSize(string path, int blockSize)
    {
        if (blockSize < VhdConstants.MinCreateBlockSize || blockSize > VhdConstants.MaxBlockSize || (blockSize & (blockSize - 1)) != 0)
            throw new ArgumentOutOfRangeException("options", blockSize, $"{path}: block size {blockSize} is not a power of two from {VhdConstants.MinCreateBlockSize} to {VhdConstants.MaxBlockSize} (VhdCreateOptions.BlockSize)");
    }

    private static VhdFooter NewFooter(VhdDiskType type, long size, DiskGeometry geometry, Guid? id, DateTimeOffset? time) => new VhdFooter
    {
        Features = VhdConstants.FeatureReserved,
        FormatVersion = VhdConstants.FormatVersion,
        DataOffset = type == VhdDiskType.Fixed ? VhdConstants.NoDataOffset : VhdConstants.FooterSize,
        Timestamp = VhdConstants.ToTimestamp((time ?? DateTimeOffset.UtcNow).UtcDateTime),
        CreatorApplication = CreatorApplication,
        CreatorVersion = 0x00010000,
        CreatorHostOs = FourCc.FromText("Wi2k"),
        OriginalSize = (ulong)size,
        CurrentSize = (ulong)size,
        Geometry = geometry,
        DiskType = type,
        UniqueId = id ?? Guid.NewGuid(),
    }.WithChecksum();

    /// <summary>
    /// Footer copy, header, an empty BAT, locator data, and the end footer placed so that block
    /// data lands 4 KiB aligned.
    /// </summary>
    private static void WriteDynamicLayout(BlockFile file, VhdFooter footer, int blockSize, Guid parentId, uint parentTime, string parentName, List<(uint Code, byte[] Data)> locatorData)
    {
        long size = (long)footer.CurrentSize;
        long entries = (size + blockSize - 1) / blockSize;
        long tableOffset = VhdConstants.FooterSize + VhdConstants.DynamicHeaderSize;
        long batBytes = BlockAllocationTable.BytesOnDisk(entries);
        var locators = LayOutLocators(locatorData, tableOffset + batBytes, out long metadataEnd);
        var header = new DynamicHeader
        {
            TableOffset = (ulong)tableOffset,
            MaxTableEntries = (uint)entries,
            BlockSize = (uint)blockSize,
            ParentUniqueId = parentId,
            ParentTimestamp = parentTime,
            ParentUnicodeNameBytes = DynamicHeader.EncodeParentName(parentName),
            ParentLocators = locators,
        }.WithChecksum();

        long footerOffset = ImageMetadata.FirstBlockOffset(metadataEnd, VhdConstants.BitmapBytes(blockSize));
        file.SetLength(footerOffset + VhdConstants.FooterSize);
        var footerBytes = footer.ToArray();
        file.WriteAt(0, footerBytes);
        file.WriteAt(VhdConstants.FooterSize, header.ToArray());
        WriteEmptyTable(file, tableOffset, batBytes);
        for (int i = 0; i < locatorData.Count; i++)
            file.WriteAt((long)locators[i].PlatformDataOffset, locatorData[i].Data);
        file.WriteAt(footerOffset, footerBytes);
    }

    /// <summary>The locators of <paramref name="locatorData"/>, their data placed one after another (whole sectors) from <paramref name="start"/>.</summary>
    internal static ParentLocator[] LayOutLocators(List<(uint Code, byte[] Data)> locatorData, long start, out long end)
    {
        var locators = new ParentLocator[VhdConstants.LocatorCount];
        end = start;
        for (int i = 0; i < locatorData.Count; i++)
        {
            var (code, data) = locatorData[i];
            long space = Math.Max(VhdConstants.SectorSize, (data.Length + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize);
            locators[i] = new ParentLocator(code, (uint)space, (uint)data.Length, 0, (ulong)end);
            end += space;
        }
        return locators;
    }

    /// <summary>Fills the BAT with 0xFF (no block allocated), a megabyte at a time.</summary>
    private static void WriteEmptyTable(BlockFile file, long tableOffset, long batBytes)
    {
        byte[] ones = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            ones.AsSpan().Fill(0xFF);
            for (long done = 0; done < batBytes;)
            {
                int n = (int)Math.Min(ones.Length, batBytes - done);
                file.WriteAt(tableOffset + done, ones.AsSpan(0, n));
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(ones); }
    }

    /// <summary>Builds a file under a temporary name, fsyncs it, renames it into place and fsyncs the directory; on failure nothing is left.</summary>
    private static void WriteAtomically(IFileSystem fs, string path, Action<BlockFile> build)
    {
        if (fs.File.Exists(path))
            throw new VhdException($"{path}: already exists");
        string temp = path + ".creating";
        bool moved = false;
        try
        {
            using (var file = BlockFile.Create(fs, temp))
            {
                build(file);
                file.Sync();
            }
            fs.File.Move(temp, path);
            moved = true;
            // The rename reaches the disk with its directory: until then a crash may undo it.
            DirectorySync.FlushParent(fs, path);
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not VhdException)
        {
            TryDelete(fs, moved ? path : temp);
            throw new VhdIOException($"{path}: create failed: {e.Message}", e, diskUsable: false);
        }
        catch
        {
            TryDelete(fs, moved ? path : temp);
            throw;
        }
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try { if (fs.File.Exists(path)) fs.File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: the original error matters */ }
    }
}
