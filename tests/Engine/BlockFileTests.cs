using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// BlockFile on both of its paths (stand-in handles with positional I/O, and a stream where the file
/// system has no handles): bytes, short reads, what reaches the file system (fsync, one call per
/// whole read), and every file-system error turned into a VhdIOException naming the image and the operation.
/// </summary>
public sealed class BlockFileTests : IDisposable
{
    private const string P = "/d/a.img";
    private const int FileLength = 8192;
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-blockfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<bool> Paths => new() { true, false };

    public static TheoryData<bool, string> PathsAndErrors()
    {
        var data = new TheoryData<bool, string>();
        foreach (bool handles in new[] { true, false })
            foreach (string kind in new[] { "io", "unauthorized", "notsupported", "disposed" })
                data.Add(handles, kind);
        return data;
    }

    private static Exception Error(string kind) => kind switch
    {
        "io" => new IOException("injected I/O error"),
        "unauthorized" => new UnauthorizedAccessException("injected access error"),
        "notsupported" => new NotSupportedException("injected not supported"),
        "argument" => new ArgumentException("injected argument error"),
        "disposed" => new ObjectDisposedException("injected disposed"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A TestFs holding <see cref="P"/> (random bytes) and that file opened read-write.</summary>
    private static (TestFs Fs, BlockFile File, byte[] Bytes) OpenFile(bool handles)
    {
        var fs = new TestFs(handles);
        byte[] bytes = Img.Random(7, FileLength);
        fs.File.WriteAllBytes(P, bytes);
        var f = BlockFile.OpenRaw(fs, P, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        Assert.Equal(handles, fs.OpenedHandles.Count == 1);
        fs.ResetCounts();
        return (fs, f, bytes);
    }

    /// <summary>Fails operation <paramref name="op"/> with a new exception of <paramref name="kind"/>; returns what it threw last.</summary>
    private static Func<Exception?> FailOn(TestFs fs, string op, string kind)
    {
        Exception? last = null;
        fs.Fault = o => o == op ? last = Error(kind) : null;
        return () => last;
    }

    private static void AssertWrapped(VhdIOException e, string what, Exception? inner)
    {
        Assert.NotNull(inner);
        Assert.Same(inner, e.InnerException);
        Assert.Equal($"{P}: {what} failed: {inner.Message}", e.Message);
    }

    [Fact]
    public void Open_without_a_file_system_names_the_parameter()
    {
        Assert.Equal("fs", Assert.Throws<ArgumentNullException>(() => BlockFile.Open(null!, P, writable: false)).ParamName);
    }

    [Theory]
    [InlineData("io")]
    [InlineData("unauthorized")]
    [InlineData("argument")]
    [InlineData("notsupported")]
    public void Create_turns_the_file_systems_error_into_one_naming_the_image(string kind)
    {
        var fs = new TestFs(handles: false);
        var thrown = FailOn(fs, "open", kind);
        var e = Assert.Throws<VhdIOException>(() => BlockFile.Create(fs, P));
        Assert.Same(thrown(), e.InnerException);
        Assert.Equal($"{P}: cannot create: {thrown()!.Message}", e.Message);
        Assert.False(e.DiskUsable);
    }

    [Fact]
    public void Create_in_a_missing_directory_names_the_image()
    {
        var e = Assert.Throws<VhdIOException>(() => BlockFile.Create(new MockFileSystem(), "/nowhere/a.img"));
        Assert.IsAssignableFrom<IOException>(e.InnerException);
        Assert.StartsWith("/nowhere/a.img: cannot create: ", e.Message);
        Assert.False(e.DiskUsable);
    }

    [Fact]
    public void A_file_system_without_handles_is_used_through_streams_alone()
    {
        // Its RandomAccess throws: a stream-only BlockFile never asks for it.
        var fs = new TestFs(handles: false);
        using (var f = BlockFile.Create(fs, P))
        {
            f.WriteAt(10, [1, 2, 3]);
            f.SetLength(100);
            f.Sync();
            var b = new byte[4];
            f.ReadAt(9, b);
            Assert.Equal(new byte[] { 0, 1, 2, 3 }, b);
            Assert.Equal(100, f.Length);
        }
        Assert.Single(fs.OpenedStreams);
        Assert.Empty(fs.OpenedHandles);
    }

    /// <summary>An IFile type no other test uses, so BlockFile has learnt nothing about it yet.</summary>
    private sealed class FreshFile(TestFs fs) : TestFile(fs);

    [Fact]
    public void A_file_system_with_handles_is_used_through_them_from_its_first_open()
    {
        var fs = new TestFs(handles: true, f => new FreshFile(f));
        fs.File.WriteAllBytes(P, [1, 2, 3]);
        using var file = BlockFile.OpenRaw(fs, P, FileMode.Open, FileAccess.Read, FileShare.Read);
        Assert.Single(fs.OpenedHandles);
        Assert.Empty(fs.OpenedStreams);
        Assert.Equal(3, file.Length);
    }

    [Fact]
    public void A_file_system_without_handles_is_asked_for_one_once()
    {
        var fs = new TestFs(handles: false);
        fs.File.WriteAllBytes(P, [1, 2, 3]);
        BlockFile.OpenRaw(fs, P, FileMode.Open, FileAccess.Read, FileShare.Read).Dispose();
        fs.ResetCounts();
        BlockFile.OpenRaw(fs, P, FileMode.Open, FileAccess.Read, FileShare.Read).Dispose();
        Assert.Equal(0, fs.Count("openhandle"));
        Assert.Equal(1, fs.Count("open"));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Length_failure_names_the_image(bool handles)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            Assert.Equal(FileLength, f.Length);
            var thrown = FailOn(fs, "length", "io");
            AssertWrapped(Assert.Throws<VhdIOException>(() => f.Length), "length", thrown());
        }
        var closed = Assert.Throws<VhdIOException>(() => f.Length);
        Assert.IsType<ObjectDisposedException>(closed.InnerException);
        Assert.StartsWith($"{P}: length failed: ", closed.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Bytes_past_the_end_read_as_zeros(bool handles)
    {
        var (fs, f, bytes) = OpenFile(handles);
        using (f)
        {
            var buffer = new byte[1000];
            Array.Fill(buffer, (byte)0xAA);
            f.ReadAt(FileLength - 300, buffer);
            Assert.Equal(bytes.AsSpan(FileLength - 300).ToArray(), buffer[..300]);
            Assert.Equal(new byte[700], buffer[300..]);
            // What there was, then the end (a read returning nothing): no more calls after it.
            Assert.Equal(2, fs.Count("read"));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_read_the_file_answers_whole_is_one_call(bool handles)
    {
        var (fs, f, bytes) = OpenFile(handles);
        using (f)
        {
            var buffer = new byte[1000];
            f.ReadAt(100, buffer);
            Assert.Equal(bytes.AsSpan(100, 1000).ToArray(), buffer);
            Assert.Equal(1, fs.Count("read"));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Short_reads_continue_where_they_stopped(bool handles)
    {
        var (fs, f, bytes) = OpenFile(handles);
        using (f)
        {
            fs.MaxRead = 100;
            var buffer = new byte[1000];
            f.ReadAt(1000, buffer);
            Assert.Equal(bytes.AsSpan(1000, 1000).ToArray(), buffer);
            Assert.Equal(10, fs.Count("read"));
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndErrors))]
    public void A_read_failure_names_the_image_and_the_read(bool handles, string kind)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            var thrown = FailOn(fs, "read", kind);
            AssertWrapped(Assert.Throws<VhdIOException>(() => f.ReadAt(1000, new byte[300])), "read of 300 bytes at 1000", thrown());
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndErrors))]
    public void A_write_failure_names_the_image_and_the_write(bool handles, string kind)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            var thrown = FailOn(fs, "write", kind);
            AssertWrapped(Assert.Throws<VhdIOException>(() => f.WriteAt(700, new byte[300])), "write of 300 bytes at 700", thrown());
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Reads_and_writes_on_a_closed_file_name_the_image(bool handles)
    {
        var (_, f, _) = OpenFile(handles);
        f.Dispose();
        var read = Assert.Throws<VhdIOException>(() => f.ReadAt(5, new byte[10]));
        Assert.IsType<ObjectDisposedException>(read.InnerException);
        Assert.StartsWith($"{P}: read of 10 bytes at 5 failed: ", read.Message);
        var write = Assert.Throws<VhdIOException>(() => f.WriteAt(5, new byte[10]));
        Assert.IsType<ObjectDisposedException>(write.InnerException);
        Assert.StartsWith($"{P}: write of 10 bytes at 5 failed: ", write.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Reads_and_writes_are_counted_in_their_direction(bool handles)
    {
        var (_, f, _) = OpenFile(handles);
        using (f)
        {
            using var t = new TelemetryRecorder();
            f.ReadAt(0, new byte[1000]);
            Assert.Equal(1000, t.IoBytes("read"));
            Assert.Equal(0, t.IoBytes("write"));
            f.WriteAt(0, new byte[300]);
            Assert.Equal(1000, t.IoBytes("read"));
            Assert.Equal(300, t.IoBytes("write"));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sync_is_the_file_systems_fsync(bool handles)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            f.WriteAt(0, [1]);
            f.Sync();
            Assert.Equal(1, fs.Count("fsync"));
            Assert.Equal(0, fs.Count("flush"));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_sync_failure_names_the_image(bool handles)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            foreach (string kind in new[] { "io", "notsupported", "disposed" })
            {
                var thrown = FailOn(fs, "fsync", kind);
                AssertWrapped(Assert.Throws<VhdIOException>(f.Sync), "fsync", thrown());
            }
        }
        var closed = Assert.Throws<VhdIOException>(f.Sync);
        Assert.IsType<ObjectDisposedException>(closed.InnerException);
        Assert.StartsWith($"{P}: fsync failed: ", closed.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SetLength_changes_the_files_length(bool handles)
    {
        var (fs, f, bytes) = OpenFile(handles);
        using (f)
        {
            f.SetLength(100);
            Assert.Equal(100, f.Length);
            f.SetLength(FileLength + 1000);
            Assert.Equal(FileLength + 1000, f.Length);
            var buffer = new byte[1100];
            f.ReadAt(0, buffer);
            Assert.Equal(bytes.AsSpan(0, 100).ToArray(), buffer[..100]);
            Assert.Equal(new byte[1000], buffer[100..]);
            Assert.Equal(2, fs.Count("setlength"));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_set_length_failure_names_the_image_and_the_length(bool handles)
    {
        var (fs, f, _) = OpenFile(handles);
        using (f)
        {
            foreach (string kind in new[] { "io", "unauthorized", "notsupported", "argument", "disposed" })
            {
                var thrown = FailOn(fs, "setlength", kind);
                AssertWrapped(Assert.Throws<VhdIOException>(() => f.SetLength(4096)), "set length 4096", thrown());
            }
            fs.Fault = null;
            // The file system's own refusal of a negative length.
            var negative = Assert.Throws<VhdIOException>(() => f.SetLength(-1));
            Assert.IsAssignableFrom<ArgumentException>(negative.InnerException);
            Assert.StartsWith($"{P}: set length -1 failed: ", negative.Message);
        }
        var closed = Assert.Throws<VhdIOException>(() => f.SetLength(10));
        Assert.IsType<ObjectDisposedException>(closed.InnerException);
        Assert.StartsWith($"{P}: set length 10 failed: ", closed.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Swap_closes_the_old_handle_or_stream_and_keeps_the_new_one(bool handles)
    {
        var (fs, f, bytes) = OpenFile(handles);
        var replacement = BlockFile.OpenRaw(fs, P, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Swap(replacement);
        replacement.Dispose();
        if (handles)
        {
            Assert.True(fs.OpenedHandles[0].IsClosed);
            Assert.False(fs.OpenedHandles[1].IsClosed);
        }
        else
        {
            Assert.True(fs.OpenedStreams[0].Disposed);
            Assert.False(fs.OpenedStreams[1].Disposed);
        }
        var buffer = new byte[10];
        f.ReadAt(20, buffer);
        Assert.Equal(bytes.AsSpan(20, 10).ToArray(), buffer);
        f.Dispose();
        Assert.True(handles ? fs.OpenedHandles[1].IsClosed : fs.OpenedStreams[1].Disposed);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Dispose_closes_the_file_and_reports_it_once(bool handles)
    {
        var (fs, f, _) = OpenFile(handles);
        int closed = 0;
        f.Closed = () => closed++;
        f.Dispose();
        f.Dispose();
        Assert.Equal(1, closed);
        Assert.True(handles ? fs.OpenedHandles[0].IsClosed : fs.OpenedStreams[0].Disposed);
    }

    [Fact]
    public void On_the_machines_file_system_bytes_past_the_end_read_as_zeros()
    {
        string path = Path.Combine(_dir, "a.img");
        byte[] bytes = Img.Random(3, 1000);
        File.WriteAllBytes(path, bytes);
        using var f = BlockFile.Open(new FileSystem(), path, writable: false);
        var buffer = new byte[700];
        Array.Fill(buffer, (byte)0xAA);
        f.ReadAt(600, buffer);
        Assert.Equal(bytes.AsSpan(600).ToArray(), buffer[..400]);
        Assert.Equal(new byte[300], buffer[400..]);
    }

    [Fact]
    public void On_the_machines_file_system_a_sync_after_close_names_the_image()
    {
        string path = Path.Combine(_dir, "a.img");
        File.WriteAllBytes(path, new byte[1000]);
        var f = BlockFile.Open(new FileSystem(), path, writable: true);
        f.Sync();
        f.Dispose();
        var e = Assert.Throws<VhdIOException>(f.Sync);
        Assert.IsType<ObjectDisposedException>(e.InnerException);
        Assert.StartsWith($"{path}: fsync failed: ", e.Message);
    }
}
