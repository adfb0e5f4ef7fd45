using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// `dotnet pack` makes the tool a .NET tool: packed into a local folder, installed from there with
/// `dotnet tool install --tool-path`, it runs as `vhd`. The build the tests run is packed as it is
/// (--no-build), and the install uses its own NuGet cache, so no earlier package can stand in.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_packed_tool_installs_with_dotnet_tool_install_and_runs_as_vhd()
    {
        string root = Sample.RepositoryRoot;
        string configuration = PackageCli.Configuration;
        string feed = _dir["feed"], tools = _dir["tools"];
        Dotnet("pack", Path.Combine(root, "src", "VhdTool", "VhdTool.csproj"), "-c", configuration, "--no-build", "-o", feed, "-nologo");
        string package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        Assert.StartsWith("Storage.VhdTool.", Path.GetFileName(package));

        Dotnet("tool", "install", "--tool-path", tools, "--add-source", feed, "Storage.VhdTool");
        var version = Run(Path.Combine(tools, "vhd"), "--version");
        Assert.Matches(@"^vhd \d+\.\d+\.\d+\n$", version);

        string image = _dir["a.vhd"];
        Run(Path.Combine(tools, "vhd"), "create", image, "--size", "1M");
        Assert.Contains("type:            dynamic", Run(Path.Combine(tools, "vhd"), "info", image));
    }

    private string Dotnet(params string[] args) => Run("dotnet", args);

    private string Run(string file, params string[] args) => PackageCli.Run(_dir["nuget-cache"], null, file, args);
}
