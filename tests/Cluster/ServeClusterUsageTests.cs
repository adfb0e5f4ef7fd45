using System.Diagnostics;
using Xunit;

namespace Storage.Tests.Cluster;

/// <summary>`vhd serve`'s cluster options: a bad combination or value is a usage error (exit 2) naming the option.</summary>
public sealed class ServeClusterUsageTests
{
    [Theory]
    [InlineData("--node 127.0.0.1:4053", "--node, --seeds, --stable-after and --min-members go with --cluster")]
    [InlineData("--cluster", "--cluster needs --node HOST:PORT")]
    [InlineData("--cluster --node 127.0.0.1", "bad value for --node: '127.0.0.1'")]
    [InlineData("--cluster --node 127.0.0.1:4053 --seeds 127.0.0.1:4053,nonsense", "bad value for --seeds: 'nonsense'")]
    [InlineData("--cluster --node 127.0.0.1:4053 --stable-after 0", "bad value for --stable-after: 0")]
    [InlineData("--cluster --node 127.0.0.1:4053 --min-members 0", "bad value for --min-members: 0")]
    public void A_bad_cluster_option_is_a_usage_error(string options, string message)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "vhd")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["serve", Path.GetTempPath(), .. options.Split(' ')]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, stderr);
    }
}
