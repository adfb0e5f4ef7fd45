using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Converts between raw images and VHDs (fixed, dynamic; differencing sources are flattened by
/// reading through their chain). Streaming, double-buffered: a second thread reads the next
/// chunk (one block; 2 MiB for raw and fixed targets) while the caller writes the last one, in a
/// ring of three pooled buffers (<see cref="ChunkPipeline"/>), so memory stays bounded whatever
/// the disk size. Ranges the source holds nothing in are skipped without reading
/// (<see cref="VirtualDisk.MayContainData"/>) and all-zero runs are never written, so raw targets
/// are sparse and dynamic targets leave all-zero blocks unallocated. The target must not exist;
/// on failure it is deleted. It is not fsynced unless <see cref="ConvertOptions.Sync"/> asks
/// (cp and qemu-img convert do not fsync either): a new file has no earlier state to protect.
/// </summary>
internal static class Converter
{
    /// <summary>Chunk used for raw and fixed targets.</summary>
    public const int DefaultChunkSize = 2 * 1024 * 1024;

    /// <summary>Zero runs shorter than this are written, not skipped: the host file system's block.</summary>
    private const int Granule = 4096;

    /// <summary>
    /// Says whether <paramref name="path"/> is a VHD or a raw image: a VHD if it opens as one; raw
    /// if opening fails with <see cref="VhdFormatException"/> and the file has no "conectix"
    /// footer cookie at its end (or at offset 0). A file with the cookie that does not open is a
    /// damaged VHD: the format error is thrown rather than guessing "raw".
    /// </summary>
    public static DiskImageFormat Probe(IFileSystem fs, string path, VhdOpenOptions? openOptions = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        using var disk = OpenSource(fs, path, null, openOptions);
        return disk is null ? DiskImageFormat.Raw : DiskImageFormat.Vhd;
    }

    /// <summary>
    /// Converts the image file <paramref name="source"/> (raw or any VHD, per
    /// <see cref="ConvertOptions.From"/>) into a new file <paramref name="target"/>.
    /// A raw source's virtual size is its length, rounded up to the CHS geometry unless
    /// <see cref="ConvertOptions.ExactSize"/>; a VHD source keeps its virtual size.
    /// </summary>
    /// <remarks><paramref name="progress"/> receives the bytes of the source processed so far.</remarks>
    public static ConvertResult Convert(IFileSystem fs, string source, string target, ConvertOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        EnsureTargetAbsent(fs, target);
        using (var disk = OpenSource(fs, source, options.From, options.OpenOptions))
        {
            if (disk is not null)
            {
                return options.To == DiskImageFormat.Raw
                    ? ConvertToRaw(disk, fs, target, progress, cancellationToken, options.Sync)
                    : ConvertToVhd(disk, fs, target, CreateOptions(options, 0), progress, cancellationToken, options.Sync);
            }
        }

        using var stream = OpenRaw(fs, source);
        long length = stream.Length;
        if (length == 0)
            throw new VhdException($"{fs.Path.GetFullPath(source)}: is empty; there is nothing to convert");
        return options.To == DiskImageFormat.Raw
            ? WriteRaw(fs, target, length, DiskImageFormat.Raw, options.Sync, raw => CopyStream(stream, (fs.Path.GetFullPath(target), length), null, raw, DefaultChunkSize, progress, cancellationToken))
            : ConvertToVhd(stream, fs, target, CreateOptions(options, length), progress, cancellationToken, options.Sync);
    }

    /// <summary>
    /// Writes the virtual disk <paramref name="source"/> (flattened through its chain) as a raw
    /// image at <paramref name="target"/>: its length is the virtual size and it is sparse
    /// wherever the disk is unallocated or zero. <paramref name="durable"/>: fsync it before
    /// returning (see <see cref="ConvertOptions.Sync"/>).
    /// </summary>
    public static ConvertResult ConvertToRaw(VirtualDisk source, IFileSystem fs, string target, IProgress<long>? progress = null, CancellationToken cancellationToken = default, bool durable = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fs);
        return WriteRaw(fs, target, source.Length, DiskImageFormat.Vhd, durable, raw => CopyDisk(source, null, raw, DefaultChunkSize, progress, cancellationToken));
    }

    /// <summary>
    /// Writes the virtual disk <paramref name="source"/> (flattened through its chain) as a new
    /// fixed or dynamic VHD at <paramref name="target"/>. When <paramref name="options"/> has
    /// <see cref="VhdCreateOptions.Size"/> 0 the source's virtual size is kept: with the CHS
    /// geometry when that addresses exactly this size, else exact (geometry 65535/16/255).
    /// <paramref name="durable"/>: fsync it before returning (see <see cref="ConvertOptions.Sync"/>).
    /// </summary>
    public static ConvertResult ConvertToVhd(VirtualDisk source, IFileSystem fs, string target, VhdCreateOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default, bool durable = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        // A VHD may say its virtual size is 0 (hostile or odd input): no VHD can be made of it, and
        // that is the image's fault, not the caller's.
        if (source.Length == 0)
            throw new VhdException($"{source.Path}: the virtual size is 0; there is nothing to convert into a VHD");
        if (options.Size == 0)
            options = options with { Size = source.Length, ExactSize = options.ExactSize || DiskGeometry.ForCreate(source.Length).VirtualSize != source.Length };
        else if (options.Size < source.Length)
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, $"{target}: VhdCreateOptions.Size {options.Size} is smaller than the source's virtual size {source.Length}");
        return WriteVhd(fs, target, options, DiskImageFormat.Vhd, durable, disk =>
        {
            if (disk.Length < source.Length)
                throw new ArgumentOutOfRangeException(nameof(options), options.Size, $"{target}: the target's virtual size {disk.Length} is smaller than the source's {source.Length}");
            return CopyDisk(source, disk, null, ChunkFor(disk), progress, cancellationToken);
        });
    }

    /// <summary>
    /// Writes the raw bytes read from <paramref name="source"/> (to its end) into a new fixed or
    /// dynamic VHD at <paramref name="target"/> of <see cref="VhdCreateOptions.Size"/> bytes
    /// (rounded up to the CHS geometry unless <see cref="VhdCreateOptions.ExactSize"/>). The
    /// stream need not be seekable; it must not hold more than the disk's virtual size.
    /// <paramref name="durable"/>: fsync it before returning (see <see cref="ConvertOptions.Sync"/>).
    /// </summary>
    public static ConvertResult ConvertToVhd(Stream source, IFileSystem fs, string target, VhdCreateOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default, bool durable = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        return WriteVhd(fs, target, options, DiskImageFormat.Raw, durable, disk => CopyStream(source, (disk.Path, disk.Length), disk, null, ChunkFor(disk), progress, cancellationToken));
    }

    private static VhdCreateOptions CreateOptions(ConvertOptions options, long size) => new()
    {
        Type = options.To == DiskImageFormat.Fixed ? VhdDiskType.Fixed : VhdDiskType.Dynamic,
        Size = size,
        BlockSize = options.BlockSize,
        ExactSize = options.ExactSize,
    };

    /// <summary>A dynamic target is filled block by block, so that each block is allocated by one write.</summary>
    private static int ChunkFor(VirtualDisk target) => target.BlockSize > 0 ? target.BlockSize : DefaultChunkSize;

    /// <summary>The source open as a VHD, or null to read it raw: asked for (<paramref name="from"/> Raw), or probed (null).</summary>
    private static VirtualDisk? OpenSource(IFileSystem fs, string path, DiskImageFormat? from, VhdOpenOptions? openOptions)
    {
        if (from == DiskImageFormat.Raw) return null;
        try
        {
            return VirtualDisk.Open(fs, path, FileAccess.Read, openOptions);
        }
        catch (VhdFormatException) when (from is null && !HasFooterCookie(fs, path))
        {
            return null;
        }
    }

    /// <summary>True if "conectix" starts the last 512 or 511 bytes, or the first 512 (a dynamic footer copy).</summary>
    private static bool HasFooterCookie(IFileSystem fs, string path)
    {
        using var stream = OpenRaw(fs, path);
        long length = stream.Length;
        Span<byte> cookie = stackalloc byte[8];
        foreach (long at in (ReadOnlySpan<long>)[length - VhdConstants.FooterSize, length - (VhdConstants.FooterSize - 1), 0])
        {
            if (at < 0 || at + cookie.Length > length) continue;
            stream.Position = at;
            stream.ReadExactly(cookie);
            if (cookie.SequenceEqual(VhdFooter.CookieValue)) return true;
        }
        return false;
    }

    private static FileSystemStream OpenRaw(IFileSystem fs, string path)
    {
        try
        {
            return fs.FileStream.New(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                // Reads are block-sized: a stream buffer would only add a copy.
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is FileNotFoundException or DirectoryNotFoundException) throw Missing(fs, path, e);
            throw new VhdIOException($"{fs.Path.GetFullPath(path)}: cannot open: {e.Message}", e, diskUsable: false);
        }
    }

    private static void EnsureTargetAbsent(IFileSystem fs, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (fs.File.Exists(target) || fs.Directory.Exists(target))
            throw new VhdException($"{fs.Path.GetFullPath(target)}: already exists; the target of a conversion must be a new file");
    }

    private static ConvertResult WriteRaw(IFileSystem fs, string target, long length, DiskImageFormat source, bool durable, Func<Stream, long> copy)
    {
        EnsureTargetAbsent(fs, target);
        string full = fs.Path.GetFullPath(target);
        FileSystemStream raw;
        try
        {
            // CreateNew: never truncate a file that appeared since the check above.
            raw = fs.FileStream.New(full, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VhdIOException($"{full}: cannot create: {e.Message}", e, diskUsable: false);
        }
        try
        {
            long written;
            using (raw)
            {
                // The whole length first: every range not written below stays a hole.
                raw.SetLength(length);
                written = copy(raw);
                raw.Flush(flushToDisk: durable);
            }
            // A durable new file needs its name durable too.
            if (durable) DirectorySync.FlushParent(fs, full);
            return new ConvertResult(source, length, written, length);
        }
        catch (Exception e)
        {
            TryDelete(fs, full);
            if (e is (IOException or UnauthorizedAccessException) and not VhdException)
                throw new VhdIOException($"{full}: conversion failed: {e.Message}", e, diskUsable: false);
            throw;
        }
    }

    private static ConvertResult WriteVhd(IFileSystem fs, string target, VhdCreateOptions options, DiskImageFormat source, bool durable, Func<VirtualDisk, long> copy)
    {
        EnsureTargetAbsent(fs, target);
        string full = fs.Path.GetFullPath(target);
        var disk = VirtualDisk.Create(fs, full, options);
        try
        {
            using (disk)
            {
                long written = copy(disk);
                disk.Flush(durable);
                return new ConvertResult(source, disk.Length, written, disk.FileLength);
            }
        }
        catch
        {
            TryDelete(fs, full);
            throw;
        }
    }

    /// <summary>Copies a virtual disk chunk by chunk, skipping what it certainly does not hold.</summary>
    private static long CopyDisk(VirtualDisk source, VirtualDisk? disk, Stream? raw, int chunk, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long length = source.Length;
        long next = 0;
        long written = 0;
        ChunkPipeline.Run(chunk, buffer =>
        {
            if (next >= length) return null;
            cancellationToken.ThrowIfCancellationRequested();
            long offset = next;
            int n = (int)Math.Min(chunk, length - offset);
            next += n;
            if (!source.MayContainData(offset, n)) return new ChunkPipeline.Chunk(offset, n, HasData: false);
            source.Read(offset, buffer.AsSpan(0, n));
            return new ChunkPipeline.Chunk(offset, n, HasData: true);
        }, (buffer, c) =>
        {
            if (c.HasData) written += WriteNonZero(buffer.AsSpan(0, c.Length), c.Offset, disk, raw);
            progress?.Report(c.Offset + c.Length);
        }, cancellationToken);
        return written;
    }

    /// <summary>Copies a stream to its end, chunk by chunk; more than the target's limit is an error naming the target.</summary>
    private static long CopyStream(Stream source, (string Path, long Limit) target, VirtualDisk? disk, Stream? raw, int chunk, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long next = 0;
        bool ended = false;
        long written = 0;
        ChunkPipeline.Run(chunk, buffer =>
        {
            if (ended) return null;
            cancellationToken.ThrowIfCancellationRequested();
            int n = source.ReadAtLeast(buffer.AsSpan(0, chunk), chunk, throwOnEndOfStream: false);
            if (n == 0) return null;
            if (n > target.Limit - next)
                throw new VhdException($"{target.Path}: the source holds more than the target's virtual size of {target.Limit} bytes");
            ended = n < chunk;
            long offset = next;
            next += n;
            return new ChunkPipeline.Chunk(offset, n, HasData: true);
        }, (buffer, c) =>
        {
            written += WriteNonZero(buffer.AsSpan(0, c.Length), c.Offset, disk, raw);
            progress?.Report(c.Offset + c.Length);
        }, cancellationToken);
        return written;
    }

    /// <summary>
    /// Writes the runs of <paramref name="data"/> that are not all zero, at 4 KiB granularity,
    /// one write per run (random data is one write per chunk). Returns the bytes written.
    /// </summary>
    private static long WriteNonZero(ReadOnlySpan<byte> data, long offset, VirtualDisk? disk, Stream? raw)
    {
        long written = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            int first = data[pos..].IndexOfAnyExcept((byte)0);
            if (first < 0) break;
            int start = (pos + first) / Granule * Granule;
            int end = Math.Min(start + Granule, data.Length);
            while (end < data.Length)
            {
                int g = Math.Min(Granule, data.Length - end);
                if (!data.Slice(end, g).ContainsAnyExcept((byte)0)) break;
                end += g;
            }
            var run = data[start..end];
            if (disk is not null) disk.Write(offset + start, run);
            else
            {
                raw!.Position = offset + start;
                raw.Write(run);
            }
            written += run.Length;
            pos = end;
        }
        return written;
    }

    private static FileNotFoundException Missing(IFileSystem fs, string path, Exception inner)
    {
        string full = fs.Path.GetFullPath(path);
        return new FileNotFoundException($"{full}: no such image file", full, inner);
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try { if (fs.File.Exists(path)) fs.File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: the original error matters */ }
    }
}
