using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// The crash side of a <see cref="FaultFileSystem"/>: the crash model of the pending epoch of all
/// simulated files (cached until anything changes), and what a crash state leaves: post-crash
/// images, copies of them in another file system, or this file system crashed in place.
/// </summary>
internal sealed class CrashImaging(SimulationState state)
{
    private CrashModel? _model;

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
                var files = state.Disks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
                _model = new CrashModel(state.Epoch, files, version);
            }

            return action(_model);
        }
    }

    internal IReadOnlyDictionary<string, SimDisk> Materialize(CrashState crashState) =>
        WithCrashModel(model =>
        {
            SimDisk?[] images = model.Materialize(crashState);
            var result = new Dictionary<string, SimDisk>(SimulationState.PathComparer);
            for (int i = 0; i < images.Length; i++)
            {
                if (images[i] is { } image)
                {
                    result[model.Files[i].Path] = image;
                }
            }

            return result;
        });

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

    internal FaultFileSystem CrashedCopy(CrashState crashState, IFileSystem inner, FaultPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var copy = new FaultFileSystem(inner, plan);
        foreach (var (path, image) in Materialize(crashState))
        {
            if (inner.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                inner.Directory.CreateDirectory(directory);
            }

            inner.File.Create(path).Dispose();
            copy.State.Disks[copy.State.Normalize(path)] = image;
        }

        return copy;
    }

    internal void ApplyCrash(CrashState crashState)
    {
        lock (state.Gate)
        {
            if (state.CallbackDepth > 0)
            {
                throw new InvalidOperationException(
                    "ApplyCrash cannot run inside a FlushingToDisk handler: the workload is mid-flush. Use Materialize, MaterializeTo or CrashedCopy there, or throw to abort the workload and apply the crash afterwards.");
            }

            WithCrashModel(model => Replace(model, model.Materialize(crashState)));
            state.Generation++;
            state.MapVersion++;
            state.Log.Mark(new FaultOperation(-1, FaultOperationKind.Crash, crashState.ToString(), 0, 0, false));
        }
    }

    /// <summary>Puts the post-crash images in place of the simulated files; files the crash loses go.</summary>
    private int Replace(CrashModel model, SimDisk?[] images)
    {
        for (int i = 0; i < images.Length; i++)
        {
            string path = model.Files[i].Path;
            if (images[i] is { } image)
            {
                state.Disks[path] = image;
            }
            else
            {
                state.Disks.Remove(path);
                state.Inner.File.Delete(path);
            }
        }

        return 0;
    }
}
