namespace Storage.VhdTool.Hosted;

/// <summary>Throughput and latency of one `vhd bench` run (latencies in microseconds).</summary>
internal sealed record BenchResult(long Requests, double Seconds, double P50Us, double P90Us, double P99Us, double MaxUs)
{
    public double RequestsPerSecond => Requests / Seconds;
}
