using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Snapshots and commits (DESIGN.md §5). A commit copies the sectors a child holds into its
/// parent, block-sized run by run, flushes the parent, and only then removes the child: the
/// child's view never changes while it runs, so an interrupted commit can simply run again.
/// </summary>
public static class Committer
{
    /// <summary>
    /// Freezes <paramref name="imagePath"/> (marks the file read-only) and creates
    /// <paramref name="childPath"/>, a differencing image over it that takes the writes.
    /// Returns the child, open read-write.
    /// </summary>
    public static VirtualDisk Snapshot(IFileSystem fs, string imagePath, string childPath, VhdOpenOptions? options = null)
    {
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.snapshot");
        var child = VirtualDisk.CreateDifferencing(fs, childPath, imagePath, options);
        try
        {
            string parent = fs.Path.GetFullPath(imagePath);
            fs.File.SetAttributes(parent, fs.File.GetAttributes(parent) | FileAttributes.ReadOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            child.Dispose();
            throw new VhdIOException($"{imagePath}: cannot mark the snapshot read-only: {e.Message}", e);
        }
        return child;
    }

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent. Unless
    /// <paramref name="keepChild"/>, the child is deleted afterwards and the parent becomes
    /// writable again. Returns the number of bytes copied. <paramref name="progress"/> is told the
    /// virtual-disk offset reached (the ranges go in offset order; the child's virtual size is 100%).
    /// </summary>
    public static long Commit(IFileSystem fs, string childPath, bool keepChild, VhdOpenOptions? options = null, IProgress<long>? progress = null)
    {
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.commit");
        options = (options ?? new VhdOpenOptions()) with { ShareParents = false };
        using var child = VirtualDisk.Open(fs, childPath, FileAccess.Read, options);
        if (child is not DifferencingDisk diff)
            throw new VhdException($"{child.Path}: is a {child.DiskType.ToString().ToLowerInvariant()} image, not a differencing one; there is no parent to commit into");
        string parentPath = diff.ParentPath;
        if (child.Length > diff.Parent.Length)
            throw new VhdException($"{child.Path}: virtual size {child.Length} is larger than its parent's ({diff.Parent.Length}); resize the parent first");
        var ranges = diff.OwnRanges();

        var attributes = fs.File.GetAttributes(parentPath);
        if ((attributes & FileAttributes.ReadOnly) != 0)
            fs.File.SetAttributes(parentPath, attributes & ~FileAttributes.ReadOnly);
        long copied = 0;
        using (var parent = VirtualDisk.Open(fs, parentPath, FileAccess.ReadWrite, options))
        {
            int chunk = Math.Max(child.BlockSize, VhdConstants.DefaultBlockSize);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk);
            try
            {
                foreach (var (offset, length) in ranges)
                {
                    for (long done = 0; done < length;)
                    {
                        int n = (int)Math.Min(chunk, length - done);
                        child.Read(offset + done, buffer.AsSpan(0, n));
                        parent.Write(offset + done, buffer.AsSpan(0, n));
                        done += n;
                        copied += n;
                        progress?.Report(offset + done);
                    }
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
            // The parent's new data is durable before the child can go.
            parent.Flush();
        }
        child.Dispose();
        if (keepChild)
        {
            if ((attributes & FileAttributes.ReadOnly) != 0)
                fs.File.SetAttributes(parentPath, attributes);
        }
        else
        {
            try
            {
                fs.File.Delete(child.Path);
                // Removed for good before returning: a child that came back after a crash would read a parent that moved on.
                DirectorySync.FlushParent(fs, child.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VhdIOException($"{child.Path}: committed, but the child could not be deleted durably: {e.Message}", e);
            }
        }
        activity?.SetTag("vhd.commit.bytes", copied);
        return copied;
    }
}
