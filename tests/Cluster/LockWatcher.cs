namespace Storage.Tests.Cluster;

/// <summary>Samples, every 20 ms, which node processes hold a write lock on which image: two at once is a violation.</summary>
internal sealed class LockWatcher : IDisposable
{
    private readonly IReadOnlyList<ClusterServeProcess> _nodes;
    private readonly HashSet<long> _images;
    private readonly Thread _thread;
    private volatile bool _stop;

    public LockWatcher(IReadOnlyList<ClusterServeProcess> nodes, HashSet<long> images)
    {
        _nodes = nodes;
        _images = images;
        _thread = new Thread(Run) { IsBackground = true };
        _thread.Start();
    }

    public List<string> Violations { get; } = [];

    public int Samples { get; private set; }

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose() => Stop();

    private void Run()
    {
        while (!_stop)
        {
            var holders = new Dictionary<long, List<string>>();
            foreach (var node in _nodes.ToList())
                foreach (long inode in node.WriteLockedInodes().Where(_images.Contains))
                    (holders.TryGetValue(inode, out var list) ? list : holders[inode] = []).Add(node.Name);
            foreach (var (inode, names) in holders.Where(h => h.Value.Count > 1))
                lock (Violations) Violations.Add($"{DateTime.UtcNow:HH:mm:ss.fff}: inode {inode} write-locked by {string.Join(" and ", names)}");
            Samples++;
            Thread.Sleep(20);
        }
    }
}
