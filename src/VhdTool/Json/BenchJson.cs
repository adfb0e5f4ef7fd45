namespace Storage.VhdTool.Json;

/// <summary>`vhd bench --json`: throughput and latency percentiles in microseconds.</summary>
internal sealed record BenchJson(long Requests, double Seconds, double RequestsPerSecond, double P50Us, double P90Us, double P99Us, double MaxUs);
