using System.Diagnostics;
using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Who a refusal names, on the real file system on Linux: this process's own opens, and other
/// processes holding qemu's OFD lock bytes (100 + permission held, 200 + permission not shared),
/// found through /proc/PID/fd and /proc/PID/fdinfo. The other process is a short python3 script
/// taking exactly the locks a test asks for.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class LockHolderTests : IDisposable
{
    private readonly FileSystem _fs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-holders-").FullName;
    private readonly List<IDisposable> _owned = [];

    private static readonly int Self = Environment.ProcessId;

    // qemu's writer: consistent read, write, resize held (100, 101, 103); write and resize not shared (201, 203).
    private static readonly string[] QemuWriter = ["a:r:100:1", "a:r:101:1", "a:r:103:1", "a:r:201:1", "a:r:203:1"];

    // qemu's reader: consistent read held (100); write and resize not shared (201, 203).
    private static readonly string[] QemuReader = ["a:r:100:1", "a:r:201:1", "a:r:203:1"];

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Image(string name = "a.vhd", string? dir = null)
    {
        dir ??= _dir;
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        using var d = VirtualDisk.Create(_fs, path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        return path;
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    private LockingProcess Hold(string path, params string[] locks) => Own(new LockingProcess(path, locks));

    private VhdImageInUseException Refused(string path, FileAccess access) =>
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(_fs, path, access));

    [Fact]
    public void A_writer_in_another_process_is_named_with_its_pid_and_command_to_writers_and_readers()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, QemuWriter);
        var writer = Refused(a, FileAccess.ReadWrite);
        Assert.True(writer.ForWriting);
        Assert.Equal($"held for writing by process {other.Id} (python3)", writer.Holder);
        Assert.Equal($"{a}: the image is in use and cannot be opened for writing: held for writing by process {other.Id} (python3)", writer.Message);
        var reader = Refused(a, FileAccess.Read);
        Assert.False(reader.ForWriting);
        Assert.Equal($"held for writing by process {other.Id} (python3)", reader.Holder);
    }

    [Fact]
    public void A_reader_in_another_process_is_named_to_a_writer_and_refuses_no_reader()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, QemuReader);
        Assert.Equal($"held for reading by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
        using (VirtualDisk.Open(_fs, a)) { }
    }

    [Theory]
    [InlineData("a:r:100:1 a:r:203:1")] // consistent read held (and resize not shared)
    [InlineData("a:r:201:1")] // write not shared
    public void A_holder_of_a_read_byte_alone_is_named_as_a_reader(string locks)
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, locks.Split(' '));
        Assert.Equal($"held for reading by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_holder_of_the_write_byte_alone_is_named_as_a_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, "a:r:101:1");
        Assert.Equal($"held for writing by process {other.Id} (python3)", Refused(a, FileAccess.Read).Holder);
    }

    [Fact]
    public void A_holder_of_only_the_resize_bytes_refuses_a_writer_but_is_named_neither_reader_nor_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        Hold(a, "a:r:103:1", "a:r:203:1");
        var e = Refused(a, FileAccess.ReadWrite);
        Assert.Null(e.Holder);
        Assert.EndsWith("another process or open handle holds a conflicting lock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lock_to_the_end_of_the_file_covers_the_write_byte()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, "a:r:0:0"); // length 0: to EOF
        Assert.Equal($"held for writing by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void Only_open_file_description_locks_count_not_a_posix_lock_on_the_same_descriptor()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        // A POSIX read lock over the whole file (covering byte 101) beside qemu's reader bytes.
        var other = Hold(a, [.. QemuReader, "a:p:0:0"]);
        Assert.Equal($"held for reading by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_process_holding_the_write_byte_through_two_descriptors_is_still_a_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, "a:r:100:1", "a:r:101:1", "b:r:101:1", "b:r:201:1");
        Assert.Equal($"held for writing by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_holder_in_another_process_is_named_when_the_image_is_opened_through_a_symbolic_link()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        string link = Path.Combine(_dir, "link.vhd");
        File.CreateSymbolicLink(link, a);
        var other = Hold(a, QemuWriter);
        Assert.Equal($"held for writing by process {other.Id} (python3)", Refused(link, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_file_of_the_same_name_locked_in_another_directory_is_not_named()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        string elsewhere = Image("a.vhd", Path.Combine(_dir, "other"));
        Hold(elsewhere, QemuWriter);
        using var writer = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite);
        Assert.Equal($"held for writing by this process (pid {Self})", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_reader_here_and_a_reader_in_another_process_are_both_named_to_a_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        using var reader = VirtualDisk.Open(_fs, a);
        var other = Hold(a, QemuReader);
        Assert.Equal(
            $"held for reading by this process (pid {Self}), as an open image or the parent of one; held for reading by process {other.Id} (python3)",
            Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void Only_the_opens_of_the_refused_image_are_named()
    {
        string a = Image();
        string b = Image("b.vhd");
        using var writerOfB = VirtualDisk.Open(_fs, b, FileAccess.ReadWrite);
        using var readerOfA = VirtualDisk.Open(_fs, a);
        Assert.Equal($"held for reading by this process (pid {Self}), as an open image or the parent of one", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void Two_writers_of_one_path_here_name_this_process_as_writer()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        using var first = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite);
        // Another image renamed over the path: the first writer keeps the old file, a second writer takes the new one.
        File.Move(Image("b.vhd"), a, overwrite: true);
        using var second = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite);
        Assert.Equal($"held for writing by this process (pid {Self})", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void A_reader_is_refused_by_a_write_lock_on_the_consistent_read_byte()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Image();
        var other = Hold(a, "a:w:100:1");
        var e = Refused(a, FileAccess.Read);
        Assert.False(e.ForWriting);
        // Byte 100 alone is a reader's byte: named, the lock's mode aside.
        Assert.Equal($"held for reading by process {other.Id} (python3)", Refused(a, FileAccess.ReadWrite).Holder);
    }

    [Fact]
    public void An_image_another_open_holds_with_an_exclusive_flock_is_in_use()
    {
        if (OperatingSystem.IsWindows()) return;
        string a = Image();
        // FileShare.None: .NET takes flock(LOCK_EX) on Unix, so the engine's open gets EWOULDBLOCK.
        using var exclusive = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.None);
        var e = Refused(a, FileAccess.Read);
        Assert.Equal(a, e.Path);
        Assert.IsAssignableFrom<IOException>(e.InnerException);
    }

    [Fact]
    public void A_file_the_os_will_not_open_for_writing_is_a_VhdIOException_naming_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        // A running executable: open for writing is ETXTBSY, an IOException that is no sharing violation.
        string exe = Path.Combine(_dir, "sleep");
        File.Copy("/bin/sleep", exe);
        File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var running = Own(Process.Start(new ProcessStartInfo(exe, "60") { UseShellExecute = false })!);
        _owned.Add(new Killer(running));
        WaitUntilRunning(running, exe);
        var busy = Assert.Throws<VhdIOException>(() => VirtualDisk.Open(_fs, exe, FileAccess.ReadWrite));
        Assert.StartsWith($"{exe}: cannot open: ", busy.Message, StringComparison.Ordinal);
        Assert.False(busy.DiskUsable);
        Assert.IsAssignableFrom<IOException>(busy.InnerException);
    }

    private static void WaitUntilRunning(Process p, string exe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (new FileInfo($"/proc/{p.Id}/exe").LinkTarget == exe) return;
            }
            catch (IOException) { }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{exe} did not start");
    }

    private sealed class Killer(Process p) : IDisposable
    {
        public void Dispose()
        {
            try { p.Kill(); p.WaitForExit(5000); }
            catch (InvalidOperationException) { }
        }
    }

    /// <summary>
    /// A python3 process holding locks on one file until disposed. Each lock is "DESCRIPTOR:KIND:START:LENGTH":
    /// descriptors by name (one open file description each), KIND r/w an OFD read/write lock, p a POSIX read lock;
    /// LENGTH 0 is to the end of the file.
    /// </summary>
    private sealed class LockingProcess : IDisposable
    {
        private const string Script = """
            import fcntl, os, struct, sys
            fds = {}
            for spec in sys.argv[2:]:
                name, kind, start, length = spec.split(':')
                if name not in fds:
                    fds[name] = os.open(sys.argv[1], os.O_RDWR)
                cmd = fcntl.F_SETLK if kind == 'p' else fcntl.F_OFD_SETLK
                typ = fcntl.F_WRLCK if kind == 'w' else fcntl.F_RDLCK
                fcntl.fcntl(fds[name], cmd, struct.pack('hhqqi4x', typ, 0, int(start), int(length), 0))
            print('ready', flush=True)
            sys.stdin.read()
            """;

        private readonly Process _p;

        public LockingProcess(string path, string[] locks)
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add(path);
            foreach (string l in locks) start.ArgumentList.Add(l);
            _p = Process.Start(start)!;
            var ready = _p.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "ready")
            {
                Dispose();
                throw new InvalidOperationException($"python3 did not take the locks: {_p.StandardError.ReadToEnd()}");
            }
        }

        public int Id => _p.Id;

        public void Dispose()
        {
            try
            {
                _p.StandardInput.Close();
                if (!_p.WaitForExit(5000)) _p.Kill();
            }
            catch (InvalidOperationException) { }
            _p.Dispose();
        }
    }
}
