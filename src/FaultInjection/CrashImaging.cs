using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// The crash side of a <see cref="FaultFileSystem"/>: the crash model of the pending epoch of all
/// simulated files and names (cached until anything changes), and what a crash state leaves:
/// post-crash files, copies of them in another file system, or this file system crashed in place.
/// </summary>
internal sealed class CrashImaging(SimulationState state)
{
    private CrashModel? _model;

    /// <summary>The post-crash files of <paramref name="crashState"/> in <paramref name="model"/>, by the names that survive.</summary>
    internal static Dictionary<string, SimDisk> Materialize(CrashModel model, CrashState crashState)
    {
        bool[] applied = model.Resolve(crashState);
        SimDisk?[] images = model.Materialize(applied);
        var result = new Dictionary<string, SimDisk>(SimulationState.PathComparer);
        foreach (var (path, file) in model.MaterializeNames(applied))
        {
            if (images[file] is { } image)
            {
                result[path] = image;
            }
        }

        return result;
    }

    /// <summary>A new file system over <paramref name="inner"/> holding the post-crash files, every name and byte durable.</summary>
    internal static FaultFileSystem CrashedCopy(CrashModel model, CrashState crashState, IFileSystem inner, FaultPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var copy = new FaultFileSystem(inner, plan);
        foreach (var (path, image) in Materialize(model, crashState))
        {
            if (inner.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                inner.Directory.CreateDirectory(directory);
            }

            inner.File.Create(path).Dispose();
            string full = copy.State.Normalize(path);
            copy.State.Disks[full] = image;
            copy.State.Names.Durable[full] = image;
        }

        return copy;
    }

    internal T WithCrashModel<T>(Func<CrashModel, T> action)
    {
        lock (state.Gate)
        {
            // Versions only grow, so the sum changes whenever any disk or the file map does:
            // a harness materializing many states of one crash point builds the model once.
            long version = state.MapVersion + state.Epoch;
            foreach (SimDisk disk in state.Disks.Values)
            {
                version += disk.Version;
            }

            if (_model is null || _model.Version != version)
            {
                _model = Build(version);
            }

            return action(_model);
        }
    }

    internal IReadOnlyDictionary<string, SimDisk> Materialize(CrashState crashState) => WithCrashModel(model => Materialize(model, crashState));

    internal void MaterializeTo(CrashState crashState, IFileSystem target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var (path, image) in Materialize(crashState))
        {
            if (target.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                target.Directory.CreateDirectory(directory);
            }

            using FileSystemStream stream = target.FileStream.New(path, FileMode.Create, FileAccess.Write);
            stream.SetLength(image.Length);
            foreach (var (offset, bytes) in SparseRuns.Of(image))
            {
                stream.Position = offset;
                stream.Write(bytes);
            }
        }
    }

    internal FaultFileSystem CrashedCopy(CrashState crashState, IFileSystem inner, FaultPlan? plan) =>
        WithCrashModel(model => CrashedCopy(model, crashState, inner, plan));

    internal void ApplyCrash(CrashState crashState)
    {
        lock (state.Gate)
        {
            if (state.CallbackDepth > 0)
            {
                throw new InvalidOperationException(
                    "ApplyCrash cannot run inside a FlushingToDisk handler: the workload is mid-flush. Use Materialize, MaterializeTo or CrashedCopy there, or throw to abort the workload and apply the crash afterwards.");
            }

            Replace(WithCrashModel(model => Materialize(model, crashState)));
            state.Generation++;
            state.MapVersion++;
            state.Log.Mark(new FaultOperation(-1, FaultOperationKind.Crash, crashState.ToString(), 0, 0, false));
        }
    }

    /// <summary>
    /// The model of every file some name points at (live or durable) or some pending name change
    /// touches, labelled with its live name where it has one.
    /// </summary>
    private CrashModel Build(long version)
    {
        var labels = new Dictionary<SimDisk, string>(ReferenceEqualityComparer.Instance);
        void Label(SimDisk disk, string path) => labels.TryAdd(disk, path);
        foreach (var (path, disk) in state.Disks.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Label(disk, path);
        }

        foreach (var (path, disk) in state.Names.Durable.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Label(disk, path);
        }

        foreach (NameOperation op in state.Names.Pending)
        {
            Label(op.Disk, op.Destination ?? op.Path);
        }

        var files = labels.Select(p => (Path: p.Value, Disk: p.Key)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var index = new Dictionary<SimDisk, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < files.Count; i++)
        {
            index[files[i].Disk] = i;
        }

        var durable = state.Names.Durable.ToDictionary(p => p.Key, p => index[p.Value], SimulationState.PathComparer);
        var pending = state.Names.Pending.Select(op => (op, index[op.Disk])).ToList();
        return new CrashModel(state.Epoch, files, version, new NameSnapshot(durable, pending));
    }

    /// <summary>Puts the post-crash files in place of the simulated ones; names the crash loses go, names it brings back return.</summary>
    private void Replace(Dictionary<string, SimDisk> survivors)
    {
        var before = state.Disks.Keys.Concat(state.Names.Durable.Keys).ToHashSet(SimulationState.PathComparer);
        state.Disks.Clear();
        foreach (var (path, image) in survivors)
        {
            state.Disks[path] = image;
            if (!state.Inner.File.Exists(path))
            {
                state.Inner.File.Create(path).Dispose();
            }
        }

        foreach (string path in before.Where(p => !survivors.ContainsKey(p) && state.Inner.File.Exists(p)))
        {
            state.Inner.File.Delete(path);
        }

        state.Names.Reset(survivors);
    }
}
