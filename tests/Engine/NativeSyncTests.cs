using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// The engine's own system calls on Linux, which no public call can steer into their error paths:
/// the directory fsync (which errors are not errors, which are reported and how, and that it opens
/// only directories and closes what it opened), fdatasync's error, and the refusal of a closed handle.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class NativeSyncTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-native-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Descriptors of this process whose link is <paramref name="path"/>.</summary>
    private static int OpenDescriptorsOf(string path) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget == path; }
            catch (IOException) { return false; }
        });

    [Fact]
    public void A_directory_is_fsynced_and_its_descriptor_closed()
    {
        if (!OperatingSystem.IsLinux()) return;
        for (int i = 0; i < 3; i++) NativeDirectory.Fsync(_dir);
        Assert.Equal(0, OpenDescriptorsOf(_dir));
    }

    [Fact]
    public void A_missing_directory_or_a_file_is_not_a_directory_of_this_machine_and_not_an_error()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativeDirectory.Fsync(Path.Combine(_dir, "missing"));
        string file = Path.Combine(_dir, "file");
        File.WriteAllBytes(file, [1]);
        NativeDirectory.Fsync(file);
        Assert.Equal(0, OpenDescriptorsOf(file));
    }

    [Fact]
    public async Task A_fifo_is_refused_at_once_as_no_directory_instead_of_waiting_for_a_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Path.Combine(_dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        Assert.True(File.Exists(fifo));
        var sync = Task.Run(() => NativeDirectory.Fsync(fifo));
        bool done = await Task.WhenAny(sync, Task.Delay(TimeSpan.FromSeconds(20))) == sync;
        if (!done)
        {
            // Opened without O_DIRECTORY: the open waits for a writer. Be that writer so the thread ends.
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            await Task.WhenAny(sync, Task.Delay(TimeSpan.FromSeconds(20)));
        }
        Assert.True(done, "the directory fsync of a FIFO blocked in open");
        await sync;
    }

    [Fact]
    public void A_file_system_without_directory_fsync_is_not_an_error()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativeDirectory.Fsync("/proc"); // procfs has no fsync: EINVAL
    }

    [Fact]
    public void A_directory_that_cannot_be_opened_is_an_IOException_naming_the_call_the_directory_and_the_errno()
    {
        if (!OperatingSystem.IsLinux()) return;
        string tooLong = Path.Combine(_dir, new string('d', 300)); // a name over NAME_MAX: ENAMETOOLONG
        var e = Assert.Throws<IOException>(() => NativeDirectory.Fsync(tooLong));
        Assert.Equal($"open of the directory '{tooLong}' failed: {Marshal.GetPInvokeErrorMessage(36)} (errno 36)", e.Message);
        Assert.Equal(36, e.HResult);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Fdatasync_of_a_bad_descriptor_is_an_IOException_with_the_errno()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var bad = new SafeFileHandle(1_000_000, ownsHandle: false);
        var e = Assert.Throws<IOException>(() => FileDataSync.Sync(bad));
        Assert.Equal($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(9)} (errno 9)", e.Message);
        Assert.Equal(9, e.HResult);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Fdatasync_and_the_lock_calls_refuse_a_closed_handle()
    {
        if (!OperatingSystem.IsLinux()) return;
        var handle = File.OpenHandle(Path.Combine(_dir, "f"), FileMode.Create, FileAccess.ReadWrite);
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => FileDataSync.Sync(handle));
        Assert.Throws<ObjectDisposedException>(() => OfdLock.WriterPresent(handle));
        Assert.Throws<ObjectDisposedException>(() => OfdLock.Acquire(handle, ImageLockMode.Exclusive));
    }
}
