using System.Text.Json;
using Storage.Tests.VhdNbd.Infrastructure;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>python3-libnbd with its client-side checks off: the server's own error replies, and an oversized packet.</summary>
public sealed class PythonLibnbdTests : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bad_requests_get_nbd_errors_and_an_oversized_write_closes_only_its_connection()
    {
        Images.Dynamic(_dir["rw/a.vhd"]);
        Images.Dynamic(_dir["rw/ro/b.vhd"]);
        File.SetAttributes(_dir["rw/ro/b.vhd"], FileAttributes.ReadOnly);
        await using var host = await ServerHost.StartAsync(_dir["rw"]);
        var r = Cli.Ok(Cli.Python, Path.Combine(AppContext.BaseDirectory, "python", "errors.py"), host.Uri("a.vhd"), host.Uri("ro/b.vhd"));
        var results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(r.Out)!;
        string Outcome(string name) => results[name].ToString();
        Assert.Equal(8 << 20, results["size"].GetInt64());
        Assert.Equal("ok", Outcome("write and flush"));
        Assert.Equal("EINVAL", Outcome("read past the end"));
        Assert.Equal("EINVAL", Outcome("read starting past the end"));
        Assert.Equal("ENOSPC", Outcome("write past the end"));
        Assert.Equal("ENOSPC", Outcome("zero past the end"));
        Assert.Equal("EINVAL", Outcome("trim past the end"));
        Assert.Equal("EINVAL", Outcome("block status past the end"));
        Assert.Equal("EINVAL", Outcome("read with an unknown flag"));
        Assert.Equal("EINVAL", Outcome("write with a flag reserved for block status"));
        Assert.Equal("EINVAL", Outcome("fast zero (not offered)"));
        Assert.Equal("ok", Outcome("read after the errors"));
        Assert.Equal("ok", Outcome("read-only flag"));
        Assert.Equal("EPERM", Outcome("write to a read-only export"));
        Assert.Equal("EPERM", Outcome("zero on a read-only export"));
        Assert.Equal("EPERM", Outcome("trim on a read-only export"));
        Assert.Equal("ok", Outcome("read from a read-only export"));
        Assert.StartsWith("disconnected", Outcome("oversized write"));
        Assert.True(Outcome("request after the oversized write").StartsWith("disconnected"), r.Out);
        Assert.Equal("ok", Outcome("other connection still reads its flushed write"));
        Assert.Equal("ok", Outcome("new connection reads the flushed write"));
    }
}
