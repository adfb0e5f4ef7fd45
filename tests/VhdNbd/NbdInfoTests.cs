using System.Text.Json;
using Storage.Tests.VhdNbd.Infrastructure;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>nbdinfo (libnbd) lists the exports and their sizes, and sees each one's flags.</summary>
public sealed class NbdInfoTests : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Lists_every_image_under_the_directory_with_its_size()
    {
        Images.Dynamic(_dir["a.vhd"], size: 8 << 20);
        Images.Fixed(_dir["vms/web.vhd"].Replace('/', Path.DirectorySeparatorChar), size: 3 << 20);
        File.WriteAllText(_dir["notes.txt"], "not an image");
        await using var host = await ServerHost.StartAsync(_dir.Path);
        var list = Cli.Ok("nbdinfo", "--json", "--list", $"nbd://127.0.0.1:{host.Port}");
        using var json = JsonDocument.Parse(list.Out);
        var exports = json.RootElement.GetProperty("exports").EnumerateArray()
            .ToDictionary(e => e.GetProperty("export-name").GetString()!, e => e.GetProperty("export-size").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["a.vhd"] = 8 << 20, ["vms/web.vhd"] = 3 << 20 }, exports);
    }

    [Fact]
    public async Task Shows_a_writable_export_with_multi_conn_and_block_status()
    {
        Images.Dynamic(_dir["a.vhd"]);
        await using var host = await ServerHost.StartAsync(_dir.Path);
        var info = Cli.Ok("nbdinfo", "--json", host.Uri("a.vhd"));
        using var json = JsonDocument.Parse(info.Out);
        var export = json.RootElement.GetProperty("exports")[0];
        Assert.Equal("a.vhd", export.GetProperty("export-name").GetString());
        Assert.False(export.GetProperty("is_read_only").GetBoolean());
        Assert.True(export.GetProperty("can_multi_conn").GetBoolean());
        Assert.True(export.GetProperty("can_flush").GetBoolean());
        Assert.True(export.GetProperty("can_fua").GetBoolean());
        Assert.True(export.GetProperty("can_trim").GetBoolean());
        Assert.True(export.GetProperty("can_zero").GetBoolean());
        Assert.Contains("base:allocation", export.GetProperty("contexts").EnumerateArray().Select(c => c.GetString()));
    }
}
