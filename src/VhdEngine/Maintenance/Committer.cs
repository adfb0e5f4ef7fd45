using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Snapshots and commits (DESIGN.md §5, §10). A commit copies the sectors a child holds into its
/// parent, block-sized run by run, flushes the parent, and only then removes the child: the
/// child's view never changes while it runs, so an interrupted commit can simply run again. It
/// never silently changes what another image reads: a parent with other children is refused,
/// naming them, unless forced, and a forced commit gives the parent a new unique id first.
/// </summary>
internal static class Committer
{
    /// <summary>
    /// Freezes <paramref name="imagePath"/> (marks the file read-only) and creates
    /// <paramref name="childPath"/>, a differencing image over it that takes the writes.
    /// Returns the child, open read-write. The image is held shared throughout (first by
    /// <see cref="VirtualDisk.CreateDifferencing"/>, then by the open child), so the snapshot is
    /// refused while anyone writes it, and no writer can take it in between.
    /// </summary>
    /// <exception cref="VhdImageInUseException">The image is open for writing elsewhere.</exception>
    public static VirtualDisk Snapshot(IFileSystem fs, string imagePath, string childPath, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(childPath);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.snapshot");
        options = (options ?? new VhdOpenOptions()) with { ForceShare = false };
        string parent = fs.Path.GetFullPath(imagePath);
        if (fs.Path.GetFullPath(childPath) == parent)
            throw new ArgumentException($"{parent}: cannot be its own parent (the snapshot's child is the image itself)", nameof(childPath));
        var child = VirtualDisk.CreateDifferencing(fs, childPath, parent, options);
        try
        {
            fs.File.SetAttributes(parent, fs.File.GetAttributes(parent) | FileAttributes.ReadOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            child.Dispose();
            throw new VhdIOException($"{parent}: cannot mark the snapshot read-only: {e.Message}", e);
        }
        return child;
    }

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent (DESIGN.md §5,
    /// §10). The parent's other children (differencing images in the parent's and the child's
    /// folders whose parent id is the parent's, and images open in this process over it) make it
    /// refuse, naming them, before anything is written, unless <see cref="CommitOptions.Force"/>:
    /// then the parent gets a new unique id before its data changes, recorded first in the child so
    /// that an interrupted run, run again, completes. Returns the number of bytes copied;
    /// <paramref name="progress"/> is told the virtual-disk offset reached.
    /// </summary>
    /// <exception cref="VhdImageInUseException">The child is being written, or the parent is open elsewhere.</exception>
    /// <exception cref="VhdFormatException">The child does not match its parent.</exception>
    /// <exception cref="VhdException">The parent has other children and the commit is not forced; or the child is not a differencing image.</exception>
    public static long Commit(IFileSystem fs, string childPath, CommitOptions commit, VhdOpenOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(childPath);
        ArgumentNullException.ThrowIfNull(commit);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.commit");
        options = (options ?? new VhdOpenOptions()) with { ShareParents = false, ForceShare = false };
        string childFull = fs.Path.GetFullPath(childPath);
        var child = OpenChild(fs, childFull, commit.Force, options);
        bool done = false;
        try
        {
            var header = child.Metadata.Header!;
            string parentPath = ParentLocatorResolver.Resolve(fs, childFull, header, child.File, options);
            var intent = CommitIntent.Read(child.Metadata.Footer);
            Guid parentId = CommitFile.PeekUniqueId(fs, parentPath, options);
            CheckIds(childFull, parentPath, header.ParentUniqueId, parentId, intent);
            RefuseOtherChildren(fs, childFull, parentPath, parentId, commit.Force);
            long copied = MergeInto(fs, child, parentPath, parentId, (commit, intent, options, progress));
            activity?.SetTag("vhd.commit.bytes", copied);
            done = true;
            return copied;
        }
        finally
        {
            child.Dispose();
            if (!done) child.RestoreAttributes();
        }
    }

    /// <summary>The child, locked shared, or exclusively when the commit will write it (forced, or finishing a forced one).</summary>
    private static CommitFile OpenChild(IFileSystem fs, string path, bool force, VhdOpenOptions options)
    {
        var child = CommitFile.Open(fs, path, exclusive: force, options);
        if (child.Metadata.Footer.DiskType != VhdDiskType.Differencing)
        {
            string type = child.Metadata.Footer.DiskType.ToString().ToLowerInvariant();
            child.Dispose();
            throw new VhdException($"{path}: is a {type} image, not a differencing one; there is no parent to commit into");
        }
        if (force || CommitIntent.Read(child.Metadata.Footer) is null) return child;
        child.Dispose();
        return CommitFile.Open(fs, path, exclusive: true, options);
    }

    /// <summary>The child's parent id must be the parent's, unless a recorded forced commit explains the difference.</summary>
    private static void CheckIds(string childPath, string parentPath, Guid expected, Guid actual, CommitIntent? intent)
    {
        if (intent is { } i)
        {
            bool known = (expected == i.OldParentId || expected == i.NewParentId) && (actual == i.OldParentId || actual == i.NewParentId);
            if (!known)
                throw new VhdFormatException(childPath, "parent unique id", $"'{childPath}' expects parent id {expected:N} but '{parentPath}' has id {actual:N}, which the forced commit it records ({i.OldParentId:N} to {i.NewParentId:N}) does not explain");
            return;
        }
        if (expected != actual)
            throw new VhdFormatException(childPath, "parent unique id", $"'{childPath}' expects parent id {expected:N} but '{parentPath}' has id {actual:N}");
    }

    private static void RefuseOtherChildren(IFileSystem fs, string childPath, string parentPath, Guid parentId, bool force)
    {
        string[] folders = [fs.Path.GetDirectoryName(parentPath) ?? "/", fs.Path.GetDirectoryName(childPath) ?? "/"];
        var others = ChainScanner.FindChildren(fs, parentPath, parentId, folders).Where(p => p != childPath).ToList();
        if (others.Count == 0 || force) return;
        throw new VhdException(
            $"{childPath}: not committed: its parent '{parentPath}' is also the parent of {string.Join(", ", others.Select(o => $"'{o}'"))}, "
            + "which would read the committed data; nothing was written. Commit with --force (CommitOptions.Force) to go on: "
            + $"'{parentPath}' then gets a new unique id, and those images refuse to open instead of reading changed data");
    }

    /// <summary>Locks the parent, switches its id when forced, copies the child's sectors, then removes or keeps the child.</summary>
    private static long MergeInto(IFileSystem fs, CommitFile child, string parentPath, Guid parentId, (CommitOptions Commit, CommitIntent? Intent, VhdOpenOptions Options, IProgress<long>? Progress) run)
    {
        var (commit, intent, options, progress) = run;
        using var parent = CommitFile.Open(fs, parentPath, exclusive: true, options);
        bool keepParentWritable = !commit.KeepChild;
        try
        {
            if (parent.Metadata.Footer.UniqueId != parentId)
                throw new VhdException($"{parentPath}: its unique id changed while the commit of '{child.Path}' started; run it again");
            if (child.Metadata.VirtualSize > parent.Metadata.VirtualSize)
                throw new VhdException($"{child.Path}: virtual size {child.Metadata.VirtualSize} is larger than its parent's ({parent.Metadata.VirtualSize}); resize the parent first");
            if (commit.Force || intent is not null) ParentIdSwitch.Run(child, parent, intent, options);
            long copied;
            // Both disks read through the locks the commit holds, which outlive them.
            using (var parentDisk = VirtualDisk.OpenOver(parent.Lock, options, new ChainContext(), ownsLock: false))
            {
                using var childDisk = VirtualDisk.OpenOver(child.Lock, options, new ChainContext { ProvidedParent = parentDisk }, ownsLock: false);
                copied = Copy(childDisk, parentDisk, progress);
                // The parent's new data is durable before the child can go.
                parentDisk.Flush();
            }
            if (commit.KeepChild) ParentIdSwitch.Finish(child, options);
            parent.Dispose();
            Finish(fs, child, commit.KeepChild);
            return copied;
        }
        catch
        {
            keepParentWritable = false;
            throw;
        }
        finally
        {
            if (!keepParentWritable) parent.RestoreAttributes();
        }
    }

    private static long Copy(VirtualDisk child, VirtualDisk parent, IProgress<long>? progress)
    {
        var ranges = ((DifferencingDisk)child).OwnRanges();
        int chunk = Math.Max(child.BlockSize, VhdConstants.DefaultBlockSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk);
        long copied = 0;
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
        return copied;
    }

    /// <summary>A kept child gets its read-only attribute back; a dropped one is closed, then deleted.</summary>
    private static void Finish(IFileSystem fs, CommitFile child, bool keep)
    {
        child.Dispose();
        if (keep)
        {
            child.RestoreAttributes();
            return;
        }
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
}
