using System.Globalization;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.CrashTesting;

/// <summary>
/// Checks one crashed file system against the workload's models (checks 1-6 of the suite):
/// 1. every image that must exist does (and one whose removal returned does not), and opens (read-only and read-write) without an exception;
/// 2. <see cref="VhdMaintenance.Check"/> reports no errors;
/// 3-4. every sector reads a value its model allows (the flushed value where a flush completed);
/// 5. a read-write open and close changes nothing the reads see, twice over, and check still passes;
/// 6. a fresh write and flush into an untouched block leaves every other sector as it was and the size unchanged.
/// A child whose parent a forced commit gives a new id may refuse to open, or must, with a parent-id
/// mismatch (<see cref="ParentLink"/>): a clean refusal instead of reading what the parent holds now.
/// </summary>
internal static class StateVerifier
{
    /// <summary>The write id of the verifier's own fresh writes (workloads count up from 1).</summary>
    public const int FreshWriteId = 0x7FFF_0001;

    private const int FreshBytes = 4096;

    /// <summary>Verifies every tracked image of <paramref name="crashed"/>; returns the problems found (empty when sound).</summary>
    /// <param name="crashed">The crashed file system.</param>
    /// <param name="images">The workload's images (children before parents).</param>
    /// <param name="codec">The workload's sector codec.</param>
    /// <param name="level">How much to check.</param>
    /// <param name="unchanged">Images whose file this run never changed (verified once per run, then skipped; their children still read through them).</param>
    public static List<string> Verify(FaultFileSystem crashed, IReadOnlyList<TrackedImage> images, SectorCodec codec, VerifyLevel level, IReadOnlySet<string>? unchanged = null)
    {
        var problems = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (image.Existence == ImageExistence.Gone && crashed.File.Exists(image.Path))
                problems.Add($"{image.Path}: back after the crash, but its removal had returned");
            if (!image.Checked) continue;
            if (!crashed.File.Exists(image.Path))
            {
                if (!image.MayBeAbsent) problems.Add($"{image.Path}: missing, but it was durably created");
                continue;
            }

            present.Add(image.Path);
        }

        foreach (var image in images)
        {
            if (!present.Contains(image.Path)) continue;
            // An unchanged file still changes behaviour when its parent's id changes.
            if (image.ParentLink == ParentLink.Intact && unchanged is not null && unchanged.Contains(image.Path)) continue;
            if (image.ParentLink != ParentLink.Intact && RefusesCleanly(crashed, image, problems)) continue;
            // A parent whose child is there is only read: a fresh write into it would change the child's view.
            bool isParent = images.Any(i => i.ParentPath == image.Path && present.Contains(i.Path));
            VerifyImage(crashed, image, codec, isParent ? VerifyLevel.Basic : level, problems);
        }

        return problems;
    }

    /// <summary>
    /// For an image whose parent link may be or must be broken: true when it refuses to open with a
    /// parent-id mismatch (nothing more to check); a problem when it must refuse and opens, or fails
    /// any other way. False when it opens and may: it is then verified like any other.
    /// </summary>
    public static bool RefusesCleanly(FaultFileSystem fs, TrackedImage image, List<string> problems)
    {
        try
        {
            VirtualDisk.Open(fs, image.Path).Dispose();
        }
        catch (VhdFormatException e) when (e.Field == "parent unique id")
        {
            return true;
        }
        catch (Exception e)
        {
            problems.Add($"{image.Path}: open failed other than by refusing its changed parent: {Describe(e)}");
            return true;
        }

        if (image.ParentLink != ParentLink.Broken) return false;
        problems.Add($"{image.Path}: opens although its parent got a new unique id (it would read the parent's changed data)");
        return true;
    }

    /// <summary>Checks of one image; appends problems. Returns the view read (null when it could not be read).</summary>
    public static DiskView? VerifyImage(FaultFileSystem fs, TrackedImage image, SectorCodec codec, VerifyLevel level, List<string> problems)
    {
        string path = image.Path;
        DiskView? v0 = ReadView(fs, path, FileAccess.Read, "read-only open", problems, out long length);
        if (v0 is null) return null;
        var model = image.Model ?? new ImageModel(length, 0);
        if (length != model.Length && !model.FormerLengths.Contains(length))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: virtual size {length}, expected {model.Length}"));
            return v0;
        }

        if (model.Verify(v0) is { } mismatch) problems.Add($"{path}: {mismatch}");
        if (!CheckClean(fs, path, "check", problems)) return v0;
        if (level == VerifyLevel.Basic) return v0;

        // 5. Read-write opens (which may put the end footer back) change nothing the reads see.
        DiskView? v1 = ReadView(fs, path, FileAccess.ReadWrite, "read-write open", problems, out _);
        if (v1 is null) return v0;
        if (v0.Difference(v1) is { } changed1) { problems.Add($"{path}: a read-write open changed the reads: {changed1}"); return v0; }
        if (!CheckClean(fs, path, "check after a read-write open", problems)) return v0;
        // The second read-write open is checked by the reads after the fresh write (or, without one, right away).
        if (!Reopen(fs, path, problems)) return v0;
        // 6. A write and flush after recovery never overwrites live blocks.
        long? fresh = FreshOffset(model, length);
        if (fresh is null)
        {
            DiskView? again = ReadView(fs, path, FileAccess.Read, "open after a second read-write open", problems, out _);
            if (again is not null && v1.Difference(again) is { } changed2)
                problems.Add($"{path}: a second read-write open changed the reads: {changed2}");
            return again ?? v1;
        }

        return VerifyFreshWrite(fs, path, codec, fresh.Value, length, v1, problems);
    }

    /// <summary>
    /// Step 6: a write and flush at <paramref name="at"/> after recovery reads back, changes nothing
    /// else (against <paramref name="before"/>) and leaves the image clean. Returns the last view read.
    /// </summary>
    private static DiskView VerifyFreshWrite(FaultFileSystem fs, string path, SectorCodec codec, long at, long length, DiskView before, List<string> problems)
    {
        try
        {
            using var disk = VirtualDisk.Open(fs, path, FileAccess.ReadWrite);
            var data = new byte[FreshBytes];
            for (int i = 0; i < FreshBytes / SectorCodec.SectorSize; i++)
                codec.Encode(SectorCodec.Stamp(FreshWriteId, at / SectorCodec.SectorSize + i), data.AsSpan(i * SectorCodec.SectorSize, SectorCodec.SectorSize));
            disk.Write(at, data);
            disk.Flush();
        }
        catch (Exception e)
        {
            problems.Add($"{path}: a fresh write of {FreshBytes} bytes at {at} after recovery failed: {Describe(e)}");
            return before;
        }

        DiskView? after = ReadView(fs, path, FileAccess.Read, "open after a fresh write", problems, out long lengthAfter);
        if (after is null) return before;
        if (lengthAfter != length) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: virtual size changed from {length} to {lengthAfter} after a fresh write"));
        long first = at / SectorCodec.SectorSize;
        long end = first + FreshBytes / SectorCodec.SectorSize;
        if (before.Difference(after, first, end) is { } clobbered)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: a second read-write open and a fresh write at {at} after recovery changed other data: {clobbered}"));
        for (long s = first; s < end; s++)
        {
            ulong key = after.Get(s);
            if (key != SectorCodec.Stamp(FreshWriteId, s))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: the fresh write does not read back at sector {s}: {SectorCodec.Describe(key, s)}{after.Detail(s)}"));
                break;
            }
        }

        CheckClean(fs, path, "check after a fresh write", problems);
        return after;
    }

    /// <summary>Opens read-write and closes again; false (with a problem) when it throws.</summary>
    private static bool Reopen(FaultFileSystem fs, string path, List<string> problems)
    {
        try
        {
            VirtualDisk.Open(fs, path, FileAccess.ReadWrite).Dispose();
            return true;
        }
        catch (Exception e)
        {
            problems.Add($"{path}: second read-write open failed: {Describe(e)}");
            return false;
        }
    }

    /// <summary>Opens, reads the whole disk, closes. Null (with a problem) when any step throws.</summary>
    private static DiskView? ReadView(FaultFileSystem fs, string path, FileAccess access, string what, List<string> problems, out long length)
    {
        length = 0;
        VirtualDisk disk;
        try
        {
            disk = VirtualDisk.Open(fs, path, access);
        }
        catch (Exception e)
        {
            problems.Add($"{path}: {what} failed: {Describe(e)}");
            return null;
        }

        try
        {
            length = disk.Length;
            return DiskView.Read(disk);
        }
        catch (Exception e)
        {
            problems.Add($"{path}: reading after the {what} failed: {Describe(e)}");
            return null;
        }
        finally
        {
            disk.Dispose();
        }
    }

    private static bool CheckClean(FaultFileSystem fs, string path, string what, List<string> problems)
    {
        try
        {
            var report = VhdMaintenance.Check(fs, path);
            if (report.Errors.Count == 0) return true;
            problems.Add($"{path}: {what} reports errors: {string.Join("; ", report.Errors)}");
        }
        catch (Exception e)
        {
            problems.Add($"{path}: {what} threw {Describe(e)}");
        }

        return false;
    }

    /// <summary>Start of an untouched, whole block (or 4 KiB run of a fixed disk), last first; null when there is none.</summary>
    private static long? FreshOffset(ImageModel model, long length)
    {
        int unit = model.BlockSize > 0 ? model.BlockSize : FreshBytes;
        length = Math.Min(length, model.Length);
        for (long block = length / unit - 1; block >= 0; block--)
        {
            if ((block + 1) * unit <= length && model.BlockUntouched(block, unit)) return block * unit;
        }

        return null;
    }

    /// <summary>An exception as type and message (our exceptions are expected, others are bugs of their own).</summary>
    public static string Describe(Exception e) =>
        e is VhdException ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().FullName} (not a VhdException): {e.Message}";
}
