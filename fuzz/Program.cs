using System.Diagnostics;
using System.Security.Cryptography;
using SharpFuzz;
using Storage.Fuzz;
using Storage.VhdEngine;

// Drivers of FuzzHarness; see README.md. The mode is the first argument, else STORAGE_FUZZ_MODE, else afl.
//   afl                      AFL++ persistent mode (SharpFuzz OutOfProcess), input file from afl-fuzz
//   libfuzzer                libFuzzer through libfuzzer-dotnet
//   replay PATH...           run files (or every file of directories) once each; exit 1 on a crash
//   mutate SECONDS CORPUS CRASHES [SEED]   in-process structure-aware mutation loop
//   seeds DIR                write the seed corpus
string mode = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("STORAGE_FUZZ_MODE") ?? "afl";
switch (mode)
{
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            FuzzHarness.Run(ms.ToArray());
        });
        return 0;
    case "libfuzzer":
        Fuzzer.LibFuzzer.Run(span => FuzzHarness.Run(span));
        return 0;
    case "replay":
        return Replay(args.Skip(1));
    case "mutate":
        return MutateLoop(TimeSpan.FromSeconds(double.Parse(args[1])), args[2], args[3], args.Length > 4 ? int.Parse(args[4]) : Environment.TickCount);
    case "seeds":
        Directory.CreateDirectory(args[1]);
        foreach (var (name, bytes) in SeedImages.All())
        {
            File.WriteAllBytes(Path.Combine(args[1], name), bytes);
            Console.WriteLine($"{name} {bytes.Length}");
        }
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}

static int Replay(IEnumerable<string> paths)
{
    int crashes = 0, total = 0;
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)).Order() : (IEnumerable<string>)[p]);
    foreach (var file in files)
    {
        total++;
        try
        {
            var outcome = FuzzHarness.Run(File.ReadAllBytes(file));
            Console.WriteLine($"ok {Path.GetFileName(file)} {outcome}");
        }
        catch (Exception e)
        {
            crashes++;
            Console.WriteLine($"CRASH {Path.GetFileName(file)} {e.GetType().FullName}: {e.Message}");
            Console.Error.WriteLine(e);
        }
    }
    Console.WriteLine($"replayed {total} inputs, {crashes} crashes, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB, GC heap limit {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20} MiB");
    return crashes == 0 ? 0 : 1;
}

static int MutateLoop(TimeSpan duration, string corpusDir, string crashDir, int seed)
{
    Directory.CreateDirectory(crashDir);
    var pool = Directory.GetFiles(corpusDir).Order().Select(File.ReadAllBytes).ToList();
    var seen = new HashSet<Outcome>();
    var random = new Random(seed);
    var mutator = new Mutator(random);
    var watch = Stopwatch.StartNew();
    long execs = 0, crashes = 0;
    var nextReport = TimeSpan.FromSeconds(30);
    var outcomes = new Dictionary<Outcome, long>();
    Console.WriteLine($"mutate: seed {seed}, {pool.Count} seeds, for {duration}");
    while (watch.Elapsed < duration)
    {
        var parent = pool[random.Next(pool.Count)];
        var input = mutator.Mutate(parent, pool);
        execs++;
        try
        {
            var outcome = FuzzHarness.Run(input);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            // Keep inputs that reach a new combination of stages, and now and then any input that opens.
            if (seen.Add(outcome) || (outcome.HasFlag(Outcome.ReadOnlyOpened) && random.Next(64) == 0 && pool.Count < 4096))
                pool.Add(input);
        }
        catch (Exception e) when (e is not VhdException)
        {
            crashes++;
            string name = $"crash-{Convert.ToHexString(SHA1.HashData(input))[..16].ToLowerInvariant()}";
            File.WriteAllBytes(Path.Combine(crashDir, name), input);
            File.WriteAllText(Path.Combine(crashDir, name + ".txt"), e.ToString());
            Console.WriteLine($"CRASH {name}: {e.GetType().FullName}: {e.Message}");
        }
        if (watch.Elapsed >= nextReport)
        {
            Console.WriteLine($"{watch.Elapsed:hh\\:mm\\:ss} execs {execs} ({execs / watch.Elapsed.TotalSeconds:F0}/s) pool {pool.Count} crashes {crashes}");
            nextReport += TimeSpan.FromSeconds(30);
        }
    }
    Console.WriteLine($"done: {execs} execs in {watch.Elapsed}, {crashes} crashes, pool {pool.Count}");
    foreach (var (o, n) in outcomes.OrderByDescending(kv => kv.Value)) Console.WriteLine($"  {n,10} {o}");
    return crashes == 0 ? 0 : 1;
}
