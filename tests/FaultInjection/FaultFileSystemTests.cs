using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Xunit;
using static Storage.Tests.FaultInjection.SimDiskTests;

namespace Storage.Tests.FaultInjection;

public sealed class FaultFileSystemTests
{
    private const int S = SimDisk.SectorSize;
    private const string Dir = "/data";
    private const string PathA = "/data/a.vhd";
    private const string PathB = "/data/b.vhd";

    [Fact]
    public void Streams_are_fault_streams_on_every_open_path()
    {
        FaultFileSystem fs = NewFileSystem();
        using (var created = fs.File.Create(PathA))
        {
            Assert.IsType<FaultFileStream>(created);
        }

        // Each stream is closed before the next open: stated shares are enforced as on Windows.
        Func<FileSystemStream>[] opens =
        [
            () => fs.FileStream.New(PathA, FileMode.Open),
            () => fs.FileStream.New(PathA, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess),
            () => fs.FileStream.New(PathA, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite }),
            () => fs.File.Open(PathA, new FileStreamOptions { Mode = FileMode.Open }),
            () => fs.File.OpenRead(PathA),
            () => fs.File.OpenWrite(PathA),
            () => fs.FileInfo.New(PathA).Open(FileMode.Open),
        ];
        foreach (var open in opens)
        {
            using var stream = open();
            Assert.IsType<FaultFileStream>(stream);
        }
    }

    [Fact]
    public async Task Flush_true_is_the_durability_point_and_flush_false_is_not()
    {
        FaultFileSystem fs = NewFileSystem();
        using (var stream = fs.FileStream.New(PathA, FileMode.CreateNew))
        {
            // The name is made durable by its directory's fsync, the contents by the file's.
            SyncDirectory(fs, Dir);
            stream.Write(Fill(S, 1));
            stream.Flush(true);
            stream.Write(Fill(S, 2));
            stream.Flush();
            stream.Flush(false);
            await stream.FlushAsync();
        }

        Assert.Equal(2, fs.Epoch);
        Assert.Equal(9, fs.OperationCount);
        fs.Crash();
        Assert.Equal(Fill(S, 1), fs.File.ReadAllBytes(PathA));
    }

    [Fact]
    public void Base_FileSystemStream_would_drop_the_fsync_so_FaultFileStream_overrides_it()
    {
        // Called through the base type, as engine code holding a FileSystemStream does.
        FaultFileSystem fs = NewFileSystem();
        FileSystemStream stream = fs.File.Create(PathA);
        stream.Write(Fill(10, 3));
        ((FileSystemStream)stream).Flush(flushToDisk: true);
        stream.Dispose();

        Assert.Equal(0, fs.GetDisk(PathA)!.PendingOperationCount);
        Assert.Contains(fs.Trace, op => op.Kind == FaultOperationKind.FlushToDisk);
    }

    [Fact]
    public void A_new_file_may_be_absent_after_a_crash_until_its_directory_is_fsynced()
    {
        FaultFileSystem fs = NewFileSystem();
        fs.File.WriteAllBytes(PathA, Fill(10, 1));

        Assert.True(fs.File.Exists(PathA));
        Assert.Contains(fs.EnumerateCrashStates(), s => !fs.Materialize(s).ContainsKey(PathA));
        fs.Crash();
        Assert.False(fs.File.Exists(PathA));

        using (var stream = fs.File.Create(PathA))
        {
            stream.Write(Fill(10, 1));
            stream.Flush(true);
        }

        // The file's fsync makes its contents durable, not its name.
        Assert.Contains(fs.EnumerateCrashStates(), s => !fs.Materialize(s).ContainsKey(PathA));
        SyncDirectory(fs, Dir);
        Assert.All(fs.EnumerateCrashStates(), s => Assert.Equal(Fill(10, 1), fs.Materialize(s)[PathA].ToArray()));
    }

    [Fact]
    public void An_existing_inner_file_seeds_the_durable_state()
    {
        var mock = new MockFileSystem();
        mock.Directory.CreateDirectory(Dir);
        mock.File.WriteAllBytes(PathA, Fill(S * 2, 4));
        var fs = new FaultFileSystem(mock);

        using (var stream = fs.File.Open(PathA, FileMode.Open))
        {
            stream.Position = S;
            stream.Write(Fill(S, 5));
        }

        Assert.Equal(S * 2, fs.GetDisk(PathA)!.DurableLength);
        fs.Crash();
        Assert.Equal(Fill(S * 2, 4), fs.File.ReadAllBytes(PathA));
    }

    [Fact]
    public void A_failing_fsync_leaves_its_epoch_undetermined()
    {
        FaultFileSystem fs = NewFileSystem(new FaultPlan().FailFlushToDiskAt(1));
        using var stream = fs.File.Create(PathA);
        stream.Write(Fill(S, 1));
        stream.Flush(true);
        fs.Sync();
        stream.Position = 0;
        stream.Write(Fill(S, 2));

        var error = Assert.Throws<InjectedFaultException>(() => stream.Flush(true));
        Assert.Contains("fsync", error.Message);
        Assert.Equal(2, fs.Epoch);
        Assert.Equal(1, fs.GetDisk(PathA)!.PendingOperationCount);
        var outcomes = fs.EnumerateCrashStates().Select(s => fs.Materialize(s)[PathA].ToArray()[0]).ToHashSet();
        Assert.Equal(new HashSet<byte> { 1, 2 }, outcomes);

        // A later fsync that succeeds makes it durable.
        stream.Flush(true);
        Assert.Equal(3, fs.Epoch);
        Assert.Equal(0, fs.GetDisk(PathA)!.PendingOperationCount);
    }

    [Fact]
    public void FailAt_fails_one_operation_once()
    {
        FaultFileSystem fs = NewFileSystem(new FaultPlan().FailAt(2));
        using var stream = fs.File.Create(PathA); // 0
        stream.Write(Fill(4, 1)); // 1
        var error = Assert.Throws<InjectedFaultException>(() => stream.Write(Fill(4, 2))); // 2
        stream.Write(Fill(4, 3)); // 3

        Assert.Equal(2, error.OperationIndex);
        Assert.Equal(FaultPlan.IOErrorHResult, error.HResult);
        Assert.Equal([1, 1, 1, 1, 3, 3, 3, 3], fs.GetDisk(PathA)!.ToArray());
        Assert.Equal([false, false, true, false], fs.Trace.Select(t => t.Faulted));
    }

    [Fact]
    public void FailAt_from_then_on_fails_every_later_operation()
    {
        var plan = new FaultPlan().FailAt(1, fromThenOn: true);
        FaultFileSystem fs = NewFileSystem(plan);
        using var stream = fs.File.Create(PathA);
        Assert.Throws<InjectedFaultException>(() => stream.Write(Fill(4, 1)));
        Assert.Throws<InjectedFaultException>(() => stream.Flush(true));
        Assert.Throws<InjectedFaultException>(() => stream.Read(new byte[4]));
        Assert.Throws<InjectedFaultException>(() => fs.File.Delete(PathA));

        Assert.Equal(5, plan.OperationCount);
        Assert.Equal(4, plan.FaultCount);
        Assert.Equal(0, fs.GetDisk(PathA)!.Length);
    }

    [Fact]
    public void A_workload_can_be_counted_then_failed_at_every_index()
    {
        var counter = new FaultPlan();
        Workload(NewFileSystem(counter));
        long total = counter.OperationCount;
        Assert.True(total >= 8, $"only {total} operations");

        for (long i = 0; i < total; i++)
        {
            var plan = new FaultPlan().FailAt(i);
            FaultFileSystem fs = NewFileSystem(plan);
            var error = Assert.Throws<InjectedFaultException>(() => Workload(fs));
            Assert.Equal(i, error.OperationIndex);
            Assert.True(fs.Trace[^1].Faulted);
            Assert.Equal(i, fs.Trace[^1].Index);
        }

        static void Workload(FaultFileSystem fs)
        {
            using (var stream = fs.File.Create(PathA))
            {
                stream.Write(Fill(S, 1));
                stream.SetLength(S * 4);
                stream.Flush(true);
                stream.Position = 0;
                _ = stream.Read(new byte[S], 0, S);
            }

            fs.File.Copy(PathA, PathB);
            fs.File.Move(PathB, "/data/c.vhd");
            fs.File.Delete("/data/c.vhd");
        }
    }

    [Fact]
    public void Short_reads_return_at_least_one_byte_and_never_the_whole_request()
    {
        FaultFileSystem fs = NewFileSystem();
        byte[] data = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        fs.File.WriteAllBytes(PathA, data);
        fs.Plan = new FaultPlan(seed: 3).WithShortReads();

        using (var stream = fs.File.OpenRead(PathA))
        {
            var buffer = new byte[1000];
            for (int i = 0; i < 4; i++)
            {
                int read = stream.Read(buffer, 0, buffer.Length);
                Assert.InRange(read, 1, buffer.Length - 1);
            }
        }

        // Code that loops, as it must, still reads everything.
        Assert.Equal(data, fs.File.ReadAllBytes(PathA));
    }

    [Fact]
    public void Out_of_space_fails_growth_without_growing()
    {
        FaultFileSystem fs = NewFileSystem(new FaultPlan().WithMaxFileSize(S * 2));
        using var stream = fs.File.Create(PathA);
        stream.Write(Fill(S * 2, 1));
        stream.Position = S;
        var error = Assert.Throws<InjectedFaultException>(() => stream.Write(Fill(S * 2, 2)));
        Assert.Equal(FaultPlan.DiskFullHResult, error.HResult);
        Assert.Equal(S * 2, stream.Length);
        Assert.Equal(Fill(S * 2, 1), fs.GetDisk(PathA)!.ToArray());
        Assert.Throws<InjectedFaultException>(() => stream.SetLength(S * 3));

        // Overwriting inside the limit still works.
        stream.Write(Fill(S, 3));
        Assert.Equal(S * 2, stream.Length);
    }

    [Fact]
    public void The_trace_records_kind_path_offset_and_length()
    {
        FaultFileSystem fs = NewFileSystem();
        using (var stream = fs.File.Create(PathA))
        {
            stream.Position = 100;
            stream.Write(Fill(7, 1));
            stream.SetLength(50);
            stream.Flush(true);
        }

        Assert.Equal(
            [
                new FaultOperation(0, FaultOperationKind.Open, PathA, 0, 0, false),
                new FaultOperation(1, FaultOperationKind.Write, PathA, 100, 7, false),
                new FaultOperation(2, FaultOperationKind.SetLength, PathA, 50, 0, false),
                new FaultOperation(3, FaultOperationKind.FlushToDisk, PathA, 0, 0, false),
            ],
            fs.Trace);
        fs.ClearTrace();
        Assert.Empty(fs.Trace);
        Assert.Equal(4, fs.OperationCount);
    }

    [Fact]
    public void A_harness_can_enumerate_crash_states_inside_every_fsync()
    {
        FaultFileSystem fs = NewFileSystem();
        var seen = new List<(long FlushIndex, string State, byte[]? Bytes)>();
        fs.FlushingToDisk += (_, e) =>
        {
            Assert.Equal(e.IsDirectory ? Dir : PathA, e.Path);
            Assert.True(e.FileSystem.PendingPieceCount > 0);
            foreach (CrashState state in e.FileSystem.EnumerateCrashStates())
            {
                var target = new MockFileSystem();
                e.FileSystem.MaterializeTo(state, target);
                seen.Add((e.FlushIndex, state.ToString(), target.File.Exists(PathA) ? target.File.ReadAllBytes(PathA) : null));
            }
        };

        using (var stream = fs.File.Create(PathA))
        {
            stream.Write(Fill(S, 1));
            stream.Flush(true);
            SyncDirectory(fs, Dir);
            stream.Position = 0;
            stream.Write(Fill(S, 2));
            stream.Flush(true);
        }

        // First fsync: create, length, one sector = 8 states; the directory's: the create = 2 states;
        // the last: one sector = 2 states.
        Assert.Equal(8, seen.Count(s => s.FlushIndex == 0));
        Assert.Contains(seen, s => s.FlushIndex == 0 && s.Bytes is null);
        Assert.Contains(seen, s => s.FlushIndex == 0 && s.Bytes is { Length: S } b && b[0] == 0);
        Assert.Equal([null, Fill(S, 1)], seen.Where(s => s.FlushIndex == 1).Select(s => s.Bytes).OrderBy(b => b?.Length ?? -1));
        Assert.Equal(2, seen.Count(s => s.FlushIndex == 2));
        Assert.Equal(
            new HashSet<byte> { 1, 2 },
            seen.Where(s => s.FlushIndex == 2).Select(s => s.Bytes![0]).ToHashSet());
        Assert.All(seen.Where(s => s.FlushIndex == 2), s => Assert.StartsWith("E2:x", s.State));
    }

    [Fact]
    public void Throwing_from_the_hook_aborts_the_flush_and_the_state_then_applies()
    {
        FaultFileSystem fs = NewFileSystem();
        CrashState? chosen = null;
        fs.FlushingToDisk += (_, e) =>
        {
            chosen = e.FileSystem.EnumerateCrashStates().First(s => e.FileSystem.Materialize(s).ContainsKey(PathA));
            Assert.Throws<InvalidOperationException>(() => e.FileSystem.ApplyCrash(chosen));
            throw new OperationCanceledException("crash here");
        };

        var stream = fs.File.Create(PathA);
        stream.Write(Fill(S, 1));
        Assert.Throws<OperationCanceledException>(() => stream.Flush(true));
        Assert.Equal(0, fs.Epoch);

        fs.ApplyCrash(chosen!);
        Assert.Throws<IOException>(() => stream.Write(Fill(1, 1)));
        Assert.True(fs.File.Exists(PathA));
        Assert.Equal(FaultOperationKind.Crash, fs.Trace[^1].Kind);
    }

    [Fact]
    public void Replaying_a_printed_state_on_the_same_workload_gives_the_same_bytes()
    {
        static FaultFileSystem Run()
        {
            FaultFileSystem fs = NewFileSystem();
            using var a = fs.File.Create(PathA);
            using var b = fs.File.Create(PathB);
            a.Write(Fill(S * 3, 1));
            b.Write(Fill(S, 2));
            a.Flush(true);
            b.Flush(true);
            for (int i = 0; i < 10; i++)
            {
                a.Position = i * 300;
                a.Write(Fill(700, (byte)(10 + i)));
                b.SetLength(i * 100);
            }

            return fs;
        }

        FaultFileSystem first = Run();
        var printed = first.EnumerateCrashStates().Concat(first.SampleCrashStates(99, 20))
            .ToDictionary(s => s.ToString(), s => Snapshot(first.Materialize(s)));
        Assert.True(printed.Count > 30);

        FaultFileSystem second = Run();
        foreach (var (text, expected) in printed)
        {
            Assert.Equal(expected, Snapshot(second.Materialize(CrashState.Parse(text))));
        }

        static string Snapshot(IReadOnlyDictionary<string, SimDisk> files) =>
            string.Join(";", files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Convert.ToHexString(f.Value.ToArray())));
    }

    [Fact]
    public void Crash_images_can_be_reopened_in_a_fresh_file_system()
    {
        FaultFileSystem fs = NewFileSystem();
        using (var stream = fs.File.Create(PathA))
        {
            stream.Write(Fill(S, 1));
            stream.Flush(true);
            SyncDirectory(fs, Dir);
            stream.SetLength(1L << 32); // sparse 4 GiB
            stream.Position = 1L << 31;
            stream.Write(Fill(S, 2));
        }

        CrashState all = CrashState.Prefix(fs.Epoch, fs.GetDisk(PathA)!.PendingOperationCount);
        FaultFileSystem copy = fs.CrashedCopy(all, new MockFileSystem());
        Assert.Equal(1L << 32, copy.FileInfo.New(PathA).Length);
        using (var reopened = copy.File.OpenRead(PathA))
        {
            reopened.Position = 1L << 31;
            Assert.Equal(2, reopened.ReadByte());
        }

        var small = NewFileSystem();
        small.File.WriteAllBytes(PathA, Fill(1000, 7));
        var target = new MockFileSystem();
        small.MaterializeTo(CrashState.Parse("E0:p2"), target);
        Assert.Equal(Fill(1000, 7), target.File.ReadAllBytes(PathA));
    }

    [Fact]
    public void Metadata_operations_stay_coherent_with_the_simulation()
    {
        FaultFileSystem fs = NewFileSystem();
        fs.File.WriteAllBytes(PathA, Fill(600, 1));
        fs.File.Copy(PathA, PathB);
        Assert.Equal(Fill(600, 1), fs.File.ReadAllBytes(PathB));
        Assert.Equal(600, fs.FileInfo.New(PathB).Length);
        Assert.Contains(fs.EnumerateCrashStates(), s => !fs.Materialize(s).ContainsKey(PathB));
        Assert.Throws<IOException>(() => fs.File.Copy(PathA, PathB));

        fs.File.Move(PathB, "/data/c.vhd");
        Assert.False(fs.File.Exists(PathB));
        Assert.Equal(Fill(600, 1), fs.File.ReadAllBytes("/data/c.vhd"));
        Assert.Equal(600, fs.DirectoryInfo.New(Dir).GetFiles("c.vhd").Single().Length);

        fs.File.Delete(PathA);
        Assert.False(fs.File.Exists(PathA));
        Assert.Null(fs.GetDisk(PathA));

        fs.Directory.CreateDirectory("/data/sub");
        fs.File.WriteAllText("/data/sub/x.txt", "hello");
        fs.Directory.Move("/data/sub", "/data/moved");
        Assert.Equal("hello", fs.File.ReadAllText("/data/moved/x.txt"));
        fs.Directory.Delete("/data/moved", recursive: true);
        Assert.DoesNotContain(fs.SimulatedFiles, f => f.StartsWith("/data/moved", StringComparison.Ordinal));
        Assert.Equal(["/data/c.vhd"], fs.SimulatedFiles);
    }

    [Fact]
    public async Task Text_append_and_async_paths_go_through_the_simulation()
    {
        FaultFileSystem fs = NewFileSystem();
        fs.File.WriteAllLines(PathA, ["one", "two"]);
        fs.File.AppendAllText(PathA, "three\n");
        Assert.Equal(["one", "two", "three"], fs.File.ReadAllLines(PathA));

        using (var append = fs.File.Open(PathA, FileMode.Append))
        {
            Assert.Throws<IOException>(() => append.Seek(0, SeekOrigin.Begin));
            append.WriteByte((byte)'!');
        }

        Assert.EndsWith("three\n!", fs.File.ReadAllText(PathA));

        using (var stream = fs.File.Open(PathA, FileMode.Open))
        {
            await stream.WriteAsync(Fill(3, (byte)'x').AsMemory());
            stream.Position = 0;
            var buffer = new byte[3];
            Assert.Equal(3, await stream.ReadAsync(buffer, 0, 3));
            Assert.Equal("xxx"u8.ToArray(), buffer);
            IAsyncResult pending = stream.BeginRead(buffer, 0, 3, null, null);
            Assert.Equal(3, stream.EndRead(pending));
            var copy = new MemoryStream();
            stream.Position = 0;
            stream.CopyTo(copy);
            Assert.Equal(fs.File.ReadAllBytes(PathA), copy.ToArray());
        }

        Assert.All(fs.Trace, op => Assert.StartsWith(Dir, op.Path));
        Assert.Contains(fs.Trace, op => op.Kind == FaultOperationKind.Read);
    }

    [Fact]
    public void Open_modes_behave_like_FileStream()
    {
        FaultFileSystem fs = NewFileSystem();
        Assert.Throws<FileNotFoundException>(() => fs.File.OpenRead(PathA));
        Assert.Throws<DirectoryNotFoundException>(() => fs.File.Create("/missing/a.vhd"));
        fs.File.WriteAllBytes(PathA, Fill(10, 1));
        Assert.Throws<IOException>(() => fs.FileStream.New(PathA, FileMode.CreateNew));
        Assert.Throws<ArgumentException>(() => fs.FileStream.New(PathA, FileMode.Truncate, FileAccess.Read));
        using (var reader = fs.File.OpenRead(PathA))
        {
            Assert.Throws<NotSupportedException>(() => reader.WriteByte(1));
            Assert.False(reader.CanWrite);
        }

        using (var truncating = fs.FileStream.New(PathA, FileMode.Truncate, FileAccess.Write))
        {
            Assert.Equal(0, truncating.Length);
        }

        var closed = fs.File.OpenRead(PathA);
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => closed.ReadByte());
    }

    /// <summary>The directory fsync of POSIX code: open the directory, fsync the handle.</summary>
    internal static void SyncDirectory(IFileSystem fs, string directory)
    {
        using var handle = fs.FileStream.New(directory, FileMode.Open, FileAccess.Read);
        handle.Flush(flushToDisk: true);
    }

    private static FaultFileSystem NewFileSystem(FaultPlan? plan = null)
    {
        var mock = new MockFileSystem();
        mock.Directory.CreateDirectory(Dir);
        return new FaultFileSystem(mock, plan);
    }
}
