using System.Globalization;

namespace Storage.CrashTesting.Workloads;

/// <summary>Random writes (aligned or not, across block boundaries), flushes and reopens on a dynamic image or a differencing child.</summary>
internal sealed class RandomWorkload(string name, bool differencing, IReadOnlyList<RandomOperation> operations) : CrashWorkload
{
    /// <summary>Name prefix; the rest of the name is the seed the operations come from.</summary>
    public const string Prefix = "random-";

    public IReadOnlyList<RandomOperation> Operations => operations;

    public bool Differencing => differencing;

    public override string Name => name;

    public override string Description => $"{(differencing ? "differencing" : "dynamic")}: {string.Join(", ", operations)}";

    /// <summary>The workload named <c>random-&lt;seed&gt;</c>: 4 to 14 steps drawn from the seed.</summary>
    public static RandomWorkload FromSeed(int seed)
    {
        var random = new Random(seed);
        bool differencing = random.Next(2) == 0;
        int count = random.Next(4, 15);
        var operations = new List<RandomOperation>(count);
        for (int i = 0; i < count; i++)
        {
            int roll = random.Next(10);
            if (roll < 6) operations.Add(RandomWrite(random));
            else if (roll < 9) operations.Add(new RandomOperation(RandomOperationKind.Flush));
            else operations.Add(new RandomOperation(random.Next(2) == 0 ? RandomOperationKind.Reopen : RandomOperationKind.ReopenWithoutFlush));
        }

        return new RandomWorkload(Prefix + ((uint)seed).ToString(CultureInfo.InvariantCulture), differencing, operations);
    }

    /// <summary>A write somewhere in the first eight blocks: sector-aligned or not, sometimes across a block boundary.</summary>
    public static RandomOperation RandomWrite(Random random)
    {
        long block = random.Next(8);
        long offset = random.Next(3) == 0
            ? block * Images.Block - random.Next(1, 8) * 512L - (random.Next(3) == 0 ? random.Next(1, 512) : 0)
            : block * Images.Block + random.Next(0, 1024) * 512L + (random.Next(3) == 0 ? random.Next(1, 512) : 0);
        int length = random.Next(4) == 0 ? random.Next(1, 16 * 1024) : random.Next(1, 4) * 512;
        return new RandomOperation(RandomOperationKind.Write, Math.Max(0, offset), length);
    }

    public override void Setup(WorkloadContext ctx)
    {
        if (differencing) Images.ParentAndEmptyChild(ctx);
        else Images.EmptyDynamic(ctx);
    }

    public override void Run(WorkloadContext ctx)
    {
        string file = differencing ? Images.Child : Images.Disk;
        var disk = ctx.Open(file);
        foreach (var op in operations)
        {
            switch (op.Kind)
            {
                case RandomOperationKind.Write:
                    if (op.Offset >= disk.Length || op.Length <= 0) break;
                    ctx.Write(disk, op.Offset, (int)Math.Min(op.Length, disk.Length - op.Offset));
                    break;
                case RandomOperationKind.Flush:
                    ctx.Flush(disk);
                    break;
                case RandomOperationKind.ReopenWithoutFlush:
                    disk = ctx.ReopenWithoutFlush(disk);
                    break;
                default:
                    ctx.Flush(disk);
                    ctx.Close(disk);
                    disk = ctx.Open(file);
                    break;
            }
        }
    }
}
