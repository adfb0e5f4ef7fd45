using System.Globalization;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Names who holds an image, for refusal messages: the live <see cref="ImageLock"/>s of this
/// process, and on Linux other processes whose open file descriptions of the same file hold OFD
/// locks (found through /proc/PID/fd and /proc/PID/fdinfo; processes of other users are not
/// readable and stay unnamed).
/// </summary>
internal static class LockHolders
{
    private static readonly Lock Gate = new();
    private static readonly List<ImageLock> Live = [];

    public static void Add(ImageLock imageLock)
    {
        lock (Gate) Live.Add(imageLock);
    }

    public static void Remove(ImageLock imageLock)
    {
        lock (Gate) Live.Remove(imageLock);
    }

    /// <summary>
    /// Who holds <paramref name="path"/> in a way that conflicts with <paramref name="wanted"/>, or
    /// null when nobody can be named. <paramref name="ours"/> is the refused open's own handle (excluded).
    /// </summary>
    public static string? Describe(IFileSystem fs, string path, ImageLockMode wanted, SafeFileHandle? ours)
    {
        var holders = new List<string>();
        if (InProcess(fs, path, wanted) is { } here) holders.Add(here);
        if (ours is not null && OperatingSystem.IsLinux()) holders.AddRange(OtherProcesses(path, ours, wanted));
        return holders.Count == 0 ? null : string.Join("; ", holders);
    }

    private static string? InProcess(IFileSystem fs, string path, ImageLockMode wanted)
    {
        bool writer = false, reader = false;
        lock (Gate)
        {
            foreach (var held in Live)
            {
                if (held.Path != path || !OpenChildren.SameFiles(held.FileSystem, fs)) continue;
                writer |= held.Mode == ImageLockMode.Exclusive;
                reader |= held.Mode == ImageLockMode.Shared;
            }
        }
        if (writer) return $"held for writing by this process (pid {Environment.ProcessId})";
        if (reader && wanted == ImageLockMode.Exclusive) return $"held for reading by this process (pid {Environment.ProcessId}), as an open image or the parent of one";
        return null;
    }

    /// <summary>Other processes holding conflicting OFD locks on the file under <paramref name="ours"/>.</summary>
    [SupportedOSPlatform("linux")]
    private static List<string> OtherProcesses(string path, SafeFileHandle ours, ImageLockMode wanted)
    {
        var found = new List<string>();
        int self = Environment.ProcessId;
        int fd = (int)ours.DangerousGetHandle();
        if (Identity($"/proc/self/fdinfo/{fd}") is not { } target) return found;
        // The name as the other processes' /proc/PID/fd links show it: the path's own name differs
        // when it goes through a symbolic link, and the holder would then go unnamed.
        string name = System.IO.Path.GetFileName(new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? path);
        IEnumerable<string> processes;
        try { processes = Directory.EnumerateDirectories("/proc"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        foreach (string dir in processes)
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == self) continue;
            if (Holds(dir, name, target) is not { } holds) continue;
            bool conflicts = holds.Write || (wanted == ImageLockMode.Exclusive && holds.Read);
            if (conflicts) found.Add($"held for {(holds.Write ? "writing" : "reading")} by process {pid} ({Command(dir)})");
        }
        return found;
    }

    /// <summary>Whether process <paramref name="dir"/> holds read or write OFD locks on the file; null if it holds none.</summary>
    private static (bool Read, bool Write)? Holds(string dir, string name, string target)
    {
        bool read = false, write = false;
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"{dir}/fd"))
            {
                string? link = new FileInfo(fd).LinkTarget;
                if (link is null || !link.EndsWith(name, StringComparison.Ordinal)) continue;
                string info = $"{dir}/fdinfo/{System.IO.Path.GetFileName(fd)}";
                if (Identity(info) != target) continue;
                foreach (string line in File.ReadLines(info))
                {
                    if (!line.StartsWith("lock:", StringComparison.Ordinal) || !line.Contains("OFDLCK", StringComparison.Ordinal)) continue;
                    var (start, end) = Range(line);
                    write |= start <= 101 && end >= 101;
                    read |= start <= 100 && end >= 100 || start <= 201 && end >= 201;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended, or belongs to another user: it cannot be named.
        }
        return read || write ? (read, write) : null;
    }

    /// <summary>"mnt_id:ino" of the open file an fdinfo file describes, or null.</summary>
    private static string? Identity(string fdinfo)
    {
        try
        {
            string? mount = null, inode = null;
            foreach (string line in File.ReadLines(fdinfo))
            {
                if (line.StartsWith("mnt_id:", StringComparison.Ordinal)) mount = line[7..].Trim();
                else if (line.StartsWith("ino:", StringComparison.Ordinal)) inode = line[4..].Trim();
            }
            return mount is null || inode is null ? null : $"{mount}:{inode}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The byte range of a "lock:" line: "... -1 fe:00:123 100 101" (end "EOF" for whole-file locks).</summary>
    private static (long Start, long End) Range(string line)
    {
        var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) return (-1, -1);
        long end = parts[^1] == "EOF" ? long.MaxValue : long.TryParse(parts[^1], CultureInfo.InvariantCulture, out long e) ? e : -1;
        long start = long.TryParse(parts[^2], CultureInfo.InvariantCulture, out long s) ? s : -1;
        return (start, end);
    }

    private static string Command(string dir)
    {
        try { return File.ReadAllText($"{dir}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "?"; }
    }
}
