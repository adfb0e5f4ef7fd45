using Storage.Samples.CrashTestYourWorkload;

// Crash-tests the naive log, then the fixed one; prints what the harness found.
// dotnet run --project samples/CrashTestYourWorkload [-- --html report.html]
string? html = args.Length == 2 && args[0] == "--html" ? args[1] : null;

Console.WriteLine("1. The naive log: the commit record goes out with the data, one flush for both.");
var naive = await LogCrashTest.RunAsync(naive: true);
Console.WriteLine(naive.ToString().Split('\n')[0]);
if (naive.Failures.Count > 0)
{
    Console.WriteLine("the first failing state:");
    Console.WriteLine(naive.Failures[0]);
    if (naive.FailureCount > 1) Console.WriteLine($"... and {naive.FailureCount - 1} more like it (a crash inside each append's flush)");
    var replay = await LogCrashTest.ReplayAsync(naive.Failures[0].ReplayToken, naive: true);
    Console.WriteLine($"replaying {naive.Failures[0].ReplayToken}: {(replay.Passed ? "passes" : "fails again, the same way")}");
}

Console.WriteLine();
Console.WriteLine("2. The fixed log: the data is flushed before the commit record is written.");
var fixedLog = await LogCrashTest.RunAsync(naive: false);
Console.WriteLine(fixedLog.ToString());

if (html is not null)
{
    naive.WriteHtml(html);
    Console.WriteLine($"\nreport of the naive log: {Path.GetFullPath(html)}");
}

return !naive.Passed && fixedLog.Passed ? 0 : 1;
