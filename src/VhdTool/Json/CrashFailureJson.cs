namespace Storage.VhdTool.Json;

/// <summary>One failure in `vhd crashtest --json`, with what reruns it.</summary>
internal sealed record CrashFailureJson(string Workload, string CrashPoint, string State, int Seed, string Replay, string Rerun, string Message);
