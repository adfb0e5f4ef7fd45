using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Xunit;
using static Storage.Tests.FaultInjection.FaultFileSystemTests;
using static Storage.Tests.FaultInjection.SimDiskTests;

namespace Storage.Tests.FaultInjection;

/// <summary>
/// Names are durable only once their directory is fsynced (LazyFS and ALICE's model): creates,
/// renames and deletes are crash pieces until then, in any combination with the contents' pieces.
/// </summary>
public sealed class NameDurabilityTests
{
    private const int S = SimDisk.SectorSize;
    private const string Dir = "/data";
    private const string Image = "/data/image.vhd";
    private const string Temp = "/data/image.vhd.creating";

    [Fact]
    public void A_rename_may_be_lost_until_the_directory_is_fsynced()
    {
        FaultFileSystem fs = NewFileSystem();
        WriteDurably(fs, Temp, Fill(S, 1));
        fs.File.Move(Temp, Image);

        var outcomes = Names(fs);
        Assert.Contains([Image], outcomes);
        Assert.Contains([Temp], outcomes);
        Assert.Equal(2, outcomes.Count);

        SyncDirectory(fs, Dir);
        Assert.Equal([[Image]], Names(fs));
        fs.Crash();
        Assert.Equal(Fill(S, 1), fs.File.ReadAllBytes(Image));
        Assert.False(fs.File.Exists(Temp));
    }

    [Fact]
    public void A_deleted_file_comes_back_after_a_crash_until_the_directory_is_fsynced()
    {
        FaultFileSystem fs = NewFileSystem();
        WriteDurably(fs, Image, Fill(S * 2, 7));
        fs.File.Delete(Image);
        Assert.False(fs.File.Exists(Image));
        Assert.Contains([Image], Names(fs));

        fs.Crash();
        Assert.True(fs.File.Exists(Image));
        Assert.Equal(Fill(S * 2, 7), fs.File.ReadAllBytes(Image));

        fs.File.Delete(Image);
        SyncDirectory(fs, Dir);
        fs.Crash();
        Assert.False(fs.File.Exists(Image));
    }

    [Fact]
    public void The_model_finds_a_missing_directory_fsync_in_build_fsync_rename()
    {
        // The engine's create: build IMAGE.creating, fsync it, rename it into place, then (the step
        // this test plants as missing) fsync the directory. The caller is told the image exists; a
        // crash at the next durability point may still take it away.
        static List<string> LostAtTheNextFsync(bool syncDirectory)
        {
            FaultFileSystem fs = NewFileSystem();
            using (var build = fs.File.Create(Temp))
            {
                build.Write(Fill(S * 3, 9));
                build.Flush(true);
            }

            fs.File.Move(Temp, Image);
            if (syncDirectory)
            {
                SyncDirectory(fs, Dir);
            }

            var lost = new List<string>();
            fs.FlushingToDisk += (_, e) =>
            {
                foreach (CrashState state in e.FileSystem.EnumerateCrashStates())
                {
                    if (!e.FileSystem.Materialize(state).ContainsKey(Image))
                    {
                        lost.Add(state.ToString());
                    }
                }
            };

            using (var stream = fs.File.Open(Image, FileMode.Open))
            {
                stream.Write(Fill(S, 10));
                stream.Flush(true);
            }

            return lost;
        }

        Assert.NotEmpty(LostAtTheNextFsync(syncDirectory: false));
        Assert.Empty(LostAtTheNextFsync(syncDirectory: true));
    }

    [Fact]
    public void Fsyncing_the_destination_directory_makes_a_rename_and_the_creation_before_it_durable()
    {
        FaultFileSystem fs = NewFileSystem();
        fs.Directory.CreateDirectory("/other");
        WriteDurably(fs, Temp, Fill(S, 3), syncDirectory: false);
        fs.File.Move(Temp, "/other/moved.vhd");
        fs.File.WriteAllBytes("/data/unrelated.vhd", Fill(S, 4));

        SyncDirectory(fs, "/other");
        var outcomes = Names(fs);
        Assert.All(outcomes, names => Assert.Contains("/other/moved.vhd", names));
        Assert.All(outcomes, names => Assert.DoesNotContain(Temp, names));
        Assert.Contains(outcomes, names => !names.Contains("/data/unrelated.vhd"));
    }

    [Fact]
    public void A_directory_fsync_is_a_crash_point_and_a_failed_one_leaves_its_changes_pending()
    {
        FaultFileSystem fs = NewFileSystem(new FaultPlan().FailFlushToDiskAt(1));
        var points = new List<(string Path, bool IsDirectory, int Pieces)>();
        fs.FlushingToDisk += (_, e) => points.Add((e.Path, e.IsDirectory, e.FileSystem.PendingPieceCount));
        WriteDurably(fs, Image, Fill(S, 5), syncDirectory: false);

        Assert.Throws<InjectedFaultException>(() => SyncDirectory(fs, Dir));
        Assert.Equal([(Image, false, 3), (Dir, true, 1)], points);
        Assert.Equal(FaultOperationKind.FlushDirectory, fs.Trace[^1].Kind);
        Assert.True(fs.Trace[^1].Faulted);
        Assert.Contains([], Names(fs));

        SyncDirectory(fs, Dir);
        Assert.Equal([[Image]], Names(fs));
    }

    [Fact]
    public void A_directory_opened_as_a_stream_only_fsyncs()
    {
        FaultFileSystem fs = NewFileSystem();
        Assert.Throws<UnauthorizedAccessException>(() => fs.FileStream.New(Dir, FileMode.Open, FileAccess.ReadWrite));
        Assert.Throws<UnauthorizedAccessException>(() => fs.FileStream.New(Dir, FileMode.Create, FileAccess.Write));
        using var handle = fs.FileStream.New(Dir, FileMode.Open, FileAccess.Read);
        Assert.False(handle.CanRead);
        Assert.Throws<NotSupportedException>(() => handle.ReadByte());
        Assert.Throws<NotSupportedException>(() => handle.Length);
        handle.Flush();
        Assert.Equal(0, fs.Epoch);
        handle.Flush(true);
        Assert.Equal(1, fs.Epoch);
    }

    [Fact]
    public void A_captured_crash_point_keeps_its_states_while_the_file_system_moves_on()
    {
        FaultFileSystem fs = NewFileSystem();
        WriteDurably(fs, Image, Fill(S * 2, 1));
        using var stream = fs.File.Open(Image, FileMode.Open);
        stream.Write(Fill(S, 2));
        fs.File.Copy(Image, "/data/copy.vhd");

        CrashPoint point = fs.CaptureCrashPoint();
        var live = fs.EnumerateCrashStates().ToDictionary(s => s.ToString(), s => Snapshot(fs.Materialize(s)));
        Assert.Equal(fs.PendingPieceCount, point.PieceCount);

        stream.Position = 0;
        stream.Write(Fill(S * 2, 3));
        stream.Flush(true);
        SyncDirectory(fs, Dir);

        Assert.Equal(live.Keys, point.EnumerateCrashStates().Select(s => s.ToString()));
        foreach (CrashState state in point.EnumerateCrashStates())
        {
            Assert.Equal(live[state.ToString()], Snapshot(point.Materialize(state)));
        }

        FaultFileSystem copy = point.CrashedCopy(point.EnumerateCrashStates()[^1], new MockFileSystem());
        Assert.Equal([.. Fill(S, 2), .. Fill(S, 1)], copy.File.ReadAllBytes(Image));
    }

    [Fact]
    public void A_state_describes_which_changes_landed_dropped_or_tore()
    {
        FaultFileSystem fs = NewFileSystem();
        WriteDurably(fs, Image, Fill(S, 1));
        using var stream = fs.File.Open(Image, FileMode.Open);
        stream.Write(Fill(S * 3, 2));
        fs.File.Move(Image, "/data/renamed.vhd");

        // Pieces: the write's length change, its three sectors, the rename.
        var changes = fs.DescribeCrashState(CrashState.Explicit(fs.Epoch, "10100"));
        Assert.Equal(2, changes.Count);
        Assert.Equal(PendingChangeKind.Write, changes[0].Kind);
        Assert.True(changes[0].ChangesLength);
        Assert.Equal("1010", changes[0].Pieces);
        Assert.Equal(PendingChangeOutcome.Torn, changes[0].Outcome);
        Assert.Equal(PendingChangeKind.Rename, changes[1].Kind);
        Assert.Equal("/data/renamed.vhd", changes[1].Destination);
        Assert.Equal(PendingChangeOutcome.Dropped, changes[1].Outcome);
        Assert.Equal(fs.Trace.Single(t => t.Kind == FaultOperationKind.Move).Index, changes[1].OperationIndex);
        Assert.Equal(PendingChangeOutcome.Landed, fs.DescribeCrashState(CrashState.Prefix(fs.Epoch, 2))[1].Outcome);
        Assert.Equal("write /data/image.vhd @0+1536: torn (2 of 4 pieces)", changes[0].ToString());
    }

    private static void WriteDurably(FaultFileSystem fs, string path, byte[] data, bool syncDirectory = true)
    {
        using (var stream = fs.File.Create(path))
        {
            stream.Write(data);
            stream.Flush(true);
        }

        if (syncDirectory)
        {
            SyncDirectory(fs, fs.Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>The distinct sets of surviving names over every crash state of the pending epoch.</summary>
    private static List<string[]> Names(FaultFileSystem fs) =>
        fs.EnumerateCrashStates()
            .Select(s => fs.Materialize(s).Keys.Order(StringComparer.Ordinal).ToArray())
            .DistinctBy(names => string.Join("|", names))
            .ToList();

    private static string Snapshot(IReadOnlyDictionary<string, SimDisk> files) =>
        string.Join(";", files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Convert.ToHexString(f.Value.ToArray())));

    private static FaultFileSystem NewFileSystem(FaultPlan? plan = null)
    {
        var mock = new MockFileSystem();
        mock.Directory.CreateDirectory(Dir);
        return new FaultFileSystem(mock, plan);
    }
}
